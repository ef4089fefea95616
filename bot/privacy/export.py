"""Everything held about one member, as the JSON document `privacy export` sends them."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import about_member_clause
from bot.community import member_data as community_data
from bot.intros.service import DECLINED, EXPIRED, REQUESTED
from bot.privacy.consent import CONSENT_FLAGS
from knowledge.ingested_experts import unconfirmed_profiles_of
from storage.models import (
    RSVP,
    AuditEntry,
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
    ReplyPage,
)

EXPORT_FORMAT_VERSION = 1


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


async def export_member_data(session: AsyncSession, member_id: int, now: datetime) -> dict[str, Any]:
    """Everything held about one member, as JSON-ready data. Other people appear by name and
    organisation only; text other people wrote is left out."""
    member = await session.get(Member, member_id)
    assert member is not None
    data: dict[str, Any] = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": _iso(now),
        "profile": _profile(member),
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
    data["introductions"] = await _export_introductions(session, member_id, now)
    data["event_rsvps"] = await _export_rsvps(session, member_id)
    data["events_organised"] = await _export_events_organised(session, member_id)
    data["event_attendances"] = await _export_attendances(session, member_id)
    data["exchanges"] = await _export_exchanges(session, member_id)
    data["digest_schedules_created"] = await _export_digest_schedules(session, member_id)
    data["jobs_for_you"] = await _export_jobs(session, member_id)
    data["saved_reply_pages"] = await _export_reply_pages(session, member_id)
    data["audit_entries"] = await _export_audit_entries(session, member_id)
    data["community"] = await community_data.export_member(session, member_id)
    data["knowledge_base"] = await _export_documents(session, member_id)
    data["knowledge_base_awaiting_your_confirmation"] = await _export_unconfirmed(session, member_id)
    return data


def _profile(member: Member) -> dict[str, Any]:
    organisation = member.organisation
    return {
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
    }


async def _export_events_organised(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    return [
        {"event_id": e.id, "title": e.title, "starts_at": _iso(e.starts_at), "status": e.status}
        for e in (await session.execute(select(Event).where(Event.organiser_id == member_id))).scalars()
    ]


async def _export_digest_schedules(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    return [
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


async def _export_reply_pages(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    return [
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


async def _export_audit_entries(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    return [
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


async def _export_documents(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    return [
        {"source_id": d.source_id, "kind": d.kind, "title": d.title, "url": d.url, "updated_at": _iso(d.updated_at)}
        for d in (await session.execute(select(Document).where(Document.member_id == member_id))).scalars()
    ]


async def _export_unconfirmed(session: AsyncSession, member_id: int) -> list[dict[str, Any]]:
    """Expert profiles of the knowledge folder that name one of the member's accounts, not linked to them
    until they confirm (docs/knowledge.md)."""
    member = await session.get(Member, member_id)
    if member is None:
        return []
    return [
        {"source_id": source_id, "confirm_with": f"profile link {source_id}"}
        for _, source_id in await unconfirmed_profiles_of(session, member)
    ]


async def _names(session: AsyncSession, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Member.id, Member.display_name, Organisation.name)
        .outerjoin(Organisation, Organisation.id == Member.organisation_id)
        .where(Member.id.in_(ids))
    )
    return {member_id: (name, organisation) for member_id, name, organisation in rows.all()}


async def _export_introductions(session: AsyncSession, member_id: int, now: datetime) -> list[dict[str, Any]]:
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
    transitions = await _transitions_of(session, [r.id for r in rows])
    others = {r.target_id if r.requester_id == member_id else r.requester_id for r in rows}
    names = await _names(session, {i for i in others if i is not None})
    return [_introduction_entry(intro, member_id, names, transitions.get(intro.id, []), now) for intro in rows]


async def _transitions_of(session: AsyncSession, intro_ids: list[int]) -> dict[int, list[IntroductionTransition]]:
    """Each introduction's transitions, oldest first."""
    transitions: dict[int, list[IntroductionTransition]] = {}
    if not intro_ids:
        return transitions
    for transition in (
        await session.execute(
            select(IntroductionTransition)
            .where(IntroductionTransition.introduction_id.in_(intro_ids))
            .order_by(IntroductionTransition.at, IntroductionTransition.id)
        )
    ).scalars():
        transitions.setdefault(transition.introduction_id, []).append(transition)
    return transitions


def _introduction_entry(
    intro: Introduction,
    member_id: int,
    names: dict[int, tuple[str, str | None]],
    history: list[IntroductionTransition],
    now: datetime,
) -> dict[str, Any]:
    asked = intro.requester_id == member_id
    entry = {
        "introduction_id": intro.id,
        "you_were": "requester" if asked else "asked to meet",
        "other_member": _other_member(intro, asked, names),
        "state": intro.state,
        # The reason is the requester's text: yours when you asked, not exported otherwise.
        "your_reason": intro.reason if asked else None,
        "requested_at": _iso(intro.requested_at),
        "responded_at": _iso(intro.responded_at),
        "outcome_at": _iso(intro.outcome_at),
        # Only your own rating: the combined one would tell you roughly how the other member rated it.
        "your_rating": intro.requester_usefulness if asked else intro.target_usefulness,
        "platform": intro.platform,
        "history": [_transition_entry(transition, member_id) for transition in history],
    }
    return _as_the_requester_sees_a_decline(entry, intro, now) if asked and intro.state == DECLINED else entry


def _as_the_requester_sees_a_decline(entry: dict[str, Any], intro: Introduction, now: datetime) -> dict[str, Any]:
    """A declined request as its requester sees it everywhere (docs/introductions.md): waiting until it
    closes, then closed unanswered, like one nobody answered; never who said no, or when."""
    closed = intro.expires_at is not None and intro.expires_at <= now
    history = [step for step in entry["history"] if step["to"] != DECLINED]
    if closed:
        history.append({"from": REQUESTED, "to": EXPIRED, "at": _iso(intro.expires_at), "by": None})
    return {**entry, "state": EXPIRED if closed else REQUESTED, "responded_at": None, "history": history}


def _other_member(intro: Introduction, asked: bool, names: dict[int, tuple[str, str | None]]) -> dict[str, Any]:
    """The other side by name and organisation: as they are now, or as the introduction's snapshot has them."""
    other_id = intro.target_id if asked else intro.requester_id
    other_snapshot = (intro.target_snapshot if asked else intro.requester_snapshot) or {}
    name, organisation = names.get(other_id, (None, None)) if other_id is not None else (None, None)
    return {
        "name": name or ("an erased member" if other_id is None else None),
        "organisation": organisation or other_snapshot.get("organisation"),
    }


def _transition_entry(transition: IntroductionTransition, member_id: int) -> dict[str, Any]:
    actor = transition.actor_member_id
    by = "you" if actor == member_id else ("the other member" if actor else None)
    return {"from": transition.from_state, "to": transition.to_state, "at": _iso(transition.at), "by": by}


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
