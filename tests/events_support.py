"""Helpers for the event and digest tests: members with roles and time zones, events, jobs."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.app.core import Lighthouse
from bot.members.service import resolve_member
from bot.message import Author
from storage.lookups import find_by_identity
from storage.models import Job
from tests.support import Chat

OBESITY_EVENT = (
    'event add title="Obesity in schools" start="2026-12-03 14:00 Europe/Copenhagen" duration=90m '
    "place=Online themes=obesity,equity"
)


async def make_member(core: Lighthouse, name: str, *, role: str = "member", timezone: str | None = None) -> int:
    async with core.db.session() as session, session.begin():
        member = await resolve_member(session, Author(platform="console", user_id=name, display_name=name))
        member.role = role
        member.timezone = timezone
        return member.id


async def member_id(core: Lighthouse, name: str) -> int:
    async with core.db.session() as session:
        member = await find_by_identity(session, "console", name)
        assert member is not None, name
        return member.id


async def add_event(chat: Chat, text: str = OBESITY_EVENT, *, as_user: str = "carol") -> int:
    reply = await chat.say(text, as_user=as_user)
    match = re.search(r"New event #(\d+)", reply.text)
    assert match, reply.plain_text()
    return int(match.group(1))


async def jobs(core: Lighthouse, key_prefix: str = "") -> list[Job]:
    async with core.db.session() as session:
        rows = await session.execute(select(Job).where(Job.key.startswith(key_prefix)).order_by(Job.due_at, Job.id))
        return list(rows.scalars())
