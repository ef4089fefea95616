"""Introduction dates as a member reads them: in their own time zone (UTC when they set none)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from config.vocabulary import zone_label
from storage.models import Introduction, Member


def _local(moment: datetime, reader: Member | None) -> datetime:
    """The moment in the reader's time zone, UTC when they have not set one."""
    return moment.astimezone(ZoneInfo(reader.timezone) if reader is not None and reader.timezone else UTC)


def day(moment: datetime | None, reader: Member | None) -> str:
    """A date in the reader's time zone (UTC when they set none), e.g. "Mon 9 Nov 2026"."""
    if moment is None:
        return "—"
    moment = _local(moment, reader)
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def closes(intro: Introduction, reader: Member | None) -> str:
    """When a request closes, for this reader: the one stored instant, with the time and zone so that the
    requester and the target, in different zones, read the same moment (e.g. "Mon 9 Nov 2026, 10:00
    Europe/Copenhagen")."""
    return closing_time(intro.expires_at, reader)


def closing_time(expires_at: datetime | None, reader: Member | None) -> str:
    """`closes`, for a request known by its closing instant. The zone is named as the reader set it
    ("Asia/Kolkata", "UTC+3"), as events name it: an abbreviation such as "IST" is India's, Ireland's or Israel's."""
    if expires_at is None:
        return "—"
    moment = _local(expires_at, reader)
    zone = zone_label(reader.timezone) if reader is not None and reader.timezone else "UTC"
    return f"{day(moment, reader)}, {moment:%H:%M} {zone}"
