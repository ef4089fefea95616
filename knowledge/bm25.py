"""BM25 keyword scores over the index's passages, computed with numpy alone.

The same scores, to the bit, as bm25s's `BM25()` (Lucene variant: k1 1.5, b 0.75, float32) built from
term ids, which this replaces: importing bm25s imports SciPy (0.2 s or more at every start, though its
numpy path never uses it), and its index build walks every passage in Python (a second or more at 100k
passages; this takes milliseconds). tests/test_knowledge_search.py checks the scores against bm25s's.

Stored as bm25s stores it: for each term, the passages containing it and the term's score in each
(compressed sparse columns), so that scoring a question adds a few columns.
"""

from __future__ import annotations

import math

import numpy as np

K1 = 1.5
B = 0.75


class KeywordIndex:
    """Per term (column), its passages (`indices`, ascending) and BM25 score in each (`data`)."""

    def __init__(self, flat_term_ids: np.ndarray, counts: np.ndarray, vocabulary_size: int) -> None:
        """`flat_term_ids`: every passage's term ids one after the other (repeats counted); `counts`: how
        many belong to each passage."""
        passages = len(counts)
        self.num_docs = passages
        lengths = counts.astype(np.int64)
        owner = np.repeat(np.arange(passages, dtype=np.int64), lengths)
        # One entry per (term, passage) with the term's count there, ordered by term then passage: the
        # columns, each with its passages ascending, from one sort.
        width = max(passages, 1)
        pairs, tf = np.unique(flat_term_ids.astype(np.int64) * width + owner, return_counts=True)
        pair_term = pairs // width
        pair_passage = pairs - pair_term * width
        frequencies = np.bincount(pair_term, minlength=vocabulary_size)
        # Inverse document frequency per distinct frequency, in Python floats as bm25s computes it.
        distinct, where = np.unique(frequencies, return_inverse=True)
        term_idf = np.array(
            [math.log(1 + (passages - df + 0.5) / (df + 0.5)) for df in distinct.tolist()], dtype=np.float32
        )[where]
        average_length = lengths.mean() if passages else 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            length_norm = K1 * ((1 - B) + B * lengths.astype(np.float64) / average_length)
        tf = tf.astype(np.float32).astype(np.float64)
        self.data = (term_idf[pair_term].astype(np.float64) * (tf / (length_norm[pair_passage] + tf))).astype(np.float32)
        self.indices = pair_passage.astype(np.int32)
        self.indptr = np.zeros(vocabulary_size + 1, dtype=np.int64)
        np.cumsum(frequencies, out=self.indptr[1:])

    def scores(self, term_ids: list[int]) -> np.ndarray:
        """Every passage's BM25 score for the (distinct, known) term ids, summed in the order given."""
        scores = np.zeros(self.num_docs, dtype=np.float32)
        for term_id in term_ids:
            start, end = self.indptr[term_id], self.indptr[term_id + 1]
            scores[self.indices[start:end]] += self.data[start:end]  # a passage appears once per term
        return scores

    def frequency(self, term_id: int) -> int:
        """How many passages contain the term."""
        if term_id + 1 >= len(self.indptr):
            return 0
        return int(self.indptr[term_id + 1] - self.indptr[term_id])
