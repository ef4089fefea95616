"""The outside test set through the real bot: does it answer what the knowledge base covers, and say so when not?

    python bench/outside.py [--model NAME] [--questions bench/data/outside.jsonl]

The demo knowledge base is ingested with --model (default: the shipped default model; the demo's vectors
ship in data/demo/_vectors) into a temporary SQLite database. Each question of bench/data/outside.jsonl
then goes through `Lighthouse.handle` as a member's direct message: its command word first (`find ...`,
`pilots ...`, `experts ...`) or, for `plain`, the bare text. From each reply: whether it was flagged weak
(`Reply.weak`: "Nothing in the knowledge base matches this well") or unsure (`Reply.unsure`: its results
shown with a note that they may only partly answer the question), whether it showed no document at all
(a refusal such as "no word I can search by", or a reply that is no search), and the documents its first
sections show (`Section.source_id`, top 5).

Prints: answerable questions flagged (weak or nothing shown) overall, for questions of at most three
words and per language; unanswerable questions flagged, overall, per kind and per language; hit@5 (a
relevant document among the first five shown) and nDCG@5 (graded relevance) per language; and every
misjudged question: an answerable one flagged, an unanswerable one answered with confidence (neither
flagged nor unsure), and an answerable one answered without any relevant document in its top 5.

bench/data/outside.jsonl is a test set: nothing is tuned on it (see bench/data/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bot.app.core import Lighthouse  # noqa: E402
from bot.message import Author, Message  # noqa: E402
from bot.reply import Reply  # noqa: E402
from config import Settings  # noqa: E402
from config.settings import DEFAULT_EMBEDDING_MODEL  # noqa: E402
from knowledge.embeddings import get_encoder  # noqa: E402
from knowledge.ingest import ingest  # noqa: E402

QUESTIONS = ROOT / "bench" / "data" / "outside.jsonl"
TOP = 5
SHORT_WORDS = 3  # a question of at most this many words is "short"
LANGUAGES = ("en", "da", "sv", "nb", "de", "nl", "fr", "es", "sw")
console = Console(width=180)


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    command: str  # find | pilots | experts | plain
    text: str
    answerable: bool
    relevant: dict[str, int] = field(default_factory=dict)  # source id -> grade (2 answers it, 1 closely related)
    kind: str | None = None  # unanswerable: absent | off-topic | gibberish

    @property
    def message(self) -> str:
        """What the member types: the command word first, or the bare text for a plain question."""
        return self.text if self.command == "plain" else f"{self.command} {self.text}"

    @property
    def short(self) -> bool:
        return len(self.text.split()) <= SHORT_WORDS


@dataclass(frozen=True)
class Outcome:
    question: Question
    weak: bool  # the reply says nothing matches well
    shown: tuple[str, ...]  # source ids of the documents shown first, in order (at most TOP)
    headline: str  # the reply's first line, to tell what happened
    unsure: bool = False  # the reply shows its results with a note that they may only partly answer it

    @property
    def flagged(self) -> bool:
        """The bot did not present any document as a good match: weak, or nothing shown at all."""
        return self.weak or not self.shown

    @property
    def what(self) -> str:
        if self.weak:
            return "flagged weak"
        if not self.shown:
            return f"nothing shown: {self.headline}"
        return "answered"

    @property
    def hit(self) -> bool:
        return any(doc in self.question.relevant for doc in self.shown)

    @property
    def ndcg(self) -> float:
        gains = [self.question.relevant.get(doc, 0) for doc in self.shown[:TOP]]
        ideal = sorted(self.question.relevant.values(), reverse=True)[:TOP]
        best = _dcg(ideal)
        return _dcg(gains) / best if best else 0.0

    @property
    def doubted(self) -> bool:
        """Flagged, or answered with the note that the results may only partly answer the question."""
        return self.flagged or self.unsure

    @property
    def misjudged(self) -> bool:
        """An answerable question flagged weak or without a relevant document shown; an unanswerable one
        answered with confidence (an unsure answer says what is true of it)."""
        if self.question.answerable:
            return self.flagged or not self.hit
        return not self.doubted


def _dcg(gains: Iterable[int]) -> float:
    return sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains))


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            raw = json.loads(line)
            questions.append(
                Question(
                    id=raw["_id"], lang=raw["lang"], command=raw["command"], text=raw["text"],
                    answerable=raw["answerable"], relevant=raw.get("relevant", {}), kind=raw.get("kind"),
                )
            )
    return questions


def outcome_of(question: Question, reply: Reply) -> Outcome:
    shown = tuple(s.source_id for s in reply.sections if s.source_id)[:TOP]
    headline = (reply.text.strip().splitlines() or [""])[0]
    return Outcome(question, reply.weak, shown, headline, reply.unsure)


async def ask_all(core: Lighthouse, questions: list[Question]) -> list[Outcome]:
    """Each question as a direct message from one member, in order; the replies' outcomes."""
    author = Author(platform="console", user_id="outside-bench", display_name="Outside bench")
    outcomes = []
    for question in questions:
        reply = await core.handle(Message(author=author, text=question.message, is_direct=True))
        outcomes.append(outcome_of(question, reply))
    await core.paginator.flush()
    return outcomes


async def run(model: str, questions: list[Question]) -> tuple[list[Outcome], float, float]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None, database_url=f"sqlite+aiosqlite:///{folder}/outside.db", ingest_demo_on_empty=False,
            embedding_model=model, knowledge_dir=Path(folder) / "knowledge",
        )
        core = Lighthouse(settings)
        await core.start()
        try:
            started = time.perf_counter()
            report = await ingest(core.db, ROOT / "data" / "demo", get_encoder(model))
            assert not report.errors, report.errors
            ingest_seconds = time.perf_counter() - started
            started = time.perf_counter()
            outcomes = await ask_all(core, questions)
            ask_seconds = time.perf_counter() - started
        finally:
            await core.close()
    return outcomes, ingest_seconds, ask_seconds


# --- report -------------------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "–"


def _table(title: str, columns: tuple[str, ...], *, figures: bool = True) -> Table:
    """A table whose first column (every column, without `figures`) is text, left-aligned; figures right."""
    table = Table(title=title, title_justify="left")
    for n, column in enumerate(columns):
        table.add_column(column, justify="right" if figures and n else "left", overflow="fold")
    return table


def _by(outcomes: list[Outcome], key: str) -> dict[str, list[Outcome]]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[str(getattr(outcome.question, key))].append(outcome)
    order = {lang: n for n, lang in enumerate(LANGUAGES)}
    return dict(sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def _print_flagged(title: str, rows: list[tuple[str, list[Outcome]]]) -> None:
    """Per group: flagged (weak or nothing shown), of them weak, and flagged or unsure."""
    table = _table(title, ("", "flagged", "of which weak", "flagged or unsure"))
    for label, group in rows:
        table.add_row(label, _share(sum(o.flagged for o in group), len(group)), str(sum(o.weak for o in group)),
                      _share(sum(o.doubted for o in group), len(group)))
    console.print(table)


def report(outcomes: list[Outcome], model: str) -> None:
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]

    rows = [("all", answerable), (f"≤ {SHORT_WORDS} words", [o for o in answerable if o.question.short]),
            (f"> {SHORT_WORDS} words", [o for o in answerable if not o.question.short])]
    rows += [(f"command {name}", group) for name, group in _by(answerable, "command").items()]
    rows += [(f"lang {name}", group) for name, group in _by(answerable, "lang").items()]
    _print_flagged(f"Answerable questions flagged (weak or nothing shown), {model}", rows)

    rows = [("all", unanswerable)]
    for key in ("kind", "command", "lang"):
        rows += [(f"{key} {name}", group) for name, group in _by(unanswerable, key).items()]
    _print_flagged("Unanswerable questions flagged (the right call)", rows)

    table = _table(f"Answerable questions: ranking of the first {TOP} documents shown (flagged or not)",
                   ("", "questions", f"hit@{TOP}", f"nDCG@{TOP}", "answered with a hit"))
    rows = [("all", answerable), (f"≤ {SHORT_WORDS} words", [o for o in answerable if o.question.short])]
    rows += [(f"lang {name}", group) for name, group in _by(answerable, "lang").items()]
    for label, group in rows:
        hits = sum(o.hit for o in group)
        ndcg = sum(o.ndcg for o in group) / len(group)
        good = sum(o.hit and not o.flagged for o in group)
        table.add_row(label, str(len(group)), _share(hits, len(group)), f"{ndcg:.3f}", _share(good, len(group)))
    console.print(table)

    wrong = [o for o in outcomes if o.misjudged]
    table = _table(f"Misjudged questions ({len(wrong)} of {len(outcomes)})", ("id", "command", "text", "what happened", "shown first"), figures=False)
    for o in wrong:
        q = o.question
        if q.answerable:
            what = o.what if o.flagged else "answered" + (" (unsure)" if o.unsure else "") + ", no relevant document in top 5"
        else:
            what = f"answered as a match ({q.kind})"
        table.add_row(q.id, q.command, q.text, what, "\n".join(o.shown[:3]))
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_EMBEDDING_MODEL, help="embedding model (default: the shipped default)")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    outcomes, ingest_seconds, ask_seconds = asyncio.run(run(args.model, questions))
    console.print(f"{len(questions)} questions; demo ingested in {ingest_seconds:.1f} s, questions answered in {ask_seconds:.1f} s")
    report(outcomes, args.model)
    if args.json:
        args.json.write_text(
            "\n".join(
                json.dumps({"_id": o.question.id, "weak": o.weak, "unsure": o.unsure, "shown": list(o.shown), "headline": o.headline,
                            "misjudged": o.misjudged}, ensure_ascii=False)
                for o in outcomes
            ) + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
