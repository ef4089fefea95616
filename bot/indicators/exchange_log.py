"""Passive exchange logging with group commit.

Adapters call `observe()` for every reply they see, often many at once. Each call waits until its
observation is durably written, but observations that arrive while a write is in progress are written
together in the next transaction, so throughput grows with load while no call returns before its row
is stored (nothing is lost on shutdown).

Only members who already have a profile count: passive logging never creates members, and it stores
organisation, sector and country — never the text.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from bot.delivery import receipt_key
from bot.indicators.exchanges import THREAD_REPLY, known_and_different, unlinked_day
from bot.message import Message
from bot.sanitize import clean_message
from storage.lookups import lock_members
from storage.models import (
    DeliveryReceipt,
    Exchange,
    Member,
    Organisation,
    PlatformIdentity,
)

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

MAX_BATCH = 1000


@dataclass(frozen=True)
class _Profile:
    member_id: int
    organisation_id: int | None
    organisation: str | None
    sector: str | None
    country: str | None
    consent: bool


def is_candidate(message: Message) -> bool:
    """A reply by a person to another person: worth looking up."""
    other = message.reply_to
    return (
        other is not None
        and not message.author.is_bot
        and not other.is_bot
        and (other.platform, other.user_id) != (message.author.platform, message.author.user_id)
    )


_LINK = re.compile(r"https?://\S", re.IGNORECASE)


def cites_source(text: str) -> bool:
    """An answer cites a source when it links one: only this flag is kept, never the text or the link."""
    return bool(_LINK.search(text or ""))


def dedupe_key(message: Message) -> str | None:
    if not message.message_id:
        return None
    return f"{message.platform}:{message.channel_id}:{message.message_id}"


class ExchangeLog:
    def __init__(self, core: Runtime) -> None:
        self.core = core
        self._pending: list[tuple[Message, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def observe(self, message: Message) -> None:
        if not self.core.settings.exchange_logging or not is_candidate(message):
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        # One malformed id (a NUL byte, say) must not fail the whole batch it is written with.
        self._pending.append((clean_message(message), future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_pending())
        await future

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            try:
                await self._write([message for message, _ in batch])
            except Exception:
                # Logging must never break the conversation it observes; the failure is logged loudly.
                log.exception("exchange logging failed for a batch of %d messages", len(batch))
            for _, future in batch:
                if not future.done():
                    future.set_result(None)

    async def _write(self, messages: list[Message]) -> None:
        accounts = _accounts(messages)
        now = self.core.clock.now()
        async with self.core.db.session() as session, session.begin():
            # The members' rows first (shared), then their profiles and consent: a member switching exchange
            # logging off, or erased, at the same moment either committed before and is read here, or
            # waits for this batch and then unlinks its rows.
            await lock_members(session, [p.member_id for p in (await _profiles(session, accounts)).values()], shared=True)
            profiles = await _profiles(session, accounts)
            rows, anonymous, unlinked = _sort_rows(messages, profiles, now)
            anonymous.extend(await _first_seen(session, unlinked, now))
            await _drop_stored(session, rows)
            to_insert = [*rows.values(), *anonymous]
            if to_insert:
                await _insert_rows(session, to_insert)


def _accounts(messages: list[Message]) -> set[tuple[str, str]]:
    accounts = {(m.author.platform, m.author.user_id) for m in messages}
    return accounts | {(m.reply_to.platform, m.reply_to.user_id) for m in messages if m.reply_to}


def _sides(message: Message, profiles: dict[tuple[str, str], _Profile]) -> tuple[_Profile, _Profile] | None:
    """The asker's and the responder's profiles, when both are known and in different organisations."""
    assert message.reply_to is not None
    asker = profiles.get((message.reply_to.platform, message.reply_to.user_id))
    responder = profiles.get((message.author.platform, message.author.user_id))
    if asker is None or responder is None or not _different_organisations(asker, responder):
        return None
    return asker, responder


def _sort_rows(
    messages: list[Message], profiles: dict[tuple[str, str], _Profile], now
) -> tuple[dict[str, dict], list[dict], dict[str, dict]]:
    """Rows deduplicated on the row, rows without a key, and rows deduplicated by a receipt."""
    rows: dict[str, dict] = {}
    anonymous: list[dict] = []
    unlinked: dict[str, dict] = {}  # a side opted out: deduplicated by a receipt, not on the row
    for message in messages:
        sides = _sides(message, profiles)
        if sides is None:
            continue
        asker, responder = sides
        row = _exchange_row(message, asker, responder, now)
        key = dedupe_key(message)
        if key is None:
            anonymous.append(row)
        elif asker.consent and responder.consent:
            rows.setdefault(key, row)
        else:
            unlinked.setdefault(receipt_key(message.platform, "exchange", key), row)
    return rows, anonymous, unlinked


async def _first_seen(session, unlinked: dict[str, dict], now) -> list[dict]:
    """The unlinked rows whose receipt was not stored before; their receipts are stored now."""
    fresh: list[dict] = []
    for receipt, row in unlinked.items():
        # A retried delivery finds the receipt (kept, and purged, like the platform's other
        # receipts); nothing on the row or the receipt joins one to the other.
        try:
            async with session.begin_nested():
                session.add(DeliveryReceipt(key=receipt, seen_at=now))
        except IntegrityError:
            continue
        fresh.append(row)
    return fresh


async def _drop_stored(session, rows: dict[str, dict]) -> None:
    if rows:
        seen = await session.execute(select(Exchange.dedupe_key).where(Exchange.dedupe_key.in_(list(rows))))
        for (key,) in seen:
            rows.pop(key, None)


async def _insert_rows(session, to_insert: list[dict]) -> None:
    try:
        async with session.begin_nested():
            await session.execute(insert(Exchange), to_insert)
    except IntegrityError:
        # Another process stored some of the same deliveries meanwhile: insert one by one.
        for row in to_insert:
            try:
                async with session.begin_nested():
                    await session.execute(insert(Exchange), [row])
            except IntegrityError:
                continue


async def _profiles(session, accounts: set[tuple[str, str]]) -> dict[tuple[str, str], _Profile]:  # noqa: ANN001
    found: dict[tuple[str, str], _Profile] = {}
    account_list = list(accounts)
    for start in range(0, len(account_list), 400):  # keep the IN list within every backend's limits
        chunk = account_list[start : start + 400]
        result = await session.execute(
            select(
                PlatformIdentity.platform,
                PlatformIdentity.platform_user_id,
                Member.id,
                Member.organisation_id,
                Organisation.name,
                Member.sector,
                Member.country,
                Member.consent_exchange_logging,
            )
            .join(Member, Member.id == PlatformIdentity.member_id)
            .outerjoin(Organisation, Organisation.id == Member.organisation_id)
            .where(tuple_(PlatformIdentity.platform, PlatformIdentity.platform_user_id).in_(chunk))
            .where(Member.is_bot.is_(False))
        )
        for platform, user_id, member_id, organisation_id, organisation, sector, country, consent in result:
            found[(platform, user_id)] = _Profile(member_id, organisation_id, organisation, sector, country, consent)
    return found


def _different_organisations(a: _Profile, b: _Profile) -> bool:
    return a.member_id != b.member_id and None not in (a.organisation_id, b.organisation_id) and (
        a.organisation_id != b.organisation_id
    )



def _exchange_row(message: Message, asker: _Profile, responder: _Profile, now) -> dict:  # noqa: ANN001
    # When either side opted out, the row is counted by organisation, sector and country only: nothing on
    # it leads back to a member (bot.indicators.exchanges.LINKING_COLUMNS), and it keeps only the day.
    linked = asker.consent and responder.consent
    return {
        "kind": THREAD_REPLY,
        "occurred_at": now if linked else unlinked_day(now),
        "platform": message.platform,
        "channel_id": message.channel_id if linked else None,
        "guild_id": message.guild_id if linked else None,
        "member_a_id": asker.member_id if linked else None,
        "member_b_id": responder.member_id if linked else None,
        "organisation_a": asker.organisation,
        "sector_a": asker.sector,
        "country_a": asker.country,
        "organisation_b": responder.organisation,
        "sector_b": responder.sector,
        "country_b": responder.country,
        "cross_organisation": True,
        "cross_sector": known_and_different(asker.sector, responder.sector),
        "cross_border": known_and_different(asker.country, responder.country),
        "with_source": cites_source(message.text),
        "dedupe_key": dedupe_key(message) if linked else None,
    }
