"""Keyword terms for BM25 and for the "why this match" line: lower-cased words, English stop words
removed, Snowball-stemmed ("schools" and "school" are one term)."""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import Stemmer


def _stopword_lists() -> ModuleType:
    """bm25s's stop-word lists (`STOPWORDS_EN`, `STOPWORDS_GERMAN`, ...), read from its module file without
    importing the bm25s package, whose own import loads SciPy (0.2 s at every start; nothing here uses
    either: the keyword index is knowledge/bm25.py)."""
    loaded = sys.modules.get("bm25s.stopwords")
    if loaded is not None:
        return loaded
    package = importlib.util.find_spec("bm25s")
    if package is None or not package.submodule_search_locations:
        raise ImportError("bm25s is not installed")
    path = Path(next(iter(package.submodule_search_locations))) / "stopwords.py"
    spec = importlib.util.spec_from_file_location("knowledge._bm25s_stopwords", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STOPWORD_LISTS = _stopword_lists()
STOPWORDS_EN = STOPWORD_LISTS.STOPWORDS_EN

# A word as written: letters and digits, joined by an apostrophe or a hyphen ("children's", "GLP-1").
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
# Question words that say nothing about the topic, English enough to tell the language by too.
QUESTION_WORDS = frozenset({"find", "anyone", "someone", "looking", "know", "knows"})
# Words a question is wrapped in that say nothing about its topic ("could you please show me anything on").
QUESTION_WRAPPING = QUESTION_WORDS | frozenset(
    "please could would might must shall also anything something everything anybody somebody everyone hi "
    "hello hey thanks thank tell show let us look ever really actually maybe perhaps among within without "
    "across via upon yet still even much many near need needs needed want wants like get got etc help".split()
)
_OTHER_LANGUAGES = ("DANISH", "SWEDISH", "NORWEGIAN", "GERMAN", "DUTCH", "FRENCH", "SPANISH")
_OTHER_LANGUAGES_STOPWORDS = frozenset().union(
    *(getattr(STOPWORD_LISTS, f"STOPWORDS_{name}") for name in _OTHER_LANGUAGES)
)
# Counted to tell an English question from one in another language (knowledge.language): the short list,
# and those of the long list that are no stop word of another supported language ("how", "do", "my", but
# not "i", "over", "was" or "will", which are Danish, Dutch or German words too).
ENGLISH_MARKERS = (
    frozenset(STOPWORDS_EN) | QUESTION_WORDS
    | (frozenset(STOPWORD_LISTS.STOPWORDS_EN_PLUS) - _OTHER_LANGUAGES_STOPWORDS)
)
# Left out of keyword terms and of the "why this match" words: NLTK's English list (bm25s's
# STOPWORDS_EN_PLUS: "how", "do", "my", "can", "about"...) and the wrapping; with only the short list,
# "how do I reset my email password" matched passages on "how" and "do", and every expert profile's
# "Can help with" heading on "can" (and, until "help" was wrapping too, on "help": "help me find obesity
# pilots" listed five experts first).
# A stop word's contractions are stop words too: "what's" stems to "what", and "what's the weather" had
# matched passages on it ("shared terms: What's").
_CONTRACTED = ("'s", "'re", "'m", "'ll", "'ve", "'d")
_BASE_STOPWORDS = frozenset(STOPWORD_LISTS.STOPWORDS_EN_PLUS) | ENGLISH_MARKERS | QUESTION_WRAPPING
STOPWORDS = _BASE_STOPWORDS | {word + ending for word in _BASE_STOPWORDS if word.isalpha() for ending in _CONTRACTED}
_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    return _stemmer.stemWord(word)


def words(text: str) -> list[str]:
    return [w.lower().replace("’", "'") for w in WORD.findall(text)]


def terms(text: str) -> list[str]:
    """The stemmed, stop-word-free terms of `text`, in order (repeats kept: BM25 counts them). A hyphenated
    word is a term and so is each of its parts: "plate waste" finds "plate-waste", "GLP-1" finds "GLP 1"."""
    found = []
    for word in words(text):
        if word not in STOPWORDS and len(word) > 1:
            found.append(_stem(word))
            if "-" in word:
                found.extend(_stem(part) for part in word.split("-") if part not in STOPWORDS and len(part) > 1)
    return found


def shared_words(query: str | set[str], passage: str, *, limit: int = 5) -> list[str]:
    """Words of `passage` (as written there) whose term also occurs in `query` (text, or its terms as a
    set), first occurrences first."""
    wanted = query if isinstance(query, set) else set(terms(query))
    # A word's stem begins with the word's own first two letters (stemming changes endings), so most words
    # are passed over without being stemmed: this runs for every result of every search.
    beginnings = {term[:2] for term in wanted}
    found: dict[str, int] = {}  # term -> the position of its first word
    lowered_words = WORD.findall(passage.lower())
    for position, lowered in enumerate(lowered_words):
        if lowered[:2] not in beginnings or lowered in STOPWORDS or len(lowered) < 2:
            continue
        term = _stem(lowered)
        if term in wanted and term not in found:
            found[term] = position
            if len(found) >= limit:
                break
    if not found:
        return []
    written = WORD.findall(passage)
    if len(written) != len(lowered_words):  # lower-casing changed how the text splits (rare letters)
        written = lowered_words
    return [written[position] for position in found.values()]
