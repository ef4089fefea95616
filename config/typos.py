"""Typos: how far apart two words are, and how far a typed word may be from a name to be called a typo of it.

Most misspellings are one edit away from the word meant: one letter left out, added, changed, or two
neighbours swapped (Damerau's count of spelling errors put over 80% there). So a word is taken for a typo of a
name one edit away, two for a long word (10 letters or more, where a second slip is as likely as the first),
and a word under 4 letters for a typo of nothing, since too many names and codes are that close to it. "Denmak",
"Swedn" and "Norwey" are each one edit from a country; "Narnia" is two from the nearest ("Dania") and three from
"Armenia", so nothing is suggested.
"""

from __future__ import annotations

from collections.abc import Iterable

MIN_TYPO_CHARS = 4
LONG_WORD_CHARS = 10


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def typo_allowance(word: str) -> int:
    """How many edits away from a name `word` may be and still be taken for a typo of it."""
    if len(word) < MIN_TYPO_CHARS:
        return 0
    return 2 if len(word) >= LONG_WORD_CHARS else 1


def typos_of(word: str, names: Iterable[str]) -> list[str]:
    """The names `word` is a typo of (within its allowance; not the word itself), closest first."""
    allowance = typo_allowance(word)
    if allowance == 0:
        return []
    scored = []
    for name in names:
        if name != word and abs(len(name) - len(word)) <= allowance:  # more edits than that, whatever they are
            distance = edit_distance(word, name)
            if distance <= allowance:
                scored.append((distance, name))
    return [name for _, name in sorted(scored)]
