"""Whether the knowledge base answers a question at all, or only offers its least bad passages.

A bi-encoder's cosine alone says little: multilingual-e5 rates almost any pair of texts between 0.75 and
0.9, and a question in Swahili that the knowledge base answers well scores lower than an English one it
does not answer. What tells them apart better is how much closer the best passage is than text that is
about nothing in particular. So the measure is the best passage's similarity minus the question's
similarity to the closest of a few unrelated reference sentences (everyday topics, chit-chat, noise, in
several languages). The threshold below which a search counts as weak is calibrated per model on the
development sets by bench/retrieval.py --no-answer.

The threshold depends on the question's language, as far as the knowledge base can tell: a question in
the language of the passages matches its passage more closely than its translation does, so one
threshold for all would either miss unanswerable questions in that language or flag answerable ones in
others. The share of the question's terms that occur in the knowledge base (near 1 in its language, near
0 in another) chooses between the two calibrated values.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

import numpy as np

from knowledge.embeddings import Encoder
from knowledge.search import Hit, best_similarity
from knowledge.shipped import shipped_queries

# None of them touches the knowledge base's domain (health, food, schools, care), nor repeats a topic of
# bench/data/no-answer.jsonl.
UNRELATED_REFERENCES = (
    "Paint the fence before the winter comes.",
    "The train to the airport leaves every fifteen minutes.",
    "Restart the server and clear the cache before deploying.",
    "Shares fell sharply after the quarterly results.",
    "The castle was built in the twelfth century by the king.",
    "Our new sofa is available in three colours.",
    "Plant the tulip bulbs in autumn, ten centimetres deep.",
    "The band plays its last concert of the tour on Saturday.",
    "hello, how are you?",
    "thanks, see you later",
    "qwxz plorf snee",
    "ok ok ok",
    "12 34 56 78",
    "...",
    "Der Zug fährt um acht Uhr ab.",
    "Vi ses i morgen ved stationen.",
    "Det regnar i Göteborg idag.",
)

_references: dict[str, np.ndarray] = {}
_lock = threading.Lock()


def reference_vectors(encoder: Encoder) -> np.ndarray:
    """The reference sentences as `encoder` embeds questions (once per model and process)."""
    vectors = _references.get(encoder.name)
    if vectors is None:
        with _lock:
            vectors = _references.get(encoder.name)
            if vectors is None:
                vectors = shipped_queries(encoder, UNRELATED_REFERENCES)
                _references[encoder.name] = vectors
    return vectors


def match_margin(encoder: Encoder, query_vector: np.ndarray, hits: Iterable[Hit]) -> float:
    """How much better the best hit matches the question than unrelated text does (-inf: no hits).
    Call on the model's thread: it may embed the reference sentences."""
    unrelated = float(np.max(reference_vectors(encoder) @ np.asarray(query_vector, dtype=np.float32)))
    return best_similarity(hits) - unrelated
