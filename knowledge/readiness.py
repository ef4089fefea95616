"""Where the knowledge base stands after a start: loading the model, loading knowledge, building the index,
ready, or failed (with the reason).

The slow start-up work runs in the background while the adapters already answer; health checks and a
process supervisor read this state, and searches that arrive early wait for the parts they need.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

LOADING_MODEL = "loading model"
LOADING_KNOWLEDGE = "loading knowledge"  # a new installation ingests its knowledge folder
BUILDING_INDEX = "building index"
READY = "ready"
FAILED = "failed"


@dataclass(frozen=True)
class ReadinessReport:
    state: str
    ready: bool
    model_loaded: bool
    index_ready: bool
    seconds: float  # since the warm-up began
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state,
            "ready": self.ready,
            "model_loaded": self.model_loaded,
            "index_ready": self.index_ready,
            "seconds": round(self.seconds, 2),
            "reason": self.reason,
        }


class Readiness:
    """The warm-up's progress; `ready` is set once both the model and the index are there."""

    def __init__(self) -> None:
        self.model_loaded = False
        self.index_ready = False
        self.loading_knowledge = False
        self.model_error: str | None = None  # final: the process keeps running without search
        self.index_error: str | None = None  # cleared when a later search builds the index after all
        self.started = time.monotonic()
        self.ready = asyncio.Event()

    @property
    def reason(self) -> str | None:
        return self.model_error or self.index_error

    @property
    def state(self) -> str:
        if self.reason is not None:
            return FAILED
        if self.ready.is_set():
            return READY
        if self.loading_knowledge:
            return LOADING_KNOWLEDGE
        if not self.model_loaded:
            return LOADING_MODEL
        return BUILDING_INDEX

    def model_done(self) -> None:
        self.model_loaded = True
        self._check()

    def index_done(self) -> None:
        self.index_ready = True
        self.index_error = None
        self._check()

    def model_failed(self, reason: str) -> None:
        self.model_error = reason

    def index_failed(self, reason: str) -> None:
        self.index_error = reason

    def _check(self) -> None:
        if self.model_loaded and self.index_ready and not self.ready.is_set():
            self.ready.set()
            log.debug("knowledge base ready %.1f s after start", time.monotonic() - self.started)

    def report(self) -> ReadinessReport:
        state = self.state
        return ReadinessReport(
            state=state,
            ready=state == READY,
            model_loaded=self.model_loaded,
            index_ready=self.index_ready,
            seconds=time.monotonic() - self.started,
            reason=self.reason,
        )
