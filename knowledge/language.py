"""A question's keyword terms in any supported language: its own words stemmed as English (the language of
the keyword index), plus the English words of the domain terms it uses in Danish, Swedish, Norwegian,
German, Dutch, French, Spanish or Kiswahili (knowledge/glossary.py).

Each language's words are matched after that language's Snowball stemmer (Kiswahili: as written), whole
phrases first ("afya ya akili", "psykisk helse"), then compounds are split once ("skolekantiner" is
"skole" + "kantiner"). A language's glossary is used only when the question reads more like that language
than like English (its stop words and glossary words outnumber the English stop words), so the English
"what kind of support" never becomes German "Kind".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np
import Stemmer

from knowledge.english_lookalikes import ENGLISH_LOOKALIKES
from knowledge.glossary import EVERYDAY_ENGLISH, EVERYDAY_WORDS, GLOSSARY
from knowledge.terms import ENGLISH_MARKERS, QUESTION_WRAPPING, STOPWORD_LISTS, STOPWORDS, terms, words

if TYPE_CHECKING:
    from knowledge.embeddings import Encoder

STEMMERS = {"da": "danish", "sv": "swedish", "nb": "norwegian", "de": "german", "nl": "dutch", "fr": "french", "es": "spanish"}
LANGUAGES = (*STEMMERS, "sw")
# Languages that write compounds as one word.
COMPOUNDING = frozenset({"da", "sv", "nb", "de", "nl"})
_SWAHILI_STOPWORDS = frozenset(
    "na ya wa za la kwa ni cha vya katika je kuna nini gani jinsi ili au lakini pia sana hii huu hizi hao yeye wao "
    "mimi sisi wewe nyinyi kama kwamba tu bila hadi kutoka ndani juu chini baada kabla kila kuhusu zaidi ambayo "
    "ambao ambapo una ana wana tuna nina mtu watu".split()
)
_STOPWORDS = {
    "da": frozenset(STOPWORD_LISTS.STOPWORDS_DANISH) | {"hvordan", "nogen", "noget", "findes", "hvad", "hvilke"},
    "sv": frozenset(STOPWORD_LISTS.STOPWORDS_SWEDISH) | {"hur", "någon", "något", "finns", "vilka"},
    "nb": frozenset(STOPWORD_LISTS.STOPWORDS_NORWEGIAN) | {"hvordan", "noen", "noe", "finnes", "hvilke"},
    "de": frozenset(STOPWORD_LISTS.STOPWORDS_GERMAN) | {"wie", "gibt", "jemand", "welche"},
    "nl": frozenset(STOPWORD_LISTS.STOPWORDS_DUTCH) | {"hoe", "iemand", "welke", "zijn"},
    "fr": frozenset(STOPWORD_LISTS.STOPWORDS_FRENCH) | {"comment", "quelqu'un", "quels", "quelles", "est-ce"},
    "es": frozenset(STOPWORD_LISTS.STOPWORDS_SPANISH) | {"cómo", "alguien", "qué", "cuáles"},
    "sw": _SWAHILI_STOPWORDS,
}
# Per language, the stop words that tell it from English and the English markers that tell English from it:
# neither holds the words both have ("for", "over", "so", "in", "was"), which are a sign of neither ("best
# laptop under 800 euros" is no Swedish).
_ENGLISH_STOPWORDS = frozenset({*STOPWORD_LISTS.STOPWORDS_EN_PLUS, *STOPWORD_LISTS.STOPWORDS_EN})
_TELLING_STOPWORDS = {
    language: (words - _ENGLISH_STOPWORDS, ENGLISH_MARKERS - words) for language, words in _STOPWORDS.items()
}
MAX_PHRASE = 4
# The everyday English words' table (`EVERYDAY_ENGLISH`), looked up like a language's glossary.
EVERYDAY = "en"
MIN_COMPOUND_PART = 4
# No compound of two glossary words is longer (the longest glossary word, "gezondheidsvaardigheden", has 23
# letters). A longer "word" (a pasted hash, one letter held down) is none, and splitting it at every letter,
# each part stemmed, takes time that grows with the square of its length: 20,000 letters held the bot up
# for a minute.
MAX_COMPOUND_CHARS = 60


@dataclass(frozen=True)
class Analysis:
    terms: list[str]  # English-stemmed keyword terms, translations included (repeats kept)
    content_words: int  # words that are not stop words (in English or the question's language)
    translated: int  # of them, how many the glossary gave English words for (a phrase counts once)
    languages: tuple[str, ...]  # the languages whose glossary was used (empty: read as English)
    # Per content word (numbers left out), the terms that stand for it: its own, or its English translations.
    groups: tuple[frozenset[str], ...] = ()
    # The question with its glossary words in English and its other content words as written ("" when the
    # glossary translated nothing): embedded too, for cross-lingual fusion (`fused_query_vector`).
    english: str = ""
    # Per group, whether the glossary gave it (else it is the question's own word).
    glossary_groups: tuple[bool, ...] = ()
    # Read as English: no glossary used, and no other language's stop words outnumber the English ones.
    # Only then is a content word the knowledge base does not hold a sign of a topic it lacks ("dental").
    reads_english: bool = True


@lru_cache(maxsize=50_000)
def stem(language: str, word: str) -> str:
    name = "english" if language == EVERYDAY else STEMMERS.get(language)
    if name:
        return _stemmer(name).stemWord(word)
    if language == "sw" and len(word) > 5 and word.endswith("ni"):  # Kiswahili locative: shuleni, hospitalini
        return word[:-2]
    return word


@lru_cache(maxsize=50_000)
def key(language: str, word: str) -> str:
    """A word as the glossary is looked up: stemmed twice, because a Snowball stem is not always stable
    ("escolares" -> "escolar" -> "escol", like "escolar" -> "escol")."""
    return stem(language, stem(language, word))


@cache
def _stemmer(name: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(name)


def _alternatives(language: str) -> Iterator[tuple[str, str]]:
    """Each of a language's glossary words and phrases as written (for EVERYDAY, the everyday English
    table's), with the English term it stands for."""
    if language == EVERYDAY:
        written_by_term = EVERYDAY_ENGLISH.items()
    else:
        written_by_term = (
            (english, written)
            for table in (GLOSSARY, EVERYDAY_WORDS)
            for english, translations in table.items()
            if (written := translations.get(language, ""))
        )
    for english, written in written_by_term:
        for alternative in written.split(","):
            yield english, alternative


@cache
def _phrases(language: str) -> dict[tuple[str, ...], str]:
    """Stemmed phrase -> the English words it stands for, for one language."""
    table: dict[tuple[str, ...], str] = {}
    for english, alternative in _alternatives(language):
        stems = tuple(key(language, w) for w in words(alternative))
        if stems:
            table[stems] = f"{table[stems]} {english}" if stems in table and english not in table[stems] else english
    return table


def stopwords(language: str) -> frozenset[str]:
    return STOPWORDS if language == "en" else _STOPWORDS[language]


def _matches(language: str, question: list[str]) -> dict[int, str]:
    """Position of each question word the language's glossary covers -> English words (once per match)."""
    table = _phrases(language)
    stems = [key(language, w) for w in question]
    covered: dict[int, str] = {}
    i = 0
    stops = stopwords(language)
    while i < len(stems):
        size, english = _phrase_at(i, stems, question, table)
        if size == 1 and question[i] in stops:  # Spanish "cómo" is no "comida", however alike their stems
            size = 0
        if size:
            covered[i] = english
            covered.update({j: "" for j in range(i + 1, i + size)})
            i += size
            continue
        # A word the glossary holds whole, as the English it stands for ("Transport"), is no compound
        # ("tran|sport").
        english = "" if (stems[i],) in table else _compound_english(language, question[i], table)
        if english:
            covered[i] = english
        i += 1
    return covered


def _compound_english(language: str, word: str, table: dict[tuple[str, ...], str]) -> str:
    """A compound's English in a language that writes compounds, unless the word is English already; else ""."""
    if language not in COMPOUNDING:
        return ""
    english = _compound(language, word, table)
    return english if english and not _same_in_english([word], english) else ""


def _phrase_at(i: int, stems: list[str], question: list[str], table: dict[tuple[str, ...], str]) -> tuple[int, str]:
    """The longest glossary phrase starting at word `i` that is not English already: (its words, its
    English), or (0, "")."""
    for size in range(min(MAX_PHRASE, len(stems) - i), 0, -1):
        english = table.get(tuple(stems[i : i + size]))
        if english is not None and not _same_in_english(question[i : i + size], english):
            return size, english
    return 0, ""


def _same_in_english(written: list[str], english: str) -> bool:
    """Whether the words are already English for what they translate to ("school", "diabetes", "region"):
    no translation, and no sign of another language."""
    # A word that only wraps a question ("help") still counts here: "home help" is no English for home care.
    own = set(terms(" ".join(written))) | {stem(EVERYDAY, w) for w in written if w in QUESTION_WRAPPING}
    return bool(own) and own <= set(terms(english))  # "A&E" (two single letters) is no English term


def _compound(language: str, word: str, table: dict[tuple[str, ...], str]) -> str:
    """English words for a compound made of one or two glossary words ("skole|kantiner",
    "Diabetes|prävention"), or ""."""
    if not 2 * MIN_COMPOUND_PART <= len(word) <= MAX_COMPOUND_CHARS:
        return ""
    best = ""
    for split in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
        left, right = word[:split], word[split:]
        head = table.get((key(language, right),))
        modifier = _compound_modifier(language, left, table)
        if head and modifier:
            return f"{modifier} {head}"
        if not best:
            best = _one_known_part(language, head, modifier, left, right)
    return best


def _one_known_part(language: str, head: str | None, modifier: str | None, left: str, right: str) -> str:
    """For a compound only half of which the glossary knows: that half's English, if it is a word of five
    letters or more whose stem keeps four or that the glossary writes so (shorter ones match by accident:
    Norwegian "mater|ialer" is no "mat", food), else ""."""
    known = right if head else left
    if not (head or modifier) or len(known) < 5:
        return ""
    if len(key(language, known)) >= MIN_COMPOUND_PART or known in _written_words(language):  # "Eltern|abend"
        return head or modifier or ""
    return ""


@cache
def _written_words(language: str) -> frozenset[str]:
    """The glossary's one-word alternatives of a language, lower-cased as written."""
    return frozenset(found[0] for _, alternative in _alternatives(language) if len(found := words(alternative)) == 1)


def _compound_modifier(language: str, left: str, table: dict[tuple[str, ...], str]) -> str | None:
    """English words for the first part of a compound, with or without its linking "s" or "e"."""
    return table.get((key(language, left),)) or (
        table.get((key(language, left[:-1]),)) if left[-1] in "se" and len(left) > MIN_COMPOUND_PART else None
    )


@cache
def other_languages_words() -> frozenset[str]:
    """Every word the glossary writes in another supported language ("salud" of "salud mental", "helse"),
    lower-cased: a word of another language, not a slip of an English one (knowledge.spelling)."""
    return frozenset(word for language in LANGUAGES for _, alternative in _alternatives(language) for word in words(alternative))


# Every supported language's stop words (English's: `STOPWORDS`).
ALL_STOPWORDS = STOPWORDS.union(*_STOPWORDS.values())


def has_topic(text: str) -> bool:
    """Whether a question has a word to search by (`analyse(text).content_words`), known at once when one
    of its words is a stop word of no supported language: the event loop asks this of every search, and a
    long paste read through there would hold up every other member's messages."""
    if any(len(word) >= 2 and word.isalpha() and word not in ALL_STOPWORDS for word in words(text)):
        return True
    return analyse(text).content_words > 0


# One search reads its question three times (the no-topic check, the search itself, the "why" words of its
# results): analysed once. The Analysis is shared between them, so nothing may change it.
@lru_cache(maxsize=256)
def analyse(text: str) -> Analysis:
    question = words(text)
    everyday_english = _matches(EVERYDAY, question)
    stop_words = {language: _stop_words(question, language) for language in LANGUAGES}
    candidates = _languages_read(question, stop_words, everyday_english)
    used = tuple(language for language, _ in candidates)
    reading = _Reading()
    translations = _translations_by_position(candidates)
    like = _languages_like(stop_words)
    # Everyday English ("kids", "A&E") in a question read as English: in another language the same letters
    # are other words (Danish "med", Dutch "tablet").
    everyday = everyday_english if not used and not like else {}
    stops = STOPWORDS.union(*(_STOPWORDS[language] for language in {*used, *like}))
    for position, word in enumerate(question):
        reading.add(position, word, translations, everyday, stops)
    return Analysis(
        reading.all_terms(), len(reading.groups),
        reading.translated, used, tuple(reading.groups), _english_rendering(reading, used, question),
        tuple(reading.from_glossary), reads_english=not used and not like,
    )


def _stop_words(question: list[str], language: str) -> tuple[int, int]:
    """How many of the question's words are stop words of `language` and how many English markers, leaving
    out those both share ("for", "over", "in"): a sign of neither."""
    own, english = _TELLING_STOPWORDS[language]
    return sum(w in own for w in question), sum(w in english for w in question)


def _languages_read(
    question: list[str], stop_words: dict[str, tuple[int, int]], everyday_english: dict[int, str]
) -> list[tuple[str, dict[int, str]]]:
    """Each language the question reads more like than like English, with the words its glossary covers:
    its stop words and glossary words outnumber the English stop words. A word the everyday English table
    knows ("senior", "teenager") is no sign of another language, however alike it stems there (German
    "Senioren", Danish "teenagere"), and neither is a common English word the language's glossary happens to
    cover ("fast", "time", "transport": `ENGLISH_LOOKALIKES`)."""
    candidates = []
    for language in LANGUAGES:
        covered = _matches(language, question)
        own_stops, english_stops = stop_words[language]
        lookalikes = ENGLISH_LOOKALIKES.get(language, frozenset())
        foreign = sum(
            1 for position in covered if position not in everyday_english and question[position] not in lookalikes
        )
        if covered and own_stops + foreign > english_stops:
            candidates.append((language, covered))
    return candidates


def _translations_by_position(candidates: list[tuple[str, dict[int, str]]]) -> dict[int, list[str]]:
    by_position: dict[int, list[str]] = {}
    for _, covered in candidates:
        for position, english in covered.items():
            by_position.setdefault(position, []).append(english)
    return by_position


def _languages_like(stop_words: dict[str, tuple[int, int]]) -> set[str]:
    """The languages whose stop words the question uses most, and more than English ones: their stop
    words are stop words too, with those of English and of the glossaries used ("og det er" is all stop
    words)."""
    most = max((own for own, _ in stop_words.values()), default=0)
    return {language for language, (own, english) in stop_words.items() if own == most and own > english}


@dataclass
class _Reading:
    """A question read word by word: its own terms, the English terms of its glossary words, and per
    content word the terms that stand for it."""

    terms: list[str] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    groups: list[frozenset[str]] = field(default_factory=list)
    english: list[str] = field(default_factory=list)  # the question in English, word by word
    from_glossary: list[bool] = field(default_factory=list)  # per group: the glossary's, or the question's own
    translated: int = 0

    def add(
        self, position: int, word: str, translations: dict[int, list[str]], everyday: dict[int, str], stops: frozenset[str]
    ) -> None:
        """One word of the question: its translation where a glossary phrase starts, its own terms and the
        domain's where an everyday English phrase does, else its own terms unless it is a stop word or a
        single letter."""
        if position in translations:  # the first word of a glossary phrase carries its translation
            self.add_translated(translations[position])
        elif position in everyday:
            self.add_everyday(word, everyday[position], stops)
        elif word not in stops and len(word) >= 2:
            self.add_own(word)

    def all_terms(self) -> list[str]:
        """The question's own terms, then the English terms of its glossary words that it does not use itself."""
        return [*self.terms, *(t for t in self.expansions if t not in self.terms)]

    def add_translated(self, translations: list[str]) -> None:
        group = [t for english in translations for t in terms(english)]
        self.expansions.extend(t for t in group if t not in self.expansions)
        if group:
            self.groups.append(frozenset(group))
            self.from_glossary.append(True)
            self.english.append(translations[0])
            self.translated += 1

    def add_everyday(self, word: str, english: str, stops: frozenset[str]) -> None:
        """A word of an everyday English phrase: its own terms (the passages may use it too) and, at the
        phrase's first word, the domain's terms, all in one group: "kids" is held by a passage about
        children. Not a translation: the question is still read as English."""
        own = terms(word) if word not in stops and len(word) >= 2 else []
        self.terms.extend(own)
        if not english:  # a later word of the phrase joins its group
            if own and self.groups:
                self.groups[-1] = self.groups[-1] | frozenset(own)
            return
        domain = terms(english)
        self.expansions.extend(t for t in domain if t not in self.expansions)
        self.groups.append(frozenset([*own, *domain]))
        self.from_glossary.append(True)
        self.english.append(word)

    def add_own(self, word: str) -> None:
        own = terms(word)
        self.terms.extend(own)
        self.english.append(word)
        if own and not word.isdigit():  # a number alone says nothing about a topic
            self.groups.append(frozenset(own))
            self.from_glossary.append(False)


def _english_rendering(reading: _Reading, used: tuple[str, ...], question: list[str]) -> str:
    in_english = " ".join(reading.english) if reading.translated and used else ""
    if in_english and set(words(in_english)) <= set(question):  # nothing actually translated ("school")
        return ""
    return in_english


def fused_query_vector(encoder: Encoder, vector: np.ndarray, other: str) -> np.ndarray:
    """Fusion: for a question read a second way (`other`: its English rendering, `Analysis.english`, or
    the question with its typing slips corrected, knowledge.spelling), the mean of its own vector and that
    of the other reading, as a unit vector; otherwise its own. A Kiswahili or Danish question then also
    lands near the passages its English words would, and "obesitty" near those on obesity. Call on the
    model's thread."""
    if not other:
        return vector
    mixed = np.asarray(vector, dtype=np.float32) + np.asarray(encoder.encode_query(other), dtype=np.float32)
    norm = float(np.linalg.norm(mixed))
    return mixed / norm if norm else vector


def query_terms(text: str) -> list[str]:
    """The keyword terms to search a question with (see `analyse`)."""
    return analyse(text).terms
