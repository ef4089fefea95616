"""How a search's two sides, meaning (dense cosines) and keywords (BM25), become one score per document,
and the best documents by it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fusion:
    """How dense and keyword scores become one.

    `convex` (shipped): alpha * cosine + (1 - alpha) * BM25 / best BM25 among the candidate documents.
    `rrf`: reciprocal rank fusion, 1 / (k + rank) summed over both lists. `dense` and `bm25` use one side
    only (benchmarks compare them). Chosen on the development set as a whole, never per query.
    """

    method: str = "convex"
    # Chosen on the demo development sets (bench/retrieval.py --sweep) for both bundled models: with the
    # dense side rescaled (below), 0.6 keeps MiniLM's 0.922 nDCG@10 on demo-beir (its best, as alpha 0.7
    # was without rescaling) and gives multilingual-e5-small its best English and cross-lingual figures.
    alpha: float = 0.6
    rrf_k: float = 60.0
    # `convex`: the dense side is rescaled to [0, 1] over the candidate documents (best 1, worst 0), as the
    # keyword side is relative to its best. Models differ in their cosine range: multilingual-e5 puts
    # nearly every pair between 0.75 and 0.9, so raw cosines would leave the ranking to the keywords.
    rescale_dense: bool = True
    # `convex`: the keyword side counts in proportion to the share of the question's terms that occur in
    # the knowledge base. A question in another language than the passages (the keyword index stems
    # English) shares few terms, and BM25 over one accidental match (a name, "VR") would otherwise weigh
    # as much as a full keyword match and push the right, meaning-matched documents down.
    scale_keywords_by_known_terms: bool = True


SHIPPED_FUSION = Fusion()


def rrf(dense_doc: np.ndarray, keyword_doc: np.ndarray, mask: np.ndarray, k: float) -> np.ndarray:
    fused = np.zeros(len(dense_doc), dtype=np.float64)
    for scores, only_positive in ((dense_doc, False), (keyword_doc, True)):
        candidates = np.flatnonzero(mask & (scores > 0)) if only_positive else np.flatnonzero(mask)
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        fused[order] += 1.0 / (k + np.arange(1, len(order) + 1))
    return fused


@dataclass(frozen=True, slots=True)
class Scales:
    """How `convex` fusion puts the two sides on one scale: dense (cosine - floor) * dense_scale, keyword
    BM25 * keyword_scale."""

    dense_floor: float
    dense_scale: float
    keyword_scale: float

    @classmethod
    def of(
        cls, fusion: Fusion, dense_doc: np.ndarray, keyword_doc: np.ndarray, mask: np.ndarray, vectorless: np.ndarray,
        known_share: float,
    ) -> Scales:
        best_keyword = float(keyword_doc[mask].max())
        keyword_scale = 1.0 / best_keyword if best_keyword > 0 else 0.0
        if fusion.scale_keywords_by_known_terms:
            keyword_scale *= known_share
        with_vectors = mask & ~vectorless
        dense_floor, dense_scale = 0.0, 1.0
        if fusion.rescale_dense and with_vectors.any():
            lowest, highest = float(dense_doc[with_vectors].min()), float(dense_doc[with_vectors].max())
            dense_floor, dense_scale = lowest, (1.0 / (highest - lowest) if highest > lowest else 1.0)
        return cls(dense_floor, dense_scale, keyword_scale)


def fused_scores(
    fusion: Fusion, scales: Scales, dense_doc: np.ndarray, keyword_doc: np.ndarray, mask: np.ndarray, vectorless: np.ndarray
) -> np.ndarray:
    """One score per document (float64), -inf for those the mask leaves out."""
    if fusion.method == "rrf":
        fused = rrf(dense_doc, keyword_doc, mask, fusion.rrf_k)
    elif fusion.method == "dense":
        fused = dense_doc.astype(np.float64)
    elif fusion.method == "bm25":
        fused = keyword_doc.astype(np.float64)
    else:
        fused = (
            fusion.alpha * scales.dense_scale * (dense_doc - scales.dense_floor)
            + (1 - fusion.alpha) * scales.keyword_scale * keyword_doc
        )
        fused = np.where(vectorless, scales.keyword_scale * keyword_doc, fused)
    return np.where(mask, fused, -np.inf)


def best_first(fused: np.ndarray, mask: np.ndarray, limit: int) -> list[int]:
    """Positions of the `limit` best documents the mask allows, best first (ties in document order)."""
    count = min(limit, int(mask.sum()))
    top = np.argpartition(-fused, count - 1)[:count] if count < len(fused) else np.arange(len(fused))
    top = top[np.argsort(-fused[top], kind="stable")]
    return [int(position) for position in top if np.isfinite(fused[position])]
