"""A small deterministic stand-in for the embedding model, and a few knowledge files to ingest."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings import WeakMatch
from knowledge.service import KnowledgeService
from knowledge.terms import terms


class FakeEncoder:
    """Hashes each term to a signed coordinate: texts sharing terms are close, others are not."""

    name = "fake-bag-of-words"
    dimension = 64
    max_tokens = 50  # words here; the real model counts word pieces

    def __init__(self, *, weak_match_below: WeakMatch | None = None) -> None:
        self.encoded: list[str] = []  # every text it was asked to embed, in order
        self.weak_match_below = weak_match_below

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        self.encoded.extend(texts)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for term in terms(text):
                digest = hashlib.blake2b(term.encode(), digest_size=4).digest()
                value = int.from_bytes(digest, "little")
                vectors[row, value % self.dimension] += 1.0 if value & 0x8000_0000 else -1.0
            norm = np.linalg.norm(vectors[row])
            vectors[row] = vectors[row] / norm if norm else vectors[row]
            if not norm:
                vectors[row, 0] = 1.0
        return vectors

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    def truncate(self, text: str) -> tuple[str, bool]:
        words = text.split()
        if len(words) <= self.max_tokens:
            return text, False
        return " ".join(words[: self.max_tokens]), True


@pytest.fixture
def encoder() -> FakeEncoder:
    """The fake model of a test module that imports these two fixtures (it may override this one)."""
    return FakeEncoder()


@pytest.fixture
def knowledge(database, settings, encoder) -> KnowledgeService:  # noqa: ANN001
    """The core's knowledge base on the module's fake model, checking the stored version on every search."""
    return KnowledgeService(database, settings, encoder=encoder, check_interval=0)


class SlowModel:
    """A model load (`KnowledgeService(load_model=...)`) that lasts until the test calls `release()`, the way
    loading torch and the real model takes seconds after a restart."""

    def __init__(self, *, error: Exception | None = None, wait: float = 10.0) -> None:
        self.started = threading.Event()
        self._released = threading.Event()
        self.error = error
        self.wait = wait  # only stops a broken test from blocking the model thread for ever
        self.encoder = FakeEncoder()

    def release(self) -> None:
        self._released.set()

    async def __call__(self, name: str) -> FakeEncoder:
        self.started.set()
        if not await asyncio.to_thread(self._released.wait, self.wait):
            raise TimeoutError("the test never released the model load")
        if self.error is not None:
            raise self.error
        return self.encoder


def pilot(folder: Path, slug: str, title: str, body: str, **front: object) -> Path:
    fields = {"kind": "pilot", "id": f"pilot-{slug}", "title": title, **front}
    lines = ["---"] + [f"{key}: {_yaml(value)}" for key, value in fields.items()] + ["---", body]
    path = folder / "pilots" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def expert(folder: Path, slug: str, name: str, organisation: str, sector: str, country: str, expertise: list[str], body: str, **front: object) -> Path:
    fields = {
        "kind": "expert", "id": f"expert-{slug}", "name": name, "title": "Specialist", "organisation": organisation,
        "sector": sector, "country": country, "expertise": expertise, **front,
    }
    lines = ["---"] + [f"{key}: {_yaml(value)}" for key, value in fields.items()] + ["---", body]
    path = folder / "experts" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _yaml(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"' if isinstance(value, str) else str(value)


def small_knowledge_base(folder: Path) -> Path:
    """Three pilots, four experts, organisations, a report list (YAML), evaluations (JSON) and tools (CSV)."""
    pilot(
        folder, "school-meals", "Healthy school meals in Nordby",
        "## Summary\nFree hot school meals with wholegrains and vegetables for primary school pupils.\n\n"
        "## Learnings\nPupils cooking in the kitchen raised uptake; plate waste fell.",
        themes=["obesity"], countries=["DK"], sectors=["municipality"], organisations=["Nordby Municipality"],
        start="2023-08-01", status="completed", contact="Anna Holm", tags=["school food", "children"],
    )
    pilot(
        folder, "peer-support", "Peer support chat for teenagers",
        "## Summary\nTrained volunteers answer teenagers about anxiety and loneliness in an anonymous chat.\n\n"
        "## Results\nWaiting times for counselling fell.",
        themes=["mental_health"], countries=["SE"], sectors=["patient_organisation"], organisations=["Youth Line"],
        start="2025-02-01", status="running",
    )
    pilot(
        folder, "teach-back", "Teach-back training in citizen services",
        "## Summary\nStaff learn to check understanding by asking citizens to explain instructions back.",
        themes=["health_literacy"], countries=["GB"], sectors=["municipality"], organisations=["Eastby Council"],
        start="2021-05-01", status="completed",
    )
    expert(folder, "anna-holm", "Anna Holm", "Nordby Municipality", "municipality", "DK", ["school food policy", "public food procurement"],
           "## About\nAnna runs school food programmes and wrote the meal tender.", pilots=["pilot-school-meals"])
    expert(folder, "bo-berg", "Bo Berg", "Nordby Municipality", "municipality", "DK", ["school food", "kitchen staff training"],
           "## About\nBo trains kitchen staff for school meals.")
    expert(folder, "carla-diaz", "Carla Diaz", "Madrid Food Lab", "research", "ES", ["school food evaluation", "nutrition"],
           "## About\nCarla evaluates school food and nutrition pilots.")
    expert(folder, "dan-eriksson", "Dan Eriksson", "Kronby Region", "region", "SE", ["school food", "children's health"],
           "## About\nDan coordinates school food work in the region's schools.")
    (folder / "organisations.yaml").write_text(
        '- name: "Nordby Municipality"\n  sector: municipality\n  country: DK\n  description: "A town."\n'
        '- name: "Madrid Food Lab"\n  sector: research\n  country: ES\n',
        encoding="utf-8",
    )
    reports = folder / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "reports.yaml").write_text(
        "- kind: report\n  id: report-food-synthesis\n  title: \"Lessons from school food pilots\"\n"
        "  themes: [obesity]\n  countries: [DK, ES]\n  date: 2025-11-12\n"
        "  summary: \"What worked in school food: universal meals, taste and price.\"\n"
        "  url: https://example.org/reports/food\n",
        encoding="utf-8",
    )
    (reports / "evaluations.json").write_text(
        '[{"kind": "report", "id": "eval-peer-chat", "title": "Evaluation of the peer support chat", '
        '"themes": ["mental_health"], "countries": ["SE"], "date": "2024-03-01", '
        '"summary": "Teenagers valued anonymity; volunteers needed supervision."}]',
        encoding="utf-8",
    )
    tools = folder / "tools"
    tools.mkdir(exist_ok=True)
    (tools / "tools.csv").write_text(
        "kind,id,title,themes,countries,sectors,organisations,summary,url\n"
        'tool,tool-pocket-card,Teach-back pocket card,health_literacy;equity,GB;DK,municipality,Eastby Council,'
        '"Phrases for checking understanding, with a training script.",https://example.org/tools/card\n',
        encoding="utf-8",
    )
    return folder
