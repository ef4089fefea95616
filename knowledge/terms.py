"""Keyword terms for BM25 and for the "why this match" line: lower-cased words, English stop words
removed, Snowball-stemmed ("schools" and "school" are one term)."""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
# Question words that say nothing about the topic are dropped too.
STOPWORDS = frozenset(STOPWORDS_EN) | {"find", "anyone", "someone", "looking", "know", "knows"}
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def terms(text: str) -> list[str]:
    """The stemmed, stop-word-free terms of `text`, in order (repeats kept: BM25 counts them)."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def shared_words(query: str | set[str], passage: str, *, limit: int = 5) -> list[str]:
    """Words of `passage` (as written there) whose term also occurs in `query` (text, or its terms as a
    set), first occurrences first."""
    wanted = query if isinstance(query, set) else set(terms(query))
    found: dict[str, str] = {}
    for match in _WORD.finditer(passage):
        word = match.group(0)
        lowered = word.lower()
        if lowered in STOPWORDS or len(lowered) < 2:
            continue
        term = _stem(lowered)
        if term in wanted and term not in found:
            found[term] = word
            if len(found) >= limit:
                break
    return list(found.values())
