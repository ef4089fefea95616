"""A question's keyword terms in any supported language (knowledge/language.py, knowledge/glossary.py):
per-language stemming, the glossary's English, compounds, stop words, and cross-lingual fusion."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.glossary import EVERYDAY_ENGLISH, GLOSSARY
from knowledge.language import LANGUAGES, _same_in_english, analyse, fused_query_vector, query_terms
from knowledge.terms import shared_words, terms, words
from tests.knowledge_fakes import FakeEncoder


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("overvægt", {"obes", "overweight"}),  # Danish
        ("fetma", {"obes"}),  # Swedish
        ("psykisk helse", {"mental", "health"}),  # Norwegian, a phrase
        ("Adipositas", {"obes"}),  # German
        ("eenzaamheid", {"loneli"}),  # Dutch
        ("santé mentale", {"mental", "health"}),  # French
        ("comedores escolares", {"canteen", "school"}),  # Spanish, stemmed
        ("afya ya akili", {"mental", "health"}),  # Kiswahili, a phrase with stop words inside
        ("chakula shuleni", {"food", "school"}),  # Kiswahili locative -ni
    ],
)
def test_the_glossary_adds_the_english_of_the_domain_terms(question, english):
    analysis = analyse(question)
    assert english <= set(analysis.terms), analysis
    assert analysis.translated >= 1 and analysis.english


@pytest.mark.parametrize(
    ("compound", "english"),
    [("skolekantiner", {"school", "canteen"}), ("Schulverpflegung", {"school", "meal"}), ("Diabetesprävention", {"diabet"})],
)
def test_compounds_are_split_into_glossary_words(compound, english):
    assert english <= set(query_terms(compound))


@pytest.mark.parametrize(
    ("compound", "english"), [("skolebibliotek", "school"), ("Elternabend", "parent"), ("sykehusparkering", "hospit")]
)
def test_a_compound_half_of_which_the_glossary_knows_searches_that_half(compound, english):
    assert english in analyse(compound).terms


def test_a_half_known_only_by_an_accident_of_stemming_is_not_taken():
    # Norwegian "materialer" (materials) begins with "mater", which stems to "mat" (food).
    assert "food" not in analyse("materialer til skolen").terms


def test_a_word_the_glossary_holds_whole_is_no_compound():
    # German "Transport" is in the glossary as itself; split, it was "tran|sport" (physical activity).
    analysis = analyse("Transport für Senioren")
    assert analysis.languages == ("de",) and "transport" in analysis.terms and "physic" not in analysis.terms


@pytest.mark.parametrize("question", ["pilots school obesity", "diabetes", "drones", "what kind of support for families", "region"])
def test_english_questions_keep_their_own_terms_and_are_not_translated(question):
    analysis = analyse(question)
    assert analysis.terms == terms(question)
    assert analysis.translated == 0 and analysis.english == "" and analysis.languages == ()


@pytest.mark.parametrize("question", ["the and of", "og det er", "und der die das", "le la les", "na ya kwa", "12345 67890", "🍕🎉🚀", "x", "?!?!"])
def test_stop_words_numbers_emoji_and_single_letters_leave_no_content_word(question):
    assert analyse(question).content_words == 0


def test_words_outside_the_glossary_stay_as_they_are():
    analysis = analyse("tandimplantater")  # dental implants: not a topic of the domain
    assert analysis.terms == ["tandimplantat"] and analysis.translated == 0 and analysis.content_words == 1


@pytest.mark.parametrize(
    ("question", "reads_english", "from_glossary"),
    [
        ("dental implants for older adults", True, (False, False, False, False)),
        ("how do I reset my email password", True, (False, False, False)),  # "how", "do", "my" mark English
        ("tandimplantater til ældre", False, (False, True)),  # Danish: "ældre" is the glossary's
        # French stop words, no glossary word (the everyday English table is for questions read as English)
        ("des menus plus sains dans les fast-foods", False, (False, False, False, False)),
    ],
)
def test_the_analysis_says_whether_it_read_english_and_which_words_the_glossary_gave(question, reads_english, from_glossary):
    analysis = analyse(question)
    assert analysis.reads_english is reads_english
    assert analysis.glossary_groups == from_glossary
    assert len(analysis.glossary_groups) == len(analysis.groups)


def test_every_glossary_entry_covers_every_supported_language():
    for english, translations in GLOSSARY.items():
        assert set(translations) == set(LANGUAGES), english
        assert all(value.strip() for value in translations.values()), english


def test_cross_lingual_fusion_mixes_in_the_english_rendering_only_when_something_was_translated():
    encoder = FakeEncoder()
    own = encoder.encode_query("overvægt")
    fused = fused_query_vector(encoder, own, analyse("overvægt").english)
    english = encoder.encode_query("obesity overweight")
    assert np.isclose(np.linalg.norm(fused), 1.0) and fused @ english > own @ english
    plain = encoder.encode_query("school meals")
    assert fused_query_vector(encoder, plain, analyse("school meals").english) is plain


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how do I reset my email password", ["reset", "email", "password"]),
        ("could you please show me anything about school meals", ["school", "meal"]),
        ("hi, do we have anything on telepsychiatry?", ["telepsychiatri"]),
        # every expert profile's "Can help with" held "help": these had listed five experts first
        ("Help me find obesity pilots", ["obes", "pilot"]),
    ],
)
def test_the_words_a_question_is_wrapped_in_are_no_keywords(question, expected):
    assert terms(question) == expected
    assert analyse(question).terms == expected


def test_the_why_words_leave_out_headings_and_question_words():
    passage = "Can help with: school meals procurement. About: how we did it."
    assert shared_words("how can you help with school meals", passage) == ["school", "meals"]


@pytest.mark.parametrize(
    ("question", "groups"),
    [
        ("teens in A&E", [{"teen", "young", "peopl", "youth", "adolesc"}, {"emergenc", "depart"}]),
        ("fat kids", [{"fat", "obes", "overweight"}, {"kid", "children"}]),
        ("nurses burning out", [{"nurs"}, {"burn", "stress", "burnout"}]),  # a phrase: one group
        ("lonely pensioners", [{"lone", "loneli", "social", "isol"}, {"pension", "older", "adult", "elder"}]),
        ("living lab", [{"live"}, {"lab"}]),  # "lab" alone stands for no term: a living lab is no laboratory
        ("obesity", [{"obes"}]),
        ("home help for elderly", [{"home", "care"}, {"elder"}]),  # "help" wraps questions, yet makes a phrase
    ],
)
def test_everyday_english_words_also_search_the_domains_terms(question, groups):
    analysis = analyse(question)
    assert [set(group) for group in analysis.groups] == groups
    # Still read as English, and nothing counts as translated (the confidence evidence is that of English).
    assert analysis.reads_english and analysis.translated == 0 and analysis.english == ""


def test_every_everyday_english_entry_is_a_glossary_term_and_no_alternative_is_the_term_itself():
    assert set(EVERYDAY_ENGLISH) <= set(GLOSSARY)
    for english, written in EVERYDAY_ENGLISH.items():
        for alternative in written.split(","):
            # (an alternative of stop words and single letters alone, "A&E", "on their own", is matched as written;
            # a word that wraps questions counts: "home help" is no English for home care)
            assert not _same_in_english(words(alternative), english), (english, alternative)


@pytest.mark.parametrize(
    ("question", "english"),
    [
        ("tjocka barn", {"obes", "children"}),
        ("godis vid kassan", {"sugar", "supermarket"}),
        ("ausgebrannte Pflegekräfte", {"burnout", "nurs"}),
        ("gamins trop gros", {"children", "obes"}),
        ("slankesprøjter", {"glp-1", "medic"}),  # the weight-loss injections are the obesity medicines
    ],
)
def test_everyday_words_in_other_languages_are_translated_too(question, english):
    assert english <= set(analyse(question).terms)


def test_a_stop_word_is_never_a_glossary_word_however_alike_its_stem():
    # Spanish "cómo" (how) stems like "comida" (food): every "how" question used to search for food.
    assert "food" not in analyse("cómo ayudar a pacientes que no hablan el idioma").terms


@pytest.mark.parametrize(
    "word", ["but", "table", "tablets", "paper", "aisle", "pill", "soda", "kids", "super", "senior", "teenager"]
)
def test_english_words_are_not_read_as_another_language_for_an_everyday_word_alike(word):
    assert analyse(f"{word} obesity").reads_english


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("fast food", "fast"),  # Norwegian "fastlege" (GP) stems alike
        ("faster onboarding", "faster"),
        ("screen time", "time"),  # Norwegian "timer" (appointments)
        ("transport", "transport"),  # German "tran|sport", split as a compound
        ("personal budgets", "person"),  # German "Personal" (staff)
        ("sports clubs", "sport"),  # German "Sport"
        ("teenage pregnancy", "teenag"),  # Danish "teenage"
    ],
)
def test_a_common_english_word_another_glossary_covers_is_no_sign_of_that_language(question, kept):
    analysis = analyse(question)
    assert analysis.reads_english and analysis.languages == () and analysis.english == "", analysis
    assert kept in analysis.terms


@pytest.mark.parametrize(
    "question", ["best laptop under 800 euros", "rearranging supermarket shelves so healthier food sells", "i for over"]
)
def test_stop_words_english_shares_with_another_language_are_a_sign_of_neither(question):
    # "under" is Swedish and Danish too, "so" German and Norwegian, "for" and "over" Danish and Norwegian.
    assert analyse(question).reads_english


def test_a_question_in_another_language_still_reads_so_around_the_shared_stop_words():
    analysis = analyse("Gesundheitstechnologie-Produkte in Pflegeheimen testen")  # "in" is English too
    assert analysis.languages == ("de",) and "nurs" in analysis.terms


@pytest.mark.parametrize(
    ("question", "language", "english"),
    [
        ("barn", "sv", "children"),  # far more Swedish than English
        ("time hos fastlegen", "nb", "appoint"),  # "time" with Norwegian words
        ("Kind und Übergewicht", "de", "children"),  # with a German stop word
    ],
)
def test_such_a_word_is_still_translated_when_the_question_is_in_that_language(question, language, english):
    analysis = analyse(question)
    assert language in analysis.languages and english in analysis.terms, analysis


def test_a_very_long_word_is_no_compound_and_is_read_in_linear_time(monkeypatch):
    """20,000 letters without a space had been split at every letter, in every compounding language, each
    part stemmed: a minute of the event loop. Such a word is read like any unknown word."""
    import knowledge.language as language

    looked_up: list[str] = []
    original = language.key.__wrapped__

    def counting_key(lang: str, word: str) -> str:
        looked_up.append(word)
        return original(lang, word)

    monkeypatch.setattr(language, "key", counting_key)
    language.analyse.cache_clear()
    analysis = language.analyse("y" * 20_000)
    assert analysis.content_words == 1 and len(analysis.terms) == 1
    assert len(looked_up) < 50
    language.analyse.cache_clear()
    # A real compound is still read as one.
    assert "school" in language.analyse("skolekantiner").terms


def test_whether_a_question_has_a_topic_is_known_without_reading_it_through(monkeypatch):
    import knowledge.language as language

    assert not language.has_topic("the and of") and not language.has_topic("12345") and not language.has_topic("og i på")

    def no_reading(_text: str) -> None:
        raise AssertionError("a question with a word of its own needs no analysis to have a topic")

    monkeypatch.setattr(language, "analyse", no_reading)
    assert language.has_topic("school meals " * 2_000) and language.has_topic("q" * 20_000)


def test_a_stop_words_contractions_are_no_keyword():
    from knowledge.terms import shared_words, terms

    assert terms("what's the weather, where's Copenhagen? I'm looking, let's see") == ["weather", "copenhagen", "see"]
    assert shared_words("what's the weather", "What's next: the weather") == ["weather"]
    assert terms("the children's health") == ["children", "health"]  # a topic's own possessive stays
