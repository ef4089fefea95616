"""The keyword index's BM25 scores are bm25s's, to the bit, on the demo knowledge base's passages."""

from __future__ import annotations

from types import SimpleNamespace

import bm25s
import numpy as np
import pytest

from knowledge.bm25 import KeywordIndex
from knowledge.shipped import demo_texts
from knowledge.terms import terms


def _reference(chunk_term_ids: list[list[int]], vocabulary_size: int) -> bm25s.BM25:
    corpus = SimpleNamespace(ids=chunk_term_ids, vocab={i: i for i in range(vocabulary_size)})
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False, create_empty_token=False)
    return retriever


def _flat(chunk_term_ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    flat = np.array([t for chunk in chunk_term_ids for t in chunk], dtype=np.int32)
    return flat, np.array([len(chunk) for chunk in chunk_term_ids], dtype=np.int32)


def _demo_chunks() -> tuple[list[list[int]], int]:
    vocabulary: dict[str, int] = {}
    chunks = []
    for text in demo_texts():
        chunks.append([vocabulary.setdefault(term, len(vocabulary)) for term in terms(text)])
    return chunks, len(vocabulary)


@pytest.fixture(scope="module")
def demo() -> tuple[list[list[int]], int]:
    return _demo_chunks()


def test_scores_match_bm25s_on_the_demo(demo):
    chunks, vocabulary_size = demo
    assert len(chunks) > 300
    ours = KeywordIndex(*_flat(chunks), vocabulary_size)
    theirs = _reference(chunks, vocabulary_size)
    assert np.array_equal(ours.indptr, theirs.scores["indptr"])
    rng = np.random.default_rng(5)
    for size in (1, 2, 3, 5, 8):
        for _ in range(40):
            ids = sorted(set(rng.integers(0, vocabulary_size, size=size).tolist()))
            expected = theirs.get_scores_from_ids(ids)
            got = ours.scores(ids)
            assert got.dtype == np.float32
            assert np.array_equal(got, expected), ids


def test_frequencies_repeats_and_empty_passages():
    chunks = [[0, 1, 1, 1], [], [2], [1, 2, 2, 0, 0], [3]]
    ours = KeywordIndex(*_flat(chunks), 5)  # term 4 occurs nowhere
    theirs = _reference(chunks, 5)
    assert [ours.frequency(t) for t in range(6)] == [2, 2, 2, 1, 0, 0]
    for ids in ([0], [1], [2, 3], [0, 1, 2, 3], [4], [0, 4]):
        assert np.array_equal(ours.scores(ids), theirs.get_scores_from_ids(ids)), ids
    assert not ours.scores([4]).any()
