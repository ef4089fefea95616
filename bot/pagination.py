"""Long answers are split into pages; the rest is stored so "More" works from any process, any time.

Each later page says what it continues (the question asked, or the answer's first line), since it may be read
far from the first page: in a busy channel, or after a day. A "More" button posts its page once; pressed again
(by anyone) it only says so, privately.

The later pages are written once the first page is on its way: the write starts WRITE_AFTER_SECONDS after
the answer (so neither the answer nor its sending waits for it or shares the process with it), or at once
when this process's own "More" or `flush()` (at shutdown) needs it.

Paging is decided here, once, by the budget of the platform the answer goes to (`PageBudget`): so many
results and characters a page, and, for a platform whose messages are limited in units of its own (Slack's
50 blocks), its own measure. Adapters render the page they are given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reply import Button, Reply, Section
from bot.sanitize import without_mentions
from knowledge.directory import still_shown
from storage.database import Database
from storage.lookups import find_by_identity
from storage.models import ReplyPage

log = logging.getLogger(__name__)

PAGE_TTL = timedelta(days=14)
MORE_COMMAND = "more"
# What an answer's page holds at most, whatever the platform could hold.
ANSWER_CHARS = 12000
# How long the later pages wait before they are stored: longer than sending the first page takes, far
# shorter than anyone takes to read it and press "More" (which in this process stores them at once).
WRITE_AFTER_SECONDS = 0.5
# How much of the question a later page quotes: enough to recognise it, short enough for one line.
TOPIC_CHARS = 80


@dataclass(frozen=True)
class PageBudget:
    """What one message of a platform holds; None is no limit of the platform's own. The core adds its
    own limits for answers (`Runtime.page_budget`: the settings' results per page, ANSWER_CHARS)."""

    results: int | None = None  # sections a page
    chars: int | None = None  # characters a page (titles, texts, fields, links)
    # The platform's own shape of a reply (Slack cuts sections to its block limits); applied before paging.
    prepare: Callable[[Reply], Reply] | None = None
    # A page as the platform's messages hold it, in units of its own: one list of sections a message.
    split: Callable[[Reply], list[list[Section]]] | None = None

    def within(self, results: int, chars: int) -> PageBudget:
        """This budget, held to at most `results` sections and `chars` characters a page."""
        return replace(self, results=min(self.results or results, results), chars=min(self.chars or chars, chars))


NO_LIMIT = PageBudget()


class PageMissing(LookupError):
    """No such page: `total` is the answer's page count when it is still stored, None when it expired."""

    def __init__(self, total: int | None) -> None:
        super().__init__(total)
        self.total = total


class PageNotYours(LookupError):
    """A page of another member's private (or direct) answer: served only to the member it was for."""


class PageAlreadyPosted(LookupError):
    """A "More" button pressed again: its page was already posted, where the button is."""

    def __init__(self, number: int, total: int) -> None:
        super().__init__(number, total)
        self.number = number
        self.total = total


class NoLastAnswer(LookupError):
    """A bare `more` from a member with no stored long answer (none yet, or it expired)."""


def page_topic(question: str | None, reply: Reply) -> str:
    """What the later pages of `reply` continue, in one short line without mentions: the question as the first
    page names it (`reply.topic`), else the message that asked, else the answer's own first line (a digest's
    title); empty when there is none of them."""
    lines = (reply.topic or question or "").strip().splitlines() or reply.text.strip().splitlines()
    topic = without_mentions(lines[0]) if lines else ""
    return topic if len(topic) <= TOPIC_CHARS else topic[: TOPIC_CHARS - 1].rstrip() + "…"


def later_page_text(number: int, total: int, topic: str) -> str:
    """The line a later page starts with: which page, and of what."""
    return f"“{topic}”, continued (page {number} of {total})" if topic else f"(page {number} of {total})"


def _section_size(section: Section) -> int:
    size = len(section.title or "") + len(section.text) + len(section.context or "")
    size += sum(len(f.label) + len(f.value) for f in section.fields)
    return size + (len(section.link.url) if section.link else 0)


def split_sections(
    sections: list[Section], max_sections: int | None, max_chars: int | None
) -> list[list[Section]]:
    pages: list[list[Section]] = []
    current: list[Section] = []
    size = 0
    for section in sections:
        section_size = _section_size(section)
        full = max_sections is not None and len(current) >= max_sections
        if current and (full or (max_chars is not None and size + section_size > max_chars)):
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
        self._writing: set[asyncio.Task] = set()  # later pages waiting to be stored, or being stored
        self._write_lock = asyncio.Lock()
        self._write_now = asyncio.Event()  # set while flush() waits: waiting writes start at once

    async def paginate(
        self,
        reply: Reply,
        *,
        now: datetime,
        member_id: int | None = None,
        owner: tuple[str, str] | None = None,
        budget: PageBudget = NO_LIMIT,
        max_sections: int | None = None,
        max_chars: int | None = None,
        question: str | None = None,
    ) -> Reply:
        """The first page of `reply` by `budget` (or `max_sections` and `max_chars`); later pages are stored
        behind a "More" button, for `member_id` (or the member with the platform identity `owner`), each
        naming the `question` it continues."""
        budget = replace(budget, results=max_sections or budget.results, chars=max_chars or budget.chars)
        pages = split_sections(reply.sections, budget.results, budget.chars)
        shaped = reply
        topic = page_topic(question, reply)
        if budget.prepare is not None:
            shaped, pages = _prepared(reply, pages, budget.prepare)
        if budget.split is not None:
            pages = _split_further(shaped, pages, budget.split, topic)
        if len(pages) <= 1:
            return shaped
        if member_id is None and owner is not None:
            member_id = await self._member_id(*owner)
        return await self.store(shaped, pages, member_id=member_id, now=now, topic=topic)

    async def _member_id(self, platform: str, user_id: str) -> int | None:
        async with self.db.session() as session:
            member = await find_by_identity(session, platform, user_id)
            return member.id if member is not None else None

    async def store(
        self, reply: Reply, pages: list[list[Section]], *, member_id: int | None, now: datetime, topic: str = ""
    ) -> Reply:
        """Show `pages[0]` now and keep the rest for "More", each saying it continues `topic`."""
        total = len(pages)
        # The later pages as they will be shown (turned into stored data with the write, after the answer).
        later = [
            replace(reply, text=later_page_text(number, total, topic), sections=page, attachments=[])
            for number, page in enumerate(pages[1:], start=2)
        ]
        page_id = secrets.token_urlsafe(12)
        write = asyncio.ensure_future(self._write_soon(page_id, member_id, later, now))
        self._writing.add(write)
        write.add_done_callback(self._writing.discard)
        first = replace(reply, sections=pages[0], buttons=[self.more_button(page_id, 2, total)])
        if reply.text:
            first.text = f"{reply.text}\n(page 1 of {total})"
        else:
            first.text = f"(page 1 of {total})"
        return first

    async def _write_soon(self, page_id: str, member_id: int | None, later: list[Reply], now: datetime) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(WRITE_AFTER_SECONDS):
                await self._write_now.wait()
        await self._write(page_id, member_id, later, now)

    async def _write(self, page_id: str, member_id: int | None, later: list[Reply], now: datetime) -> None:
        try:
            stored = [page.to_dict() for page in later]
            # The reply's own buttons belong after the last page.
            for data in stored[:-1]:
                data["buttons"] = []
            # One at a time, in the order answered: each answer's served order is above the one before.
            async with self._write_lock, self.db.session() as session, session.begin():
                order = await _next_served_order(session, member_id)
                session.add(
                    ReplyPage(id=page_id, member_id=member_id, pages=stored, created_at=now, shown=1, served_order=order)
                )
        except Exception:  # the first page was answered; "More" will say the rest is gone
            log.exception("could not store the later pages of an answer")

    async def flush(self) -> None:
        """Store every answer's later pages now, and wait until they are (before "More", and at shutdown)."""
        self._write_now.set()
        try:
            while self._writing:
                await asyncio.gather(*list(self._writing), return_exceptions=True)
        finally:
            self._write_now.clear()

    @staticmethod
    def more_button(page_id: str, number: int, total: int) -> Button:
        return Button(label=f"More ({number}/{total})", command=f"{MORE_COMMAND} {page_id} {number}", style="primary")

    async def page(
        self, page_id: str, number: int, *, member_id: int | None = None, from_button: bool = False
    ) -> Reply:
        """Page `number` of a stored answer, or PageMissing (past the end, or expired). A page of a private
        answer is served only to its own member (PageNotYours for anyone else); a public answer's pages, shown
        in a channel, to anyone there. Served to the answer's own member (`member_id`), it becomes the last
        answer a bare `more` continues. A "More" button (`from_button`) of a public answer posts its page once:
        pressed again, by anyone, it raises PageAlreadyPosted (a typed link is served whenever asked). A private
        answer's page is served again each time: only its member sees it, and an ephemeral message is gone once
        dismissed or the app reloads."""
        await self.flush()
        async with self.db.session() as session, session.begin():
            row = await session.get(ReplyPage, page_id)
            if row is None:
                raise PageMissing(None)
            reply = await self._serve(session, row, number, member_id)
            if from_button and not _private(row) and not await _claim_button(session, page_id, number):
                raise PageAlreadyPosted(number, len(row.pages) + 1)
            return reply

    async def next_page(self, member_id: int, number: int | None = None) -> Reply:
        """The page after the one the member saw last of their last long answer (the one served to them most
        recently), or its page `number`: NoLastAnswer when there is none, PageMissing when they saw its last
        page (or it has no page `number`)."""
        await self.flush()
        async with self.db.session() as session, session.begin():
            last = await session.scalar(
                select(ReplyPage)
                .where(ReplyPage.member_id == member_id)
                .order_by(ReplyPage.served_order.desc(), ReplyPage.created_at.desc())
                .limit(1)
            )
            if last is None:
                raise NoLastAnswer()
            return await self._serve(session, last, last.shown + 1 if number is None else number, member_id)

    async def _serve(self, session: AsyncSession, row: ReplyPage, number: int, member_id: int | None) -> Reply:
        if _private(row) and row.member_id not in (None, member_id):
            raise PageNotYours(row.id)  # a page link passed on does not open someone's private answer
        total = len(row.pages) + 1
        if not 2 <= number <= total:
            raise PageMissing(total)
        reply = await _still_shown(session, Reply.from_dict(row.pages[number - 2]))
        if number < total:
            reply.buttons = [self.more_button(row.id, number + 1, total)]
        if member_id is not None and row.member_id == member_id:
            row.served_order = await _next_served_order(session, member_id)
            row.shown = number
        return reply

    async def purge(self, now: datetime) -> int:
        async with self.db.session() as session, session.begin():
            result = await session.execute(delete(ReplyPage).where(ReplyPage.created_at < now - PAGE_TTL))
            return result.rowcount or 0


def _private(row: ReplyPage) -> bool:
    """Whether the stored answer was for its member alone (shown privately, or in their direct messages)."""
    first = row.pages[0] if row.pages else {}
    return bool(first.get("private") or first.get("direct"))


async def _still_shown(session: AsyncSession, reply: Reply) -> Reply:
    """A stored page without the documents that may no longer be shown: removed from the knowledge base since
    (an erased member's profile) or hidden by their member (expert search switched off). Said in one line that
    does not tell which, nor why."""
    shown = await still_shown(session, {s.source_id for s in reply.sections if s.source_id})
    kept = [s for s in reply.sections if not s.source_id or s.source_id in shown]
    # Counted by document: a platform may have cut one result into several sections.
    gone = len({s.source_id for s in reply.sections if s.source_id and s.source_id not in shown})
    if gone:
        reply.sections = kept
        reply.text += f"\n({gone} {'result' if gone == 1 else 'results'} of this page no longer available.)"
    return reply


async def _claim_button(session: AsyncSession, page_id: str, number: int) -> bool:
    """Whether this press of the button for page `number` is the one that posts it: a conditional update, so
    of two presses at once (in two processes) only one wins."""
    result = await session.execute(
        update(ReplyPage)
        .where(ReplyPage.id == page_id, ReplyPage.button_page < number)
        .values(button_page=number)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def _next_served_order(session: AsyncSession, member_id: int | None) -> int:
    """One more than the member's highest: the answer served now is their last one."""
    if member_id is None:
        return 0
    highest = await session.scalar(
        select(func.max(ReplyPage.served_order)).where(ReplyPage.member_id == member_id)
    )
    return (highest or 0) + 1


def _prepared(
    reply: Reply, pages: list[list[Section]], prepare: Callable[[Reply], Reply]
) -> tuple[Reply, list[list[Section]]]:
    """The reply in the platform's shape, and its pages in that shape: a page keeps the results it was given
    (a result the platform cuts into several sections still counts as one), the first page also what the
    platform made of the reply's text."""
    head = prepare(replace(reply, sections=[]))

    def shaped(section: Section) -> list[Section]:
        return prepare(Reply(sections=[section])).sections

    shaped_pages = [
        [*(head.sections if number == 0 else []), *(part for section in page for part in shaped(section))]
        for number, page in enumerate(pages or [[]])
    ]
    return replace(head, sections=[s for page in shaped_pages for s in page]), shaped_pages


def _split_further(
    reply: Reply, pages: list[list[Section]], split: Callable[[Reply], list[list[Section]]], topic: str
) -> list[list[Section]]:
    """Each page cut again where the platform's messages cannot hold it, measured as it will be sent: the
    first page with the reply's text, later ones with "(page n of m)" and their topic, all but the last with
    "More"."""
    more = [Paginator.more_button("-" * 16, 99, 99)]
    if len(pages) == 1:
        return split(replace(reply, sections=pages[0]))
    parts: list[list[Section]] = []
    for index, page in enumerate(pages):
        last = index == len(pages) - 1
        text = f"{reply.text}\n(page 1 of 99)" if index == 0 else later_page_text(99, 99, topic)
        parts += split(replace(reply, text=text, sections=page, buttons=reply.buttons if last else more))
    return parts
