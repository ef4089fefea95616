"""Typing slips in a question, and how a question is read for a search.

A word that neither the knowledge base nor an English dictionary holds, one edit away from a word the
knowledge base does hold (a letter left out, added, changed, two letters swapped, or a hyphen added), is
searched as that word: "obesitty", "shcool meals", "helth literacy", "GLP1". Without it, a member's typo
found only what the language model made of it, and the answer said nothing matched well.

Only a question read as English is corrected: the glossary reads the domain's words in other languages, and
their other words are no slips of English ones. Only words of five letters or more are corrected (a shorter
one is one edit from too many others), or words with a digit ("GLP1", "covid19"); never a word the
dictionary knows: "dental" is no slip of "rental", whatever the knowledge base holds, and a question about
dental care must still be told that nothing matches it. Nor a word the glossary writes in another language
("salud"), and a slip keeps its first letter ("vaping", which the dictionary lacks, is no "taping").
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from knowledge.language import ALL_STOPWORDS, Analysis, analyse, other_languages_words
from knowledge.terms import WORD, terms

MIN_LETTERS = 5
_LETTERS = string.ascii_lowercase


@dataclass(frozen=True)
class Reading:
    """A question as a search reads it."""

    analysis: Analysis  # its keyword terms (of the question with its slips corrected, when it had any)
    # Text embedded besides the question and fused with it (knowledge.language.fused_query_vector): its
    # English rendering when the glossary translated it, the corrected question when it had slips, else "".
    other: str
    corrected: str  # the question with its slips corrected; "" when it had none


def read_question(text: str, passages_holding: Callable[[str], int]) -> Reading:
    """How a search reads `text`: its language analysis, with its typing slips corrected against the terms
    the knowledge base holds (`passages_holding(term)`: in how many passages it occurs)."""
    analysis = analyse(text)
    corrected = spelled_out(text, passages_holding) if analysis.reads_english else ""
    if corrected:
        return Reading(analyse(corrected), corrected, corrected)
    return Reading(analysis, analysis.english, "")


def spelled_out(text: str, passages_holding: Callable[[str], int]) -> str:
    """`text` with each typing slip replaced by the word the knowledge base holds; "" when it has none, or
    when it has a word that is neither known nor a slip (then it may well be in another language: Spanish
    "implantes dentales" is no slip of "implants mentales")."""
    corrections: dict[str, str] = {}
    for written in {match.group(0).lower() for match in WORD.finditer(text)}:
        known, correction = _reading_of(written, passages_holding)
        if correction is not None:
            corrections[written] = correction
        elif not known:
            return ""
    if not corrections:
        return ""
    def replaced(match: re.Match[str]) -> str:
        written = match.group(0)
        correction = corrections.get(written.lower())
        return _cased_like(written, correction) if correction is not None else written

    return WORD.sub(replaced, text)


def _reading_of(word: str, passages_holding: Callable[[str], int]) -> tuple[bool, str | None]:
    """Whether `word` is known (to the knowledge base or the dictionary, or too short or common to judge),
    and the word it is a slip of, if it is one."""
    has_digit = any(c.isdigit() for c in word)
    if not any(c.isalpha() for c in word) or word in ALL_STOPWORDS:
        return True, None
    if len(word) < MIN_LETTERS and not (has_digit and len(word) >= 3):
        return True, None
    own = terms(word)
    if not own or any(passages_holding(term) for term in own):
        return True, None
    if not word.isascii():  # "blyrør", "drikkevandet": another language's word, not an English slip
        return False, None
    if word in english_words():  # looked up late: the dictionary loads at the first unknown word
        return True, None
    if word in other_languages_words():  # "salud" (of "salud mental"), "helse": no slip of "salad", "helpe"
        return False, None
    return False, _correction(word, passages_holding)


def _correction(word: str, passages_holding: Callable[[str], int]) -> str | None:
    """The word the knowledge base holds that `word` is most likely a slip of, or None."""
    best: tuple[bool, int, int, str] | None = None
    for candidate in sorted(one_edit(word)):  # sorted: the same answer in every process
        if candidate in ALL_STOPWORDS or not WORD.fullmatch(candidate):
            continue
        candidate_terms = terms(candidate)  # the word's own term first (then a hyphenated word's parts)
        if not candidate_terms or (len(candidate_terms) > 1 and "-" not in candidate):
            continue
        held = passages_holding(candidate_terms[0])
        if held:
            # A dictionary word first ("obesity" over a rarer spelling), then the commoner in the knowledge base,
            # then the one keeping every letter typed ("GLP1" is "GLP-1" rather than "GLP").
            ranked = (candidate in english_words(), held, len(candidate), candidate)
            if best is None or ranked[:3] > best[:3]:
                best = ranked
    return best[3] if best is not None else None


def one_edit(word: str) -> set[str]:
    """Every string one edit from `word` that keeps its first letter (a slip seldom changes it: "vaping" is no
    "taping"): a letter left out, two neighbours swapped (the first two too), a letter changed or added (the
    word's own letters and a to z), or a hyphen added between two characters."""
    letters = _LETTERS + "".join(sorted({c for c in word if c.isalpha() and c not in _LETTERS}))
    splits = [(word[:i], word[i:]) for i in range(1, len(word) + 1)]
    edits = {left + right[1:] for left, right in splits if right}
    edits |= {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    edits.add(word[1::-1] + word[2:])  # the first two letters swapped ("ohsity" for "hosity")
    edits |= {left + c + right[1:] for left, right in splits if right for c in letters}
    edits |= {left + c + right for left, right in splits for c in letters}
    edits |= {left + "-" + right for left, right in splits if left and right}
    edits.discard(word)
    return edits


@cache
def english_words() -> frozenset[str]:
    """English words, lower-cased (pyspellchecker's dictionary, about 160,000 words): loaded once, at the
    first question with a word the knowledge base does not hold (about 0.1 s and 17 MB)."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.keys())


def _cased_like(written: str, word: str) -> str:
    if written.isupper():
        return word.upper()
    if written[:1].isupper():
        return word[:1].upper() + word[1:]
    return word
