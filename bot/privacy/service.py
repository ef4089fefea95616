"""A member's data: what is held about them, consent flags, export and erasure.

Erasure deletes the person and keeps the community's numbers right: introductions and exchanges that
involved them stay, without their member id and without any text they wrote, but with the
organisation, sector and country snapshot the indicators count. It leaves tombstones (hashes of their
chat accounts and of their expert profiles' ids, storage/tombstones.py) so that no later ingest of a
knowledge folder that still holds their profile brings them back.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import about_member_clause, record_audit
from bot.community import service as community
from bot.indicators.exchanges import profile_snapshot, unlink_member
from config.errors import UserError
from knowledge.profiles import is_member_profile
from knowledge.version import bump_version
from storage.models import (
    RSVP,
    AuditEntry,
    Chunk,
    Confirmation,
    DigestSchedule,
    Document,
    Event,
    EventAttendance,
    Exchange,
    Introduction,
    IntroductionTransition,
    Job,
    Member,
    Organisation,
    Pilot,
    PlatformIdentity,
    ReplyPage,
)
from storage.tombstones import identity_key, profile_key, record_tombstones

if TYPE_CHECKING:
    from bot.runtime import Runtime

EXPORT_FORMAT_VERSION = 1


class PrivacyAudit(StrEnum):
    """The audit action of an erasure (worded by `bot.privacy.views`)."""

    ERASED = "member.erased"


ERASE_PURPOSE = "erase"
ERASE_CONFIRMATION_TTL = timedelta(minutes=15)
SNAPSHOT_KEYS = ("organisation", "sector", "country")


@dataclass(frozen=True)
class ConsentFlag:
    name: str  # as typed in `privacy consent <name> on|off`
    column: str  # Member attribute
    label: str
    meaning: str


CONSENT_FLAGS: dict[str, ConsentFlag] = {
    flag.name: flag
    for flag in (
        ConsentFlag(
            "expert-search",
            "consent_expert_search",
            "Expert search",
            "others can find you when they search for experts",
        ),
        ConsentFlag(
            "introductions",
            "consent_introductions",
            "Introductions",
            "other members can ask me to introduce them to you",
        ),
        ConsentFlag(
            "exchange-logging",
            "consent_exchange_logging",
            "Exchange logging",
            "exchanges you take part in are linked to you; when off, only your organisation, sector and "
            "country are counted, anonymously",
        ),
        ConsentFlag(
            "community-questions",
            "consent_community_questions",
            "Community questions",
            "I tell you, by direct message and a few times a week at most, when someone asks the community "
            "about your expertise (off unless you switch it on)",
        ),
    )
}
_FLAG_ALIASES = {
    "expert": "expert-search",
    "experts": "expert-search",
    "search": "expert-search",
    "intro": "introductions",
    "intros": "introductions",
    "introduction": "introductions",
    "exchange": "exchange-logging",
    "exchanges": "exchange-logging",
    "logging": "exchange-logging",
    "community": "community-questions",
    "questions": "community-questions",
}


def parse_consent_flag(text: str) -> ConsentFlag | None:
    key = text.strip().lower().replace("_", "-")
    key = _FLAG_ALIASES.get(key, key)
    return CONSENT_FLAGS.get(key)


@dataclass
class HeldData:
    """Counts of what is held about one member, for the plain-words summary."""

    identities: list[str]
    introductions: int
    exchanges: int
    rsvps: int
    audit_entries: int
    expert_documents: int
    events_organised: int
    # Questions you asked the community and answers you gave (their text is kept: you posted it to be read).
    community_posts: int = 0


async def held_data(session: AsyncSession, member: Member) -> HeldData:
    async def count(statement: Any) -> int:
        return int((await session.execute(statement)).scalar_one())

    return HeldData(
        identities=[f"{i.platform}" for i in member.identities],
        introductions=await count(
            select(func.count(Introduction.id)).where(
                or_(Introduction.requester_id == member.id, Introduction.target_id == member.id)
            )
        ),
        exchanges=await count(
            select(func.count(Exchange.id)).where(
                or_(Exchange.member_a_id == member.id, Exchange.member_b_id == member.id)
            )
        ),
        rsvps=await count(select(func.count(RSVP.id)).where(RSVP.member_id == member.id)),
        audit_entries=await count(select(func.count(AuditEntry.id)).where(about_member_clause(member.id))),
        expert_documents=await count(select(func.count(Document.id)).where(Document.member_id == member.id)),
        events_organised=await count(select(func.count(Event.id)).where(Event.organiser_id == member.id)),
        community_posts=await community.count_posts(session, member.id),
    )


async def set_consent(session: AsyncSession, member_id: int, flag: ConsentFlag, value: bool, now: datetime) -> int:
    """Change one flag. Switching exchange logging off also unlinks the member from past exchanges
    (returns how many); switching expert search tells every process's search index to refresh."""
    member = await session.get(Member, member_id)
    assert member is not None
    setattr(member, flag.column, value)
    unlinked = 0
    if flag.column == "consent_exchange_logging" and not value:
        unlinked = await _unlink_exchanges(session, member_id)
    if flag.column == "consent_expert_search":
        await bump_version(session)
    return unlinked


async def _unlink_exchanges(session: AsyncSession, member_id: int) -> int:
    # Not only the member id: everything that leads back to them (docs/indicators.md, "Members who switched
    # exchange logging off").
    return await unlink_member(session, member_id)


# --- Export -------------------------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_member_data(session: AsyncSession, member_id: int, now: datetime) -> dict[str, Any]:
    """Everything held about one member, as JSON-ready data. Other people appear by name and
    organisation only; text other people wrote is left out."""
    member = await session.get(Member, member_id)
    assert member is not None
    organisation = member.organisation
    data: dict[str, Any] = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _iso(now),
        "profile": {
            "member_id": member.id,
            "name": member.display_name,
            "organisation": (
                {"name": organisation.name, "sector": organisation.sector, "country": organisation.country}
                if organisation
                else None
            ),
            "sector": member.sector,
            "country": member.country,
            "timezone": member.timezone,
            "expertise": list(member.expertise or []),
            "interests": list(member.interests or []),
            "bio": member.bio,
            "role": member.role,
            "consent": {flag.name: bool(getattr(member, flag.column)) for flag in CONSENT_FLAGS.values()},
            "introductions_paused_until": _iso(member.intro_paused_until),
            "created_at": _iso(member.created_at),
            "updated_at": _iso(member.updated_at),
        },
        "identities": [
            {
                "platform": identity.platform,
                "platform_user_id": identity.platform_user_id,
                "display_name": identity.display_name,
                "created_at": _iso(identity.created_at),
            }
            for identity in member.identities
        ],
    }
    data["introductions"] = await _export_introductions(session, member_id)
    data["event_rsvps"] = await _export_rsvps(session, member_id)
    data["events_organised"] = [
        {"event_id": e.id, "title": e.title, "starts_at": _iso(e.starts_at), "status": e.status}
        for e in (await session.execute(select(Event).where(Event.organiser_id == member_id))).scalars()
    ]
    data["event_attendances"] = await _export_attendances(session, member_id)
    data["exchanges"] = await _export_exchanges(session, member_id)
    data["digest_schedules_created"] = [
        {
            "platform": schedule.platform,
            "channel_id": schedule.channel_id,
            "frequency": schedule.frequency,
            "weekday": schedule.weekday,
            "time_of_day": schedule.time_of_day,
            "timezone": schedule.timezone,
            "created_at": _iso(schedule.created_at),
        }
        for schedule in (
            await session.execute(
                select(DigestSchedule).where(DigestSchedule.created_by_id == member_id).order_by(DigestSchedule.id)
            )
        ).scalars()
    ]
    data["jobs_for_you"] = await _export_jobs(session, member_id)
    data["saved_reply_pages"] = [
        {
            "page_id": page.id,
            "created_at": _iso(page.created_at),
            "pages": list(page.pages or []),
            "last_page_shown": page.shown,
        }
        for page in (
            await session.execute(
                select(ReplyPage).where(ReplyPage.member_id == member_id).order_by(ReplyPage.created_at)
            )
        ).scalars()
    ]
    data["audit_entries"] = [
        {
            "at": _iso(entry.at),
            "action": entry.action,
            "done_by_you": entry.actor_member_id == member_id,
            "details": entry.details,
        }
        for entry in (
            await session.execute(select(AuditEntry).where(about_member_clause(member_id)).order_by(AuditEntry.at))
        ).scalars()
    ]
    data["community"] = await community.export_member(session, member_id)
    data["knowledge_base"] = [
        {"source_id": d.source_id, "kind": d.kind, "title": d.title, "url": d.url, "updated_at": _iso(d.updated_at)}
        for d in (await session.execute(select(Document).where(Document.member_id == member_id))).scalars()
    ]
    return data


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Member.id, Member.display_name, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Member.organisation_id)
        .where(Member.id.in_(ids))
    )
    return {member_id: (name, organisation) for member_id, name, organisation in rows.all()}


async def _export_introductions(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    rows = (
        (
            await session.execute(
                select(Introduction)
                .where(or_(Introduction.requester_id == member_id, Introduction.target_id == member_id))
                .order_by(Introduction.requested_at)
            )
        )
        .scalars()
        .all()
    )
    transitions: dict[int, list[IntroductionTransition]] = {}
    if rows:
        for transition in (
            await session.execute(
                select(IntroductionTransition)
                .where(IntroductionTransition.introduction_id.in_([r.id for r in rows]))
                .order_by(IntroductionTransition.at, IntroductionTransition.id)
            )
        ).scalars():
            transitions.setdefault(transition.introduction_id, []).append(transition)
    others = {r.target_id if r.requester_id == member_id else r.requester_id for r in rows}
    names = await _names(session, {i for i in others if i is not None})
    exported = []
    for intro in rows:
        asked = intro.requester_id == member_id
        other_id = intro.target_id if asked else intro.requester_id
        other_snapshot = (intro.target_snapshot if asked else intro.requester_snapshot) or {}
        name, organisation = names.get(other_id, (None, None)) if other_id is not None else (None, None)
        exported.append(
            {
                "introduction_id": intro.id,
                "you_were": "requester" if asked else "asked to meet",
                "other_member": {
                    "name": name or ("an erased member" if other_id is None else None),
                    "organisation": organisation or other_snapshot.get("organisation"),
                },
                "state": intro.state,
                # The reason is the requester's text: yours when you asked, not exported otherwise.
                "your_reason": intro.reason if asked else None,
                "requested_at": _iso(intro.requested_at),
                "responded_at": _iso(intro.responded_at),
                "outcome_at": _iso(intro.outcome_at),
                "usefulness": intro.usefulness,
                "platform": intro.platform,
                "history": [
                    {
                        "from": t.from_state,
                        "to": t.to_state,
                        "at": _iso(t.at),
                        "by": "you"
                        if t.actor_member_id == member_id
                        else ("the other member" if t.actor_member_id else None),
                    }
                    for t in transitions.get(intro.id, [])
                ],
            }
        )
    return exported


async def _export_rsvps(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(RSVP, Event).join(Event, Event.id == RSVP.event_id).where(RSVP.member_id == member_id)
    )
    return [
        {
            "event_id": event.id,
            "event": event.title,
            "starts_at": _iso(event.starts_at),
            "status": rsvp.status,
            "updated_at": _iso(rsvp.updated_at),
        }
        for rsvp, event in rows.all()
    ]


async def _export_attendances(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        select(EventAttendance, Event)
        .join(Event, Event.id == EventAttendance.event_id)
        .where(EventAttendance.member_id == member_id)
        .order_by(Event.starts_at)
    )
    return [
        {
            "event_id": event.id,
            "event": event.title,
            "starts_at": _iso(event.starts_at),
            "recorded_at": _iso(attendance.recorded_at),
            "recorded_by": "you" if attendance.recorded_by_id == member_id else "a coordinator",
        }
        for attendance, event in rows.all()
    ]


async def _export_jobs(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    """Scheduled work addressed to the member: their event reminders (`member_id` in the payload) and the
    expiry and follow-up of their introductions (`introduction_id`). Payloads are free-form JSON, so they
    are read here rather than cast in SQL, as erasure does."""
    introductions = {
        str(intro_id)
        for intro_id in (
            await session.execute(
                select(Introduction.id).where(
                    or_(Introduction.requester_id == member_id, Introduction.target_id == member_id)
                )
            )
        ).scalars()
    }

    def addressed(payload: dict) -> bool:
        return str(payload.get("member_id")) == str(member_id) or (
            "introduction_id" in payload and str(payload["introduction_id"]) in introductions
        )

    return [
        {
            "kind": job.kind,
            "due_at": _iso(job.due_at),
            "status": job.status,
            "details": {key: value for key, value in (job.payload or {}).items() if key != "member_id"},
            "created_at": _iso(job.created_at),
            "finished_at": _iso(job.finished_at),
        }
        for job in (await session.execute(select(Job).order_by(Job.due_at, Job.id))).scalars()
        if addressed(job.payload or {})
    ]


async def _export_exchanges(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            select(Exchange)
            .where(or_(Exchange.member_a_id == member_id, Exchange.member_b_id == member_id))
            .order_by(Exchange.occurred_at)
        )
    ).scalars()
    exported = []
    for ex in rows:
        mine_a = ex.member_a_id == member_id
        sides = {
            "a": {"organisation": ex.organisation_a, "sector": ex.sector_a, "country": ex.country_a},
            "b": {"organisation": ex.organisation_b, "sector": ex.sector_b, "country": ex.country_b},
        }
        exported.append(
            {
                "exchange_id": ex.id,
                "kind": ex.kind,
                "occurred_at": _iso(ex.occurred_at),
                "platform": ex.platform,
                "channel_id": ex.channel_id,
                "your_side": sides["a" if mine_a else "b"],
                "other_side": sides["b" if mine_a else "a"],
                "cross_organisation": ex.cross_organisation,
                "cross_sector": ex.cross_sector,
                "cross_border": ex.cross_border,
                "with_source": ex.with_source,
                "introduction_id": ex.introduction_id,
                "event_id": ex.event_id,
            }
        )
    return exported


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode("utf-8")


# --- Confirmation tokens ------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def issue_confirmation(session: AsyncSession, member_id: int, purpose: str, now: datetime) -> str:
    """A fresh random token for one member and one purpose; an earlier unused one stops working."""
    await session.execute(
        delete(Confirmation).where(Confirmation.member_id == member_id, Confirmation.purpose == purpose)
    )
    token = secrets.token_urlsafe(18)
    session.add(
        Confirmation(
            member_id=member_id,
            purpose=purpose,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + ERASE_CONFIRMATION_TTL,
        )
    )
    await session.flush()
    return token


async def redeem_confirmation(session: AsyncSession, member_id: int, purpose: str, token: str, now: datetime) -> bool:
    """True once for a valid, unexpired token of this member: deleting the row is the claim, so a
    replay, a second click or another process's concurrent click finds nothing."""
    result = await session.execute(
        delete(Confirmation).where(
            Confirmation.member_id == member_id,
            Confirmation.purpose == purpose,
            Confirmation.token_hash == _token_hash(token),
            Confirmation.expires_at > now,
        )
    )
    return result.rowcount == 1


# --- Erasure ------------------------------------------------------------------------------------


@dataclass
class ErasureReport:
    introductions_anonymised: int = 0
    exchanges_anonymised: int = 0
    rsvps_deleted: int = 0
    documents_deleted: int = 0
    audit_entries_anonymised: int = 0
    tombstones: int = 0
    details: dict[str, int] = field(default_factory=dict)


def _anonymised_snapshot(snapshot: dict | None, fallback: dict[str, str | None]) -> dict[str, str | None]:
    """Only what the indicators count; anything else a snapshot held (a name, say) goes."""
    snapshot = snapshot or {}
    return {key: snapshot[key] if key in snapshot else fallback.get(key) for key in SNAPSHOT_KEYS}


async def erase_member(session: AsyncSession, member_id: int, now: datetime) -> ErasureReport:
    """Delete a member and everything that is theirs, anonymising what the indicators need.
    Runs in the caller's transaction: it all happens, or none of it does."""
    member = await session.get(Member, member_id)
    assert member is not None
    fallback = profile_snapshot(member)
    report = ErasureReport()

    introductions = (
        (
            await session.execute(
                select(Introduction).where(
                    or_(Introduction.requester_id == member_id, Introduction.target_id == member_id)
                )
            )
        )
        .scalars()
        .all()
    )
    for intro in introductions:
        if intro.requester_id == member_id:
            intro.requester_id = None
            intro.reason = None  # the requester's own words
            intro.requester_snapshot = _anonymised_snapshot(intro.requester_snapshot, fallback)
        if intro.target_id == member_id:
            intro.target_id = None
            intro.target_snapshot = _anonymised_snapshot(intro.target_snapshot, fallback)
    report.introductions_anonymised = len(introductions)
    await session.execute(
        update(IntroductionTransition)
        .where(IntroductionTransition.actor_member_id == member_id)
        .values(actor_member_id=None)
    )

    # Exchanges already carry their organisation, sector and country snapshot in columns.
    report.exchanges_anonymised = len(
        (
            await session.execute(
                select(Exchange.id).where(or_(Exchange.member_a_id == member_id, Exchange.member_b_id == member_id))
            )
        ).all()
    )
    await _unlink_exchanges(session, member_id)

    report.rsvps_deleted = (await session.execute(delete(RSVP).where(RSVP.member_id == member_id))).rowcount or 0

    documents = (await session.execute(select(Document.id, Document.source_id).where(Document.member_id == member_id))).all()
    document_ids = [row.id for row in documents]
    # Before the accounts and profiles go: what an ingest must never bring back, as hashes only.
    report.tombstones = await record_tombstones(
        session,
        [identity_key(identity.platform, identity.platform_user_id) for identity in member.identities]
        + [profile_key(row.source_id) for row in documents if not is_member_profile(row.source_id)],
    )
    if document_ids:
        await session.execute(delete(Chunk).where(Chunk.document_id.in_(document_ids)))
        await session.execute(delete(Pilot).where(Pilot.document_id.in_(document_ids)))
        await session.execute(delete(Document).where(Document.id.in_(document_ids)))
    report.documents_deleted = len(document_ids)
    erased_community = await community.erase_member(session, member_id)

    for entry in (await session.execute(select(AuditEntry).where(about_member_clause(member_id)))).scalars():
        details = dict(entry.details or {})
        if entry.actor_member_id == member_id:
            entry.actor_member_id = None
            details["actor_erased"] = True
        if details.get("subject_member_id") == member_id:
            details["subject_member_id"] = None
            details["subject_erased"] = True
        entry.details = details  # a new dict, so the JSON column is written
        report.audit_entries_anonymised += 1

    await session.execute(update(Event).where(Event.organiser_id == member_id).values(organiser_id=None))
    await session.execute(
        update(DigestSchedule).where(DigestSchedule.created_by_id == member_id).values(created_by_id=None)
    )
    # Jobs about them (a reminder, say) have nobody left to reach. Payloads are free-form JSON, so
    # they are read here rather than cast in SQL.
    for job in (await session.execute(select(Job).where(Job.status == "pending"))).scalars():
        if str((job.payload or {}).get("member_id")) == str(member_id):
            job.status, job.finished_at = "cancelled", now
    await session.execute(delete(ReplyPage).where(ReplyPage.member_id == member_id))
    await session.execute(delete(Confirmation).where(Confirmation.member_id == member_id))
    await session.execute(delete(PlatformIdentity).where(PlatformIdentity.member_id == member_id))
    session.expunge(member)
    await session.execute(delete(Member).where(Member.id == member_id))

    # Drop their expert profile from every process's search index at once.
    await bump_version(session)
    report.details = {
        "introductions_anonymised": report.introductions_anonymised,
        "exchanges_anonymised": report.exchanges_anonymised,
        "rsvps_deleted": report.rsvps_deleted,
        "documents_deleted": report.documents_deleted,
        "audit_entries_anonymised": report.audit_entries_anonymised,
        "community_questions_anonymised": erased_community.questions_anonymised,
        "community_answers_anonymised": erased_community.answers_anonymised,
    }
    await record_audit(session, None, PrivacyAudit.ERASED, report.details, at=now)
    return report


# --- what the `privacy` command asks for: each opens its own session ------------------------------


@dataclass
class Overview:
    """The member as stored now (their consent flags) and the counts of what is held about them."""

    member: Member
    held: HeldData


async def overview(core: Runtime, member_id: int) -> Overview:
    async with core.db.session() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        return Overview(member, await held_data(session, member))


async def change_consent(core: Runtime, member_id: int, flag: ConsentFlag, value: bool) -> int:
    """`set_consent` in a transaction of its own; returns how many past exchanges were unlinked."""
    async with core.db.session() as session, session.begin():
        unlinked = await set_consent(session, member_id, flag, value, core.clock.now())
    core.knowledge.index.invalidate()  # this process's next search sees the change at once, not within seconds
    return unlinked


async def export_for(core: Runtime, member_id: int) -> dict[str, Any]:
    async with core.db.session() as session:
        return await export_member_data(session, member_id, core.clock.now())


async def ask_to_erase(core: Runtime, member_id: int) -> str:
    """A one-time token that confirms the erasure (valid for ERASE_CONFIRMATION_TTL)."""
    async with core.db.session() as session, session.begin():
        return await issue_confirmation(session, member_id, ERASE_PURPOSE, core.clock.now())


async def erase_confirmed(core: Runtime, member_id: int, token: str) -> ErasureReport:
    """Erase the member if `token` is their valid confirmation; UserError (and nothing erased) otherwise."""
    now = core.clock.now()
    async with core.db.session() as session, session.begin():
        if not await redeem_confirmation(session, member_id, ERASE_PURPOSE, token, now):
            raise UserError(
                "That confirmation is not valid for you or has expired; nothing was erased.",
                hint="Type `privacy erase` to get a fresh button.",
            )
        report = await erase_member(session, member_id, now)
    core.knowledge.index.invalidate()
    return report
