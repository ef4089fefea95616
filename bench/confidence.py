"""The "nothing matches well" calibration behind `bench/retrieval.py --no-answer`: every development question
searched as the service searches it (its command's filters, the language analysis), its evidence gathered
(knowledge/confidence.py), a logistic regression fitted on the calibration half and every figure reported on
the held-back half, which the fit never saw.

The split is fixed: a question belongs to the held-back half when the first byte of the SHA-256 of its
*group* is odd. The group is the id without its language prefix for the translated hand-written questions
(`da-hand-07` -> `hand-07`, so a question and its translations fall on the same side) and the id itself
for every other question (real-use questions in each language were written separately, not translated).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from bot.search.query import parse_question
from bot.search.views import WEAK_MATCH_SHOWN  # a weak answer's results: a relevant one there is "well answered"
from knowledge.confidence import FEATURES, Calibration, Evidence, Match, calibrated_match, gather_evidence, match_margin
from knowledge.embeddings import Encoder
from knowledge.language import fused_query_vector
from knowledge.search import SHIPPED_FUSION, Filters, SearchIndex
from knowledge.spelling import read_question
from knowledge.terms import terms

# The most well-answered questions the weak cut may flag, overall and among those of three words or fewer;
# and the most the doubt cut may call weak or unsure (a hedge on one good answer in ten at most).
ALLOWED_ANSWERABLE_FLAGGED = 0.02
ALLOWED_ANSWERABLE_DOUBTED = 0.10
LANGUAGES = ("en", "da", "sv", "nb", "de", "nl", "fr", "es", "sw")
# What `help find`, `help pilots`, `help experts` and the README offer as examples (filter-only ones left out).
EXAMPLES = (
    "pilots school obesity",
    "find school food programmes that reduced sugary drinks",
    "find loneliness among older people country:DK",
    "find digital mental health --sector hospital",
    "pilots peer support for young people country:DK",
    "experts school food procurement",
    "experts --cross-border digital mental health for teenagers",
    "experts --sector hospital childhood obesity treatment",
    "find how did other municipalities reduce childhood obesity in schools?",
    "find obesity",
    "find school food programmes",
)


@dataclass
class Asked:
    """One development question as searched, with what the confidence judgement sees."""

    id: str
    text: str
    language: str
    kind: str  # "answerable", or the no-answer set's kind (absent, off-topic, gibberish)
    command: str
    evidence: Evidence
    before: bool  # weak by the rule shipped before (margin threshold per language, English terms)
    # An answerable question whose search shows a document judged relevant among the first three (the
    # results a weak answer keeps): "well answered". Flagging one that is not says nothing false.
    found: bool = False

    @property
    def answerable(self) -> bool:
        return self.kind == "answerable"

    @property
    def well_answered(self) -> bool:
        return self.answerable and self.found

    @property
    def short(self) -> bool:
        return len(self.text.split()) <= 3

    @property
    def held_back(self) -> bool:
        return held_back(self.id)


def group(question_id: str) -> str:
    """A translated hand-written question's group is its id without the language (`da-hand-07` ->
    `hand-07`); every other question is a group of its own."""
    prefix, _, rest = question_id.partition("-")
    return rest if prefix in LANGUAGES and rest.startswith("hand-") else question_id


def held_back(question_id: str) -> bool:
    return hashlib.sha256(group(question_id).encode()).digest()[0] % 2 == 1


def language_of(question: dict) -> str:
    if question.get("lang"):
        return question["lang"]
    prefix = question["_id"].split("-")[0]
    return prefix if prefix in LANGUAGES else "en"


def search_filters(command: str) -> Filters:
    """The filters each command searches with (bot/search/service.py)."""
    if command == "experts":
        return Filters(kinds=frozenset({"expert", "pilot"}))
    if command == "pilots":
        return Filters(kinds=frozenset({"pilot"}))
    return Filters()


def ask(
    encoder: Encoder, index: SearchIndex, question: dict, kind: str, vector: np.ndarray, fused: np.ndarray,
    relevant: dict[str, int] | None = None,
) -> Asked:
    """One question searched as the service searches it (`fused`: its vector after cross-lingual fusion),
    and as the rule before this calibration judged it (`vector`: its own, English keyword terms);
    `relevant`: its judgements (document id: grade), for an answerable question."""
    command = question.get("command", "find")
    text = question["text"]
    filters = search_filters(command)
    analysis = read_question(text, index.passages_holding).analysis
    hits = index.search(fused, analysis.terms, filters, limit=75 if command == "experts" else 25, fusion=SHIPPED_FUSION)
    evidence = gather_evidence(encoder, index, fused, analysis, hits)
    old_terms = terms(text)
    old_hits = index.search(vector, old_terms, filters, limit=25, fusion=SHIPPED_FUSION)
    rule = encoder.weak_match_below
    before = bool(old_hits) and rule is not None and rule.is_weak(match_margin(encoder, vector, old_hits), index.known_share(old_terms))
    found = any((relevant or {}).get(hit.doc.source_id, 0) > 0 for hit in hits[:WEAK_MATCH_SHOWN])
    return Asked(question["_id"], text, language_of(question), kind, command, evidence, before, found)


def ask_example(encoder: Encoder, index: SearchIndex, line: str) -> Asked:
    command, _, rest = line.partition(" ")
    parsed = parse_question(rest, flags=("cross-border",), fixed_kind={"pilots": "pilot", "experts": "expert"}.get(command))
    reading = read_question(parsed.text, index.passages_holding)
    analysis = reading.analysis
    vector = fused_query_vector(encoder, encoder.encode_query(parsed.text), reading.other)
    filters = search_filters(command)
    filters = Filters(kinds=filters.kinds, themes=parsed.filters.themes, countries=parsed.filters.countries,
                      sectors=parsed.filters.sectors if command != "experts" else frozenset())
    hits = index.search(vector, analysis.terms, filters, limit=25)
    evidence = gather_evidence(encoder, index, vector, analysis, hits)
    return Asked(line, parsed.text, "en", "answerable", command, evidence, False, found=True)


# The L2 penalties `choose_l2` tries, and the number of folds of its cross-validation.
PENALTIES = (0.01, 0.03, 0.1)
FOLDS = 5


def fold(question_id: str) -> int:
    """The cross-validation fold of a question: by a hash of its group, so a question and its translations
    are always in the same fold (they would otherwise test what their twins trained)."""
    return hashlib.sha256(f"fold:{group(question_id)}".encode()).digest()[0] % FOLDS


def cross_validate(rows: list[Asked], l2: float, level: Callable[[Calibration, Asked], bool] | None = None) -> tuple[float, float]:
    """Grouped k-fold cross-validation of the whole procedure (fit, then cut) on `rows`: the shares of
    well-answered and of unanswerable questions flagged (weak, or as `level` says) in the folds each fit did
    not see."""
    level = level or weak
    answerable = flagged_answerable = unanswerable = flagged_unanswerable = 0
    for number in range(FOLDS):
        training = [r for r in rows if fold(r.id) != number]
        calibration = fit(training, l2=l2)
        for row in (r for r in rows if fold(r.id) == number):
            if row.well_answered:
                answerable += 1
                flagged_answerable += level(calibration, row)
            elif not row.answerable:
                unanswerable += 1
                flagged_unanswerable += level(calibration, row)
    return flagged_answerable / max(answerable, 1), flagged_unanswerable / max(unanswerable, 1)


def choose_l2(rows: list[Asked]) -> tuple[float, dict[float, tuple[float, float]]]:
    """The penalty whose cross-validated procedure flags the most unanswerable questions while flagging at
    most the allowed share of answerable ones (else the one flagging fewest answerable ones), with every
    penalty's cross-validated shares. Only `rows` (the calibration half) are used."""
    scores = {l2: cross_validate(rows, l2) for l2 in PENALTIES}
    within = [l2 for l2, (answerable, _) in scores.items() if answerable <= ALLOWED_ANSWERABLE_FLAGGED]
    if within:
        return max(within, key=lambda l2: (scores[l2][1], -scores[l2][0])), scores
    return min(scores, key=lambda l2: (scores[l2][0], -scores[l2][1])), scores


def fit(rows: list[Asked], *, l2: float = 0.01, steps: int = 3000) -> Calibration:
    """Logistic regression (well answered = 1, unanswerable = 0) by gradient descent on standardised
    features, both classes weighted equally; the cut then flags at most the allowed share of the
    well-answered questions. An answerable question whose search found nothing relevant is neither."""
    decided = [r for r in rows if not r.evidence.names_topic and (r.found or not r.answerable)]  # the rule decides the others
    x = np.vstack([r.evidence.features() for r in decided])
    y = np.array([1.0 if r.answerable else 0.0 for r in decided])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    weight = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1))
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        gradient = weight * (p - y)
        w -= 0.5 * (z.T @ gradient + l2 * w)
        b -= 0.5 * gradient.sum()
    calibration = Calibration(float(b), tuple(float(v) for v in w), tuple(float(v) for v in mean), tuple(float(v) for v in scale), 0.0)
    cut = choose_cut(calibration, rows)
    doubt = max(cut, choose_cut(calibration, rows, allowed=ALLOWED_ANSWERABLE_DOUBTED))
    return replace(calibration, cut=cut, doubt=doubt)


def choose_cut(calibration: Calibration, rows: list[Asked], *, allowed: float = ALLOWED_ANSWERABLE_FLAGGED) -> float:
    """The highest cut (rounded down to 0.001) below which at most the `allowed` share of the well-answered
    questions fall, overall and among the short ones. An answerable question whose search shows nothing
    relevant among its first three results does not hold the cut up: saying that nothing matches well is
    then true of what the member is shown."""
    answerable = [r for r in rows if r.well_answered]
    cut = 1.0
    for group in (answerable, [r for r in answerable if r.short]):
        if not group:
            continue
        probabilities = sorted(calibration.probability(r.evidence) for r in group if not r.evidence.names_topic)
        allowed_count = int(allowed * len(group))
        if allowed_count < len(probabilities):
            cut = min(cut, probabilities[allowed_count])
    return math.floor(cut * 1000) / 1000


def _match(calibration: Calibration, row: Asked) -> Match:
    """How `calibration` judges the row's search, with the rule above it, as `knowledge.confidence.judge` does."""
    return calibrated_match(calibration, row.evidence)


def weak(calibration: Calibration, row: Asked) -> bool:
    """Flagged: answered "no word I can search by" (bot/search/service.py), or weak by the calibration."""
    return row.evidence.words == 0 or _match(calibration, row) is Match.WEAK


def doubted(calibration: Calibration, row: Asked) -> bool:
    """Flagged weak, or answered with the note that the results may only partly answer the question."""
    return row.evidence.words == 0 or _match(calibration, row) is not Match.CONFIDENT


def describe(calibration: Calibration) -> str:
    """The fitted values as Python, to paste into knowledge/confidence.py."""
    def numbers(values: tuple[float, ...]) -> str:
        return "(" + ", ".join(f"{v:.4f}" for v in values) + ")"

    return (
        f"Calibration(intercept={calibration.intercept:.4f}, weights={numbers(calibration.weights)},\n"
        f"    mean={numbers(calibration.mean)},\n    scale={numbers(calibration.scale)}, cut={calibration.cut:.3f}, doubt={calibration.doubt:.3f})"
        f"  # features: {', '.join(FEATURES)}"
    )
