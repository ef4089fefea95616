"""Erasure: one-time confirmation tokens, and deleting a member while keeping the community's numbers right.

Introductions and exchanges that involved them stay, without their member id and without any text they
wrote, but with the organisation, sector and country snapshot the indicators count; their requests still
open are withdrawn (bot/intros/leaving.py). It leaves tombstones
(hashes of their chat accounts and of their expert profiles' ids, storage/tombstones.py) so that no later
ingest of a knowledge folder that still holds their profile brings them back."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import about_member_clause, record_audit
from bot.community import member_data as community_data
from bot.indicators.exchanges import profile_snapshot, unlink_member
from bot.intros.leaving import withdraw_requests_of
from knowledge.ingested_experts import unconfirmed_profiles_of
from knowledge.profiles import is_member_profile
from knowledge.version import bump_version
from storage.lookups import held_member
from storage.models import (
    RSVP,
    AuditEntry,
    Chunk,
    Confirmation,
    DigestSchedule,
    Document,
    Event,
    Exchange,
    Introduction,
    IntroductionTransition,
    Job,
    Member,
    Pilot,
    PlatformIdentity,
    ReplyPage,
)
from storage.tombstones import identity_key, profile_key, record_tombstones


class PrivacyAudit(StrEnum):
    """The audit action of an erasure (worded by `bot.privacy.views`)."""

    ERASED = "member.erased"


ERASE_PURPOSE = "erase"
ERASE_CONFIRMATION_TTL = timedelta(minutes=15)
SNAPSHOT_KEYS = ("organisation", "sector", "country")


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
    introduction_requests_withdrawn: int = 0
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
    Runs in the caller's transaction: it all happens, or none of it does. The member's row is held first,
    so a write that links data to them (an RSVP, an ingested profile, a profile edit) either commits
    before and is found here, or waits and then finds the member gone."""
    member = await held_member(session, member_id)
    fallback = profile_snapshot(member)
    report = ErasureReport()

    # Their open requests close first, while the rows still name them: nobody can accept one any more.
    report.introduction_requests_withdrawn = await withdraw_requests_of(session, member_id, now)
    report.introductions_anonymised = await _anonymise_introductions(session, member_id, fallback)
    report.exchanges_anonymised = await _unlink_exchanges(session, member_id)

    report.rsvps_deleted = (await session.execute(delete(RSVP).where(RSVP.member_id == member_id))).rowcount or 0

    report.tombstones, report.documents_deleted = await _delete_documents(session, member, member_id)
    erased_community = await community_data.erase_member(session, member_id, now)

    report.audit_entries_anonymised = await _anonymise_audit_entries(session, member_id)

    await session.execute(update(Event).where(Event.organiser_id == member_id).values(organiser_id=None))
    await session.execute(
        update(DigestSchedule).where(DigestSchedule.created_by_id == member_id).values(created_by_id=None)
    )
    await _cancel_jobs_about(session, member_id, now)
    await session.execute(delete(ReplyPage).where(ReplyPage.member_id == member_id))
    await session.execute(delete(Confirmation).where(Confirmation.member_id == member_id))
    await session.execute(delete(PlatformIdentity).where(PlatformIdentity.member_id == member_id))
    session.expunge(member)
    await session.execute(delete(Member).where(Member.id == member_id))

    # Drop their expert profile from every process's search index at once.
    await bump_version(session)
    report.details = {
        "introductions_anonymised": report.introductions_anonymised,
        "introduction_requests_withdrawn": report.introduction_requests_withdrawn,
        "exchanges_anonymised": report.exchanges_anonymised,
        "rsvps_deleted": report.rsvps_deleted,
        "documents_deleted": report.documents_deleted,
        "audit_entries_anonymised": report.audit_entries_anonymised,
        "community_questions_anonymised": erased_community.questions_anonymised,
        "community_answers_anonymised": erased_community.answers_anonymised,
    }
    await record_audit(session, None, PrivacyAudit.ERASED, report.details, at=now)
    return report


async def _anonymise_introductions(session: AsyncSession, member_id: int, fallback: dict[str, str | None]) -> int:
    """The member leaves their introductions (and their steps) as a snapshot the indicators count."""
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
    await session.execute(
        update(IntroductionTransition)
        .where(IntroductionTransition.actor_member_id == member_id)
        .values(actor_member_id=None)
    )
    return len(introductions)


async def _unlink_exchanges(session: AsyncSession, member_id: int) -> int:
    # Exchanges already carry their organisation, sector and country snapshot in columns.
    count = len(
        (
            await session.execute(
                select(Exchange.id).where(or_(Exchange.member_a_id == member_id, Exchange.member_b_id == member_id))
            )
        ).all()
    )
    await unlink_member(session, member_id)
    return count


async def _delete_documents(session: AsyncSession, member: Member, member_id: int) -> tuple[int, int]:
    """The member's documents go, tombstoned with their accounts: (tombstones, documents deleted)."""
    documents = [
        (row.id, row.source_id)
        for row in (await session.execute(select(Document.id, Document.source_id).where(Document.member_id == member_id)))
    ]
    documents += await unconfirmed_profiles_of(session, member)  # profiles naming their account, not confirmed
    document_ids = [document_id for document_id, _ in documents]
    # Before the accounts and profiles go: what an ingest must never bring back, as hashes only.
    tombstones = await record_tombstones(
        session,
        [identity_key(identity.platform, identity.platform_user_id) for identity in member.identities]
        + [profile_key(source_id) for _, source_id in documents if not is_member_profile(source_id)],
    )
    if document_ids:
        await session.execute(delete(Chunk).where(Chunk.document_id.in_(document_ids)))
        await session.execute(delete(Pilot).where(Pilot.document_id.in_(document_ids)))
        await session.execute(delete(Document).where(Document.id.in_(document_ids)))
    return tombstones, len(document_ids)


async def _anonymise_audit_entries(session: AsyncSession, member_id: int) -> int:
    count = 0
    for entry in (await session.execute(select(AuditEntry).where(about_member_clause(member_id)))).scalars():
        entry.details = _erased_details(entry, member_id)  # a new dict, so the JSON column is written
        if entry.actor_member_id == member_id:
            entry.actor_member_id = None
        count += 1
    return count


def _erased_details(entry: AuditEntry, member_id: int) -> dict:
    details = dict(entry.details or {})
    if entry.actor_member_id == member_id:
        details["actor_erased"] = True
    if details.get("subject_member_id") == member_id:
        details["subject_member_id"] = None
        details["subject_erased"] = True
    return details


async def _cancel_jobs_about(session: AsyncSession, member_id: int, now: datetime) -> None:
    # Jobs about them (a reminder, say) have nobody left to reach. Payloads are free-form JSON, so
    # they are read here rather than cast in SQL.
    for job in (await session.execute(select(Job).where(Job.status == "pending"))).scalars():
        if str((job.payload or {}).get("member_id")) == str(member_id):
            job.status, job.finished_at = "cancelled", now
