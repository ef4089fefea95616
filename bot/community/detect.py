"""What a question to the community is about and which language it is in, from its words alone.

Both are hints shown with the question (and used to tell members whose expertise matches), never
decisions: a theme is detected when one of its keywords occurs, and a language when enough of the
question's words are that language's common function words. Anything unclear is left unknown.
"""

from __future__ import annotations

import re

from config.vocabulary import THEMES
from knowledge.language import analyse

# Word stems, matched at the start of a word (lower case), in the partnership's languages.
THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "obesity": (
        "obes", "overweight", "weight", "bmi", "sugar", "snack", "school food", "school meal", "diet", "nutrition",
        "physical activit", "fedme", "overvægt", "övervikt", "fetma", "overvekt", "übergewicht", "adipositas",
        "overgewicht", "obésité", "obesidad", "unene",
    ),
    "mental_health": (
        "mental", "depress", "anxiety", "lonel", "wellbeing", "well-being", "stress", "suicid", "psychiatr",
        "burnout", "psykisk", "ensom", "ensam", "psykisk", "psychisch", "einsam", "santé mentale", "salud mental",
        "afya ya akili",
    ),
    "health_innovation": (
        "digital", "innovat", "app ", "apps", "telehealth", "telemedic", "remote monitor", "ai ", "artificial",
        "sensor", "platform", "procurement", "startup", "sme", "velfærdsteknolog", "välfärdsteknik",
    ),
    "equity": (
        "equity", "inequal", "inequit", "deprived", "disadvantaged", "low-income", "low income", "migrant",
        "refugee", "minority", "minorities", "vulnerable", "ulighed", "ojämlik", "ulikhet", "ungleichheit",
        "ongelijkheid", "inégalit", "desigualdad", "usawa",
    ),
    "health_literacy": (
        "literacy", "health information", "plain language", "understand", "sundhedskompetence", "hälsokompetens",
        "gesundheitskompetenz", "gezondheidsvaardig", "littératie", "alfabetización",
    ),
}

# Common function words of each language: a question is in the language most of them belong to.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and of to in is for how what who with on are do does can we our has have any which about from this "
        "that there their when where why should would could anyone someone".split()
    ),
    "da": frozenset("og i at er det en til på med af hvordan hvad der har vi kan som ikke for om de jeg blandt nogle efter vores".split()),
    "sv": frozenset("och i att är det en till på med av hur vad som har vi kan inte för om de jag finns".split()),
    "nb": frozenset("og i at er det en til på med av hvordan hva som har vi kan ikke for om de jeg finnes blant noen etter våre".split()),
    "de": frozenset("und der die das ist in zu mit von wie was wir für auf nicht ein eine haben gibt es".split()),
    "nl": frozenset("en de het een van in is op te met hoe wat wij voor niet zijn er heeft hebben".split()),
    "fr": frozenset("et le la les des un une de du est pour comment que qui avec dans sur nous pas ont".split()),
    "es": frozenset("y el la los las de del un una es para cómo como que con en por nosotros hay tiene".split()),
    "sw": frozenset("na ya wa kwa ni katika za jinsi gani nini sisi hii kuna la cha vya mtu watu".split()),
}
LANGUAGE_NAMES = {
    "en": "English", "da": "Danish", "sv": "Swedish", "nb": "Norwegian", "de": "German", "nl": "Dutch",
    "fr": "French", "es": "Spanish", "sw": "Kiswahili",
}
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def detect_themes(text: str) -> list[str]:
    """The themes whose keywords occur in `text`, in the vocabulary's order."""
    lowered = " " + " ".join(text.lower().split()) + " "
    found = []
    for theme in THEMES:
        for keyword in THEME_KEYWORDS.get(theme, ()):
            if re.search(r"(?<![^\W_])" + re.escape(keyword), lowered):
                found.append(theme)
                break
    return found


def detect_language(text: str) -> str | None:
    """The language code whose function words the text uses most (at least two of them, and more than
    any other language); None when it cannot tell."""
    words = _WORD.findall(text.lower())
    if not words:
        return None
    scores = {code: sum(word in vocabulary for word in words) for code, vocabulary in FUNCTION_WORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    best, score = ranked[0]
    if score >= 2 and score > ranked[1][1]:  # Danish and Norwegian share most: a word of their own decides
        return best
    # Few function words: the domain words the glossary reads in one language ("skolemad"), or a question
    # read as English with an English function word of its own ("…question about school canteen budgets").
    analysis = analyse(text)
    if len(analysis.languages) == 1:
        return analysis.languages[0]
    if analysis.reads_english and scores.get("en", 0) >= 1 and score == scores["en"] and score > ranked[1][1]:
        return "en"
    return None


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", "unknown")
