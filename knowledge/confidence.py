"""Whether the knowledge base answers a question at all, or only offers its least bad passages.

A bi-encoder's cosine alone says little: multilingual-e5 rates almost any pair of texts between 0.75 and
0.9, a short keyword question ("school obesity") matches everything a little, and a question in
Kiswahili that the knowledge base answers well scores lower than an English one it does not answer. So the
judgement weighs all the evidence a search has (`Evidence`):

- the *match margin*: the best passage's similarity minus the question's similarity to the closest of a
  few unrelated reference sentences (everyday topics, chit-chat, noise, in several languages);
- the *keyword coverage*: how much of the question's weight (each content word weighted by how rare its
  terms are in the knowledge base; words it does not hold weigh most) one of the best three documents
  carries anywhere in its text, and how much the best document's overview passage carries (title,
  themes, sectors, countries, tags, or a person's declared expertise);
- whether the keyword and the meaning rankings agree on a best document;
- the question's length, and how much of it the multilingual glossary translated (its language);
- for a question read as English, the weighted share of its content words that the knowledge base does
  not hold at all (`unknown_english`): in "dental implants for older adults" the heaviest words name a
  topic the knowledge base lacks, however well "older adults" matches. In another language unknown words
  are expected (the glossary translates only the domain's terms), so there it counts nothing.

A small logistic regression over these, fitted per model on the development sets by bench/retrieval.py
(`--no-answer`), says how likely the question is answerable. It has two cuts, because the evidence cannot
tell every paraphrase in everyday words ("weight loss jabs") from every near-domain question the knowledge
base lacks ("dental implants"): below the lower cut the search is *weak* ("nothing matches well"; it
rarely says so of a question the knowledge base answers), between the two it is *unsure* (the results
are shown in full with a line saying they may only partly answer the question).
One rule stands above it: a question whose every word names something in the overview of one of the best
three documents (a theme, a sector, a title, a tag, an expertise) is never weak, and confident unless the
regression all but rules it out (`NAMED_TOPIC_FLOOR`: "what time is it" shares only "time" with the tag
"sedentary time"): `obesity`, `procurement`, `pilots school obesity`, `walking football` for the member
whose expertise it is. A word the knowledge
base does not hold is in no overview, so the rule never rescues "dental implants for older adults".
A second rule keeps a question whose every word occurs somewhere in one of the best three documents from
being called weak (at most unsure): their "shared terms" would contradict a "nothing matches".
"""

from __future__ import annotations

import math
import statistics
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from knowledge.embeddings import MINILM_MODEL, MULTILINGUAL_MODEL, Encoder
from knowledge.language import Analysis
from knowledge.search import Hit, SearchIndex, best_similarity
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


# How many of the best documents the keyword evidence looks at.
EVIDENCE_DOCUMENTS = 3
# The longest unanswerable development question has 11 content words (10 distinct; answerable ones reach 23):
# the fit knows nothing of how length weighs beyond that, so a longer question counts as 11 words. Without
# the cap, a paragraph on an everyday topic gained confidence for its length alone (it still is answered
# with confidence too often: bench/data/no-answer-long.jsonl).
LONGEST_FITTED = 11


@dataclass(frozen=True)
class Evidence:
    """What a search knows about how well it answered (see the module's docstring)."""

    margin: float  # best passage similarity minus similarity to unrelated text (-inf: no hits)
    coverage: float  # 0..1: weighted share of the question's content words in one of the best documents
    overview: float  # 0..1: the same for the best document's overview passage
    agreement: float  # 1 when the best document by meaning is among the best three by keywords, else 0
    spread: float  # how far the best document's similarity stands above the median of the others found
    words: int  # distinct content words (stop words and numbers left out; a repeated word says nothing more)
    translated: float  # 0..1: share of the content words the glossary translated
    known_share: float  # 0..1: share of the question's terms the knowledge base holds
    unknown_english: float  # 0..1: weighted share of an English question's own words the knowledge base lacks
    names_topic: bool  # every content word occurs in the overview of one of the best documents

    def features(self) -> np.ndarray:
        """The regression's inputs, in the order of `Calibration.weights`."""
        margin = self.margin if math.isfinite(self.margin) else -0.2
        return np.array(
            [
                margin, self.coverage, self.overview, self.agreement, self.spread,
                math.log1p(min(self.words, LONGEST_FITTED)), self.translated, self.known_share, self.unknown_english,
            ],
            dtype=np.float64,
        )


FEATURES = (
    "margin", "coverage", "overview", "agreement", "spread", "log(1 + words)", "translated", "known share",
    "unknown English",
)


def gather_evidence(
    encoder: Encoder, index: SearchIndex, query_vector: np.ndarray, analysis: Analysis, hits: Sequence[Hit]
) -> Evidence:
    """The evidence of one search (`hits` best first). Call on the model's thread (see `match_margin`)."""
    margin = match_margin(encoder, query_vector, hits)
    weights = _group_weights(index, analysis.groups)
    share = _group_share(analysis.groups, weights)
    best = list(hits[:EVIDENCE_DOCUMENTS])
    coverage = max((share(index.document_terms(hit.doc.id)) for hit in best), default=0.0)
    overviews = [index.document_terms(hit.doc.id, first_passage=True) for hit in best]
    overview = share(overviews[0]) if overviews else 0.0
    known = index.known_share(analysis.terms)
    return Evidence(
        margin=margin, coverage=coverage, overview=overview, agreement=_agreement(hits), spread=_spread(hits),
        words=len(set(analysis.groups)), translated=_translated_share(analysis), known_share=known,
        unknown_english=_unknown_english(index, analysis, weights), names_topic=_names_topic(analysis.groups, overviews),
    )


def _group_weights(index: SearchIndex, groups: Sequence[frozenset[str]]) -> list[float]:
    """Each term group's weight: that of its heaviest term (a term the knowledge base lacks weighs most)."""
    weights = index.term_weights({t for group in groups for t in group})
    return [max(weights[t] for t in group) for group in groups]


def _group_share(groups: Sequence[frozenset[str]], weights: list[float]) -> Callable[[frozenset[str]], float]:
    """How much of the question a set of terms holds: the weight of the term groups it meets over the
    weight of all groups."""
    total = sum(weights)

    def share(held: frozenset[str]) -> float:
        if not total:
            return 0.0
        return sum(w for group, w in zip(groups, weights, strict=True) if group & held) / total

    return share


def _unknown_english(index: SearchIndex, analysis: Analysis, weights: list[float]) -> float:
    """For a question read as English, the weight of its own words (not the glossary's) that no passage
    holds, over the weight of all its words; 0 for a question in another language."""
    total = sum(weights)
    if not analysis.reads_english or not total:
        return 0.0
    unknown = sum(
        weight for group, weight, from_glossary in zip(analysis.groups, weights, analysis.glossary_groups, strict=True)
        if not from_glossary and not index.known_share(list(group))
    )
    return unknown / total


def _names_topic(groups: Sequence[frozenset[str]], overviews: list[frozenset[str]]) -> bool:
    """Whether one of the best documents' overviews holds every term group of the question."""
    return bool(groups) and any(all(group & held for group in groups) for held in overviews)


def _agreement(hits: Sequence[Hit]) -> float:
    """1.0 when the best document by meaning is among the best by keywords, else 0.0."""
    if not hits:
        return 0.0
    by_meaning = max(hits, key=lambda h: h.dense).doc.id
    by_keywords = [h.doc.id for h in sorted(hits, key=lambda h: -h.keyword)[:EVIDENCE_DOCUMENTS] if h.keyword > 0]
    return float(by_meaning in by_keywords)


def _spread(hits: Sequence[Hit]) -> float:
    """How far the best similarity stands above the median one (statistics.median: the same figure as
    numpy's, which would import numpy.ma, some 40 ms of a restart, for a list of at most 75 numbers)."""
    similarities = [float(hit.dense) for hit in hits]
    return max(similarities) - statistics.median(similarities) if len(similarities) > 1 else 0.0


def _translated_share(analysis: Analysis) -> float:
    return analysis.translated / analysis.content_words if analysis.content_words else 0.0


class Match(Enum):
    """How well a search's results answer its question, as far as the evidence tells."""

    CONFIDENT = "confident"
    UNSURE = "unsure"  # they may only partly answer it
    WEAK = "weak"  # nothing in the knowledge base matches it well


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic regression: P(answerable) = sigmoid(intercept + weights · (features - mean) / scale),
    weak below `cut`, unsure below `doubt`."""

    intercept: float
    weights: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    cut: float
    doubt: float = 0.0

    def probability(self, evidence: Evidence) -> float:
        x = (evidence.features() - np.array(self.mean)) / np.array(self.scale)
        z = self.intercept + float(np.dot(np.array(self.weights), x))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def match(self, evidence: Evidence) -> Match:
        return self.match_of(self.probability(evidence))

    def match_of(self, probability: float) -> Match:
        """The match for a probability `probability` computed by this calibration."""
        if probability < self.cut:
            return Match.WEAK
        return Match.UNSURE if probability < self.doubt else Match.CONFIDENT


# Fitted by `python bench/retrieval.py bench/data/demo-real-use --also bench/data/demo-multilingual
# --also bench/data/demo-kb-questions --no-answer bench/data/no-answer.jsonl --model MODEL` on the calibration
# half of the development sets (the split is fixed by a hash of each question's id: bench/data/README.md),
# and pasted from its output, both models with the same sets and the same stop words. The weak cut is the
# highest below which fall at most 2% of that half's well-answered questions (answerable, and a relevant
# document among the three a weak answer shows), and of those of three words or fewer; the doubt cut the
# highest below which fall at most 10% of them.
# README "Benchmarks" has the rates on the held-back half. A model not listed here (any other
# sentence-transformers model) keeps its margin threshold, `Encoder.weak_match_below`, if it has one.
CALIBRATIONS: dict[str, Calibration] = {
    # features: margin, coverage, overview, agreement, spread, log(1 + words), translated, known share, unknown English
    MULTILINGUAL_MODEL: Calibration(
        intercept=1.6728,
        weights=(0.7446, 0.6715, 0.3142, 0.7251, 1.5189, 0.9129, 0.5891, -0.4896, -0.6544),
        mean=(0.0207, 0.3094, 0.2436, 0.5788, 0.0349, 1.6663, 0.2759, 0.5363, 0.1078),
        scale=(0.0330, 0.2418, 0.2123, 0.4937, 0.0180, 0.4307, 0.2479, 0.3131, 0.2761),
        cut=0.051,
        doubt=0.699,
    ),
    MINILM_MODEL: Calibration(
        intercept=1.0091,
        weights=(-0.1377, 0.3983, 0.8516, 0.6448, 1.1312, 1.3419, 0.7383, -0.0439, -0.8410),
        mean=(0.1642, 0.3260, 0.2483, 0.5387, 0.1607, 1.6591, 0.2836, 0.5547, 0.1161),
        scale=(0.1961, 0.2436, 0.2136, 0.4985, 0.0914, 0.4419, 0.2544, 0.3076, 0.2838),
        cut=0.254,
        doubt=0.639,
    ),
}


def confident_by_rule(evidence: Evidence) -> bool:
    """Confident whatever the model says: a question naming a topic of the best documents, or a search that
    found nothing to judge."""
    return evidence.names_topic or not math.isfinite(evidence.margin)


def held_in_full(evidence: Evidence) -> bool:
    """Every content word of the question occurs in one of the best documents: never "nothing matches",
    which the results' own "shared terms" would contradict ("Tigrinya", named in an interpreting pilot's
    text but in no overview). At most unsure: the word may be a passing mention."""
    return evidence.coverage >= 1.0 - 1e-9


# A question naming a topic is confident by rule unless its calibrated probability is below this: then the
# word it shares with an overview is most likely a passing part of a longer name ("what time is it" and the
# tag "sedentary time"). Of the development sets' 188 answerable questions that name a topic, the lowest whose
# relevant document was found scores 0.29; such a question falls back on the calibration, and since it is
# held in full (`held_in_full`) it is at most unsure, never weak.
NAMED_TOPIC_FLOOR = 0.2


def calibrated_match(calibration: Calibration, evidence: Evidence) -> Match:
    """The rules above the model (a search with nothing to judge; a question naming a topic, unless the
    regression scores it below `NAMED_TOPIC_FLOOR`; `held_in_full`), then the model's calibration."""
    if not math.isfinite(evidence.margin):
        return Match.CONFIDENT
    probability = calibration.probability(evidence)
    if evidence.names_topic and probability >= NAMED_TOPIC_FLOOR:
        return Match.CONFIDENT
    found = calibration.match_of(probability)
    return Match.UNSURE if found is Match.WEAK and held_in_full(evidence) else found


def judge(encoder: Encoder, evidence: Evidence) -> Match:
    """How well the search answered: by the model's fitted calibration and the rules above it
    (`calibrated_match`); any other model falls back to its margin threshold (`Encoder.weak_match_below`;
    none: always confident), which knows no "unsure"."""
    calibration = CALIBRATIONS.get(encoder.name)
    if calibration is not None:
        return calibrated_match(calibration, evidence)
    if confident_by_rule(evidence):
        return Match.CONFIDENT
    rule = encoder.weak_match_below
    weak = rule is not None and rule.is_weak(evidence.margin, evidence.known_share)
    return Match.WEAK if weak else Match.CONFIDENT
