"""Questions that ask "who": answered with people (`experts`), on the topic after the words that ask."""

from __future__ import annotations

from knowledge.language import ALL_STOPWORDS
from knowledge.terms import QUESTION_WRAPPING

# "Who" as a question's first word, in the languages members ask in (not Dutch "wie", German "how").
WHO_WORDS = frozenset({"who", "whom", "who's", "whos", "hvem", "vem", "wer", "qui", "quién", "quien"})
# What stands between "who" and the topic ("who knows about", "hvem arbejder med", "who has experience with").
WHO_FILLER = WHO_WORDS | ALL_STOPWORDS | QUESTION_WRAPPING | frozenset(
    "work works working worked experience experienced expertise expert experts knowledge "
    "ved arbejder vet arbetar jobber weiß kennt arbeitet sait connaît travaille sabe conoce trabaja".split()
)


def who_asks_about(question: str) -> str:
    """The topic of a question asking who: "who knows about GLP-1?" asks for people on "GLP-1". The answer's
    heading and an introduction's reason quote it; the words before it say nothing the search reads."""
    words = question.split()
    start = 0
    while start < len(words) - 1 and bare_word(words[start]) in WHO_FILLER:
        start += 1
    return " ".join(words[start:]).rstrip("?!.").strip() or question


def bare_word(word: str) -> str:
    """A word as a question's first word is compared: case-folded, without the punctuation around it."""
    return word.casefold().replace("’", "'").strip(",.:;!?¿¡")
