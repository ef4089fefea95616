"""What adapters keep in the database so that any bot process can do their work: delivery receipts and the
commands of buttons too long to carry their command themselves.

Platforms deliver an event again when they did not get an answer in time (Slack's retries, Discord's
duplicate interactions), and with several bot processes the repeat can land on another one. The first
process to insert the event's key into `delivery_receipts` (primary key) handles it; every other attempt
finds the key and stops. Receipts are kept for as long as the platform may repeat itself, then purged.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from storage.database import Database, is_unavailable
from storage.models import DeliveryReceipt, StoredCommand

log = logging.getLogger(__name__)


def receipt_key(platform: str, kind: str, event_id: str) -> str:
    return f"{platform}:{kind}:{event_id}"


def command_key(command: str) -> str:
    return hashlib.sha256(command.encode("utf-8")).hexdigest()[:32]


class Deliveries:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, key: str, now: datetime) -> bool:
        """True for the first claim of `key` anywhere; False for a repeat. While the database does not answer
        (within its time limit) every delivery is handled, as a repeat cannot be recognised then: the member
        gets the router's apology (or `help`) rather than silence."""
        if not self.db.answering:
            self.db.check_soon()
            return True
        try:
            async with asyncio.timeout(self.db.timeout):
                async with self.db.session() as session, session.begin():
                    session.add(DeliveryReceipt(key=key, seen_at=now))
        except IntegrityError:
            return False
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            self.db.noted(False)
            log.warning("delivery %s handled without a receipt: the database is not answering", key)
        return True

    async def purge(self, platform: str, now: datetime, keep: timedelta) -> int:
        """Forget `platform`'s receipts older than `keep` (other platforms keep theirs for their own time)."""
        async with self.db.session() as session, session.begin():
            result = await session.execute(
                delete(DeliveryReceipt).where(
                    DeliveryReceipt.key.startswith(f"{platform}:"), DeliveryReceipt.seen_at < now - keep
                )
            )
            return result.rowcount or 0

    async def store_command(self, command: str) -> str:
        """The key a long command is stored under (the same command always gets the same key)."""
        key = command_key(command)
        async with self.db.session() as session, session.begin():
            if await session.get(StoredCommand, key) is None:
                try:
                    async with session.begin_nested():
                        session.add(StoredCommand(key=key, command=command))
                except IntegrityError:  # another process stored the same command just now
                    pass
        return key

    async def stored_command(self, key: str) -> str | None:
        async with self.db.session() as session:
            stored = await session.get(StoredCommand, key)
            return stored.command if stored else None
