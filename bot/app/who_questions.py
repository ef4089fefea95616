"""Questions that ask "who": answered with people (`experts`), on the topic after the words that ask."""

from __future__ import annotations

from knowledge.language import ALL_STOPWORDS
from knowledge.terms import QUESTION_WRAPPING

# "Who" as a question's first word, in the languages members ask in.
WHO_WORDS = frozenset({"who", "whom", "who's", "whos", "hvem", "vem", "wer", "qui", "quién", "quien", "nani"})
# Dutch "wie" is German "how" too: it asks who only before a Dutch verb ("wie weet", "wie werkt").
DUTCH_WHO_VERBS = frozenset("weet weten kent kennen heeft hebben werkt werken kan kunnen doet doen is zijn".split())
# What stands between "who" and the topic ("who knows about", "hvem arbejder med", "who has experience with").
WHO_FILLER = WHO_WORDS | DUTCH_WHO_VERBS | {"wie"} | ALL_STOPWORDS | QUESTION_WRAPPING | frozenset(
    "work works working worked experience experienced expertise expert experts knowledge "
    "ved arbejder vet arbetar jobber weiß kennt arbeitet sait connaît travaille sabe conoce trabaja "
    "anajua anafanya ana kazi".split()
)


def asks_who(question: str) -> bool:
    """Whether a question asks who: its first word is "who" in a language members ask in, not the WHO (the
    World Health Organization, in capitals: "WHO guidelines")."""
    words = question.split()
    if not words or (words[0].strip(",.:;!?¿¡").isupper() and len(words[0].strip(",.:;!?¿¡")) > 1):
        return False
    first = bare_word(words[0])
    return first in WHO_WORDS or (first == "wie" and len(words) > 1 and bare_word(words[1]) in DUTCH_WHO_VERBS)


def who_asks_about(question: str) -> str:
    """The topic of a question asking who: "who knows about GLP-1?" asks for people on "GLP-1". The answer's
    heading and an introduction's reason quote it; the words before it say nothing the search reads."""
    words = question.split()
    start, end = 0, len(words)
    while start < end - 1 and bare_word(words[start]) in WHO_FILLER:
        start += 1
    while end - 1 > start and bare_word(words[end - 1]) in WHO_FILLER:  # "wer kennt sich mit … aus"
        end -= 1
    return " ".join(words[start:end]).rstrip("?!.").strip() or question


def bare_word(word: str) -> str:
    """A word as a question's first word is compared: case-folded, without the punctuation around it."""
    return word.casefold().replace("’", "'").strip(",.:;!?¿¡")
