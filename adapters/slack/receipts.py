"""Each Slack delivery is processed once, across retries and across bot processes sharing one database.

Slack retries an event (same event_id, header X-Slack-Retry-Num) when it did not get an ack in time, and
with several bot processes a retry can land on another process. The first process to insert the key into
`delivery_receipts` (primary key) processes the event; every other attempt finds the key and stops.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.models import DeliveryReceipt

# Slack stops retrying after about an hour; a day leaves room for clock skew and slow restarts.
KEEP_RECEIPTS = timedelta(days=1)


def event_key(event_id: str) -> str:
    return f"slack:event:{event_id}"


async def claim_delivery(db: Database, key: str, now: datetime) -> bool:
    """True for the first claim of `key` anywhere; False for a repeat."""
    try:
        async with db.session() as session, session.begin():
            session.add(DeliveryReceipt(key=key, seen_at=now))
    except IntegrityError:
        return False
    return True


async def purge_receipts(db: Database, now: datetime) -> int:
    async with db.session() as session, session.begin():
        result = await session.execute(
            delete(DeliveryReceipt).where(
                DeliveryReceipt.key.startswith("slack:"), DeliveryReceipt.seen_at < now - KEEP_RECEIPTS
            )
        )
        return result.rowcount or 0
