"""Long answers are split into pages; the rest is stored so "More" works from any process, any time."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.reply import Button, Reply, Section
from storage.database import Database
from storage.models import ReplyPage

PAGE_TTL = timedelta(days=14)
MORE_COMMAND = "more"


class PageMissing(LookupError):
    """No such page: `total` is the answer's page count when it is still stored, None when it expired."""

    def __init__(self, total: int | None) -> None:
        super().__init__(total)
        self.total = total


def next_page_command(reply: Reply) -> str | None:
    """The command of the reply's "More" button (what typing `more` after it stands for), if it has one."""
    return next((b.command for b in reply.buttons if b.command.startswith(f"{MORE_COMMAND} ")), None)


def _section_size(section: Section) -> int:
    size = len(section.title or "") + len(section.text) + len(section.context or "")
    size += sum(len(f.label) + len(f.value) for f in section.fields)
    return size + (len(section.link.url) if section.link else 0)


def split_sections(sections: list[Section], max_sections: int, max_chars: int) -> list[list[Section]]:
    pages: list[list[Section]] = []
    current: list[Section] = []
    size = 0
    for section in sections:
        section_size = _section_size(section)
        if current and (len(current) >= max_sections or size + section_size > max_chars):
            pages.append(current)
            current, size = [], 0
        current.append(section)
        size += section_size
    if current:
        pages.append(current)
    return pages


class Paginator:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def paginate(
        self, reply: Reply, *, member_id: int | None, now: datetime, max_sections: int, max_chars: int = 12000
    ) -> Reply:
        """The first page of `reply`; later pages are stored behind a "More" button."""
        pages = split_sections(reply.sections, max_sections, max_chars)
        if len(pages) <= 1:
            return reply
        return await self.store(reply, pages, member_id=member_id, now=now)

    async def store(
        self, reply: Reply, pages: list[list[Section]], *, member_id: int | None, now: datetime
    ) -> Reply:
        """Show `pages[0]` now and keep the rest for "More" (adapters use it when a platform limit is hit)."""
        total = len(pages)
        stored = [
            replace(reply, text=f"(page {number} of {total})", sections=page, attachments=[]).to_dict()
            for number, page in enumerate(pages[1:], start=2)
        ]
        # The reply's own buttons belong after the last page.
        for data in stored[:-1]:
            data["buttons"] = []
        page_id = secrets.token_urlsafe(12)
        async with self.db.session() as session, session.begin():
            session.add(ReplyPage(id=page_id, member_id=member_id, pages=stored, created_at=now))
        first = replace(reply, sections=pages[0], buttons=[self.more_button(page_id, 2, total)])
        if reply.text:
            first.text = f"{reply.text}\n(page 1 of {total})"
        else:
            first.text = f"(page 1 of {total})"
        return first

    @staticmethod
    def more_button(page_id: str, number: int, total: int) -> Button:
        return Button(label=f"More ({number}/{total})", command=f"{MORE_COMMAND} {page_id} {number}", style="primary")

    async def page(self, page_id: str, number: int) -> Reply:
        """Page `number` of a stored answer, or PageMissing (past the end, or expired)."""
        async with self.db.session() as session:
            row = await session.get(ReplyPage, page_id)
            if row is None:
                raise PageMissing(None)
            total = len(row.pages) + 1
            if not 2 <= number <= total:
                raise PageMissing(total)
            reply = Reply.from_dict(row.pages[number - 2])
        if number < total:
            reply.buttons = [self.more_button(page_id, number + 1, total)]
        return reply

    async def purge(self, now: datetime) -> int:
        async with self.db.session() as session, session.begin():
            result = await session.execute(delete(ReplyPage).where(ReplyPage.created_at < now - PAGE_TTL))
            return result.rowcount or 0
