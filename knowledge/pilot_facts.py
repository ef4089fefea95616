"""The row of the `pilots` table a pilot document gives: its facts from the front matter, and a summary."""

from __future__ import annotations

from datetime import date

from knowledge.chunking import Passage
from knowledge.sources import SourceDocument
from storage.models import Pilot


def pilot_facts(document_id: int, source: SourceDocument, passages_: list[Passage]) -> Pilot:
    return Pilot(
        document_id=document_id,
        title=source.title,
        summary=_pilot_summary(passages_),
        themes=source.themes,
        countries=source.countries,
        partners=source.organisations,
        status=(source.meta.get("status") or None),
        contact=(source.meta.get("contact") or None),
        started_on=_iso_date(source.meta.get("start")),
        ended_on=_iso_date(source.meta.get("end")),
    )


def _pilot_summary(passages_: list[Passage]) -> str | None:
    """The passage under a "Summary" heading; else the first after the facts overview."""
    summary = next((p.text for p in passages_ if p.heading and p.heading.lower().startswith("summary")), None)
    if summary is None and len(passages_) > 1:
        summary = passages_[1].text
    return summary


def _iso_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
