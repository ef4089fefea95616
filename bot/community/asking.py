"""Asking the community: a new question, posted to the community channel and told to members whose
expertise matches (a few notes a week at most)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import record_audit
from bot.community.detect import detect_language, detect_themes
from bot.community.service import (
    CLOSEST_SHOWN,
    NOTICE_WINDOW,
    NOTICES_PER_QUESTION,
    OPEN,
    CommunityAudit,
    CommunityNotices,
    check_question,
)
from bot.indicators.exchanges import profile_snapshot
from config.vocabulary import parse_theme
from knowledge.model import KnowledgeError
from knowledge.search import Filters
from storage.models import CommunityChannel, CommunityNotice, CommunityQuestion, Member

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class Asked:
    question: CommunityQuestion
    # Where it was posted: (platform, channel id), or None when only on the board.
    posted_in: tuple[str, str] | None
    channel_missing: bool
    experts_told: int
    # True when the same member had already asked the same open question: nothing new was stored.
    existing: bool = False


async def _closest(core: Runtime, text: str) -> list[str]:
    """Titles of the closest knowledge, or nothing when the knowledge base is empty or unavailable."""
    try:
        if await core.knowledge.index.is_empty():
            return []
        answer = await core.knowledge.index.search(text, Filters(), limit=CLOSEST_SHOWN)
    except KnowledgeError:
        return []
    except Exception:  # the question still goes to the community: the closest knowledge is a courtesy
        log.exception("closest knowledge for a community question could not be found")
        return []
    titles: list[str] = []
    for result in answer.results:
        if result.doc.title not in titles:
            titles.append(f"{result.doc.title}" + (" (weak match)" if answer.weak else ""))
    return titles[:CLOSEST_SHOWN]


async def ask(
    core: Runtime, member: Member, text: str, *, anonymous: bool, platform: str, notices: CommunityNotices
) -> Asked:
    cleaned = check_question(text)
    now = core.clock.now()
    async with core.db.session() as session:
        existing = (
            await session.execute(
                select(CommunityQuestion).where(
                    CommunityQuestion.asker_id == member.id,
                    CommunityQuestion.text == cleaned,
                    CommunityQuestion.status == OPEN,
                )
            )
        ).scalars().first()
    if existing is not None:
        return Asked(existing, None, False, 0, existing=True)
    closest = await _closest(core, cleaned)
    async with core.db.session() as session, session.begin():
        asker = await session.get(Member, member.id)
        assert asker is not None
        question = CommunityQuestion(
            asker_id=member.id,
            anonymous=anonymous,
            text=cleaned,
            language=detect_language(cleaned),
            themes=detect_themes(cleaned),
            closest=closest,
            asker_snapshot=profile_snapshot(asker),
            status=OPEN,
            asked_at=now,
            platform=platform,
        )
        session.add(question)
        await session.flush()
        await record_audit(
            session, member.id, CommunityAudit.ASKED, {"question_id": question.id, "anonymous": anonymous}, at=now
        )
        channel = (
            await session.execute(select(CommunityChannel).where(CommunityChannel.platform == platform))
        ).scalar_one_or_none()
        channel_id = channel.channel_id if channel is not None else None
    posted_in = None
    if channel_id is not None:
        posted_in = await _post_question(core, question, member, platform, channel_id, notices)
    told = await _tell_experts(core, question, member, notices)
    transport_present = platform in core.transports and platform != "console"
    return Asked(question, posted_in, channel_id is None and transport_present, told)


async def _post_question(
    core: Runtime, question: CommunityQuestion, asker: Member, platform: str, channel_id: str,
    notices: CommunityNotices,
) -> tuple[str, str] | None:
    """Post the question into the community channel as the start of a thread; remember the thread."""
    transport = core.transports.get(platform)
    if transport is None:
        return None
    reply = notices.question_post(question, None if question.anonymous else asker)
    try:
        start_thread = getattr(transport, "start_thread", None)
        if start_thread is not None:
            thread_id = await start_thread(channel_id, reply)
        else:
            thread_id = await transport.send_channel(channel_id, reply)
    except Exception:  # stored on the board already: a platform failure loses only the post
        log.exception("community question %s could not be posted in %s channel %s", question.id, platform, channel_id)
        return None
    async with core.db.session() as session, session.begin():
        await session.execute(
            update(CommunityQuestion)
            .where(CommunityQuestion.id == question.id)
            .values(channel_id=channel_id, thread_id=thread_id)
        )
    question.channel_id, question.thread_id = channel_id, thread_id
    return platform, channel_id


# --- telling members whose expertise matches --------------------------------------------------------


def _themes_match(items: list[str], question: CommunityQuestion) -> bool:
    themes = {theme for item in items if (theme := parse_theme(item))} | set(detect_themes(", ".join(items)))
    return bool(themes & set(question.themes or []))


def _item_in_words(item: str, words: set[str]) -> bool:
    """Every longer word of the expertise item is in the question (a plural counts too)."""
    item_words = re.findall(r"[^\W\d_]{4,}", item.lower())
    return bool(item_words) and all(word in words or word.rstrip("s") in words for word in item_words)


def _expertise_matches(expert: Member, question: CommunityQuestion) -> bool:
    items = [item for item in (expert.expertise or []) if item.strip()]
    if not items:
        return False
    if _themes_match(items, question):
        return True
    words = set(re.findall(r"[^\W\d_]{4,}", question.text.lower()))
    return any(_item_in_words(item, words) for item in items)


async def _matching_experts(session: AsyncSession, question: CommunityQuestion, asker: Member) -> list[Member]:
    """Members who opted in (never the asker, never a bot) whose expertise matches the question."""
    candidates = (
        await session.execute(
            select(Member).where(
                Member.consent_community_questions.is_(True), Member.id != asker.id, Member.is_bot.is_(False)
            ).order_by(Member.id)
        )
    ).scalars().all()
    return [m for m in candidates if _expertise_matches(m, question)]


async def _notices_since(session: AsyncSession, since: datetime) -> dict[int, int]:
    """How many notices each member got since then."""
    return dict(
        (
            await session.execute(
                select(CommunityNotice.member_id, func.count(CommunityNotice.id))
                .where(CommunityNotice.sent_at > since)
                .group_by(CommunityNotice.member_id)
            )
        ).all()
    )


async def _claim_notice(core: Runtime, expert: Member, question: CommunityQuestion, now: datetime) -> bool:
    """Store the notice before sending it; False when it was stored already."""
    async with core.db.session() as session, session.begin():
        try:
            async with session.begin_nested():
                session.add(CommunityNotice(member_id=expert.id, question_id=question.id, sent_at=now))
        except IntegrityError:  # told already (another process)
            return False
    return True


async def _tell_experts(core: Runtime, question: CommunityQuestion, asker: Member, notices: CommunityNotices) -> int:
    """DM members who opted in and whose expertise matches, each at most a few times a week."""
    now = core.clock.now()
    weekly = core.settings.community_notices_per_week
    if weekly <= 0:
        return 0
    async with core.db.session() as session:
        matching = await _matching_experts(session, question, asker)
        recent = await _notices_since(session, now - NOTICE_WINDOW)
    told = 0
    for expert in matching:
        if told >= NOTICES_PER_QUESTION:
            break
        if recent.get(expert.id, 0) >= weekly:
            continue
        if not await _claim_notice(core, expert, question, now):
            continue
        if await core.tell(expert, notices.expert_notice(question, None if question.anonymous else asker, expert)):
            told += 1
    return told
