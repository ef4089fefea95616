"""What every platform adapter does the same way, whatever the platform: tracking the events being handled
(so a shutdown lets their answers go out), handling each delivery once (receipts in the core's database,
purged when the platform can no longer repeat itself), and the command a submitted form stands for. Where an
answer goes is the delivery policy's (adapters/delivery_policy.py). The platform packages keep only what is
theirs: their events, their rendering, their limits."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.delivery import receipt_key
from bot.failures import unexpected_failure
from bot.reply import Form, FormField, form_command

if TYPE_CHECKING:
    from bot.runtime import Runtime

__all__ = ["InFlight", "Receipts", "submitted_command", "unexpected_failure"]

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)


class InFlight:
    """Counts the events being handled: a shutdown waits for running ones; tests wait until a number has
    finished."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.running = 0
        self.finished = 0
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self.finished += 1
            async with self._changed:
                self._changed.notify_all()

    async def wait_finished(self, count: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.finished >= count)

    async def wait_idle(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.running == 0)

    async def drain(self, grace_seconds: float) -> None:
        """Let answers already being worked on go out, but never hang a shutdown on one."""
        try:
            await asyncio.wait_for(self.wait_idle(), grace_seconds)
        except TimeoutError:
            log.warning("closing with %d %s events still being handled", self.running, self.platform)


class Receipts:
    """One platform's delivery receipts: `first` is true once per event across retries and processes."""

    def __init__(self, core: Runtime, platform: str, *, keep: timedelta) -> None:
        self.core = core
        self.platform = platform
        self.keep = keep  # how long the platform may deliver an event again

    async def first(self, kind: str, event_id: str) -> bool:
        return await self.core.deliveries.claim(receipt_key(self.platform, kind, event_id), self.core.clock.now())

    async def purge(self) -> int:
        return await self.core.deliveries.purge(self.platform, self.core.clock.now(), self.keep)

    async def purge_periodically(self, every: timedelta = PURGE_EVERY) -> None:
        """Purge now and then every `every`, until cancelled."""
        while True:
            try:
                await self.purge()
            except Exception:
                log.exception("purging old %s delivery receipts failed", self.platform)
            await asyncio.sleep(every.total_seconds())


def submitted_command(command: str, field_names: list[str], values: dict[str, str]) -> str:
    """The command a submitted form stands for: `command` with the values of its fields, in the form's
    order (which is all `form_command` needs of the form; the platform sends back names, not labels)."""
    form = Form(title="", command=command, fields=[FormField(name=name, label=name) for name in field_names])
    return form_command(form, values)
