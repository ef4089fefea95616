"""Start the core with the adapters the settings switch on, plus the job scheduler.

A server process (Slack, Discord) stops cleanly on SIGINT (Ctrl-C) as on SIGTERM: the adapters are
cancelled, each lets the answers it is working on go out (within its grace time) and closes its connection
(Discord's gateway with a normal close), then the scheduler and the database close, and the process exits
with status 0. A second Ctrl-C ends it at once. The console keeps its instant exit on Ctrl-C (main.py).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import os
import signal
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from adapters.adapter import Adapter
from adapters.console import HISTORY_FILE, ConsoleAdapter, database_location
from bot.app.core import Lighthouse
from config import Settings
from config.settings import data_dir
from knowledge import collector
from knowledge.embeddings import load_in_background

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Platform:
    """A chat platform the bot can join: whether the settings switch it on, and its adapter (imported only
    when switched on, so an unused platform's SDK is never loaded)."""

    enabled: Callable[[Settings], bool]
    adapter: str  # "module:class", built with the core

    def build(self, core: Lighthouse) -> Adapter:
        module, _, name = self.adapter.partition(":")
        return getattr(importlib.import_module(module), name)(core)


PLATFORMS = (
    Platform(lambda settings: settings.discord.enabled, "adapters.discord:DiscordAdapter"),
    Platform(lambda settings: settings.slack.enabled, "adapters.slack:SlackAdapter"),
)


def platform_adapters(core: Lighthouse) -> list[Adapter]:
    return [platform.build(core) for platform in PLATFORMS if platform.enabled(core.settings)]


async def run_bot(settings: Settings, *, console_user: str | None = None, force_console: bool = False) -> None:
    # Before anything listens (the model load's first step would stall the event loop); main.py starts it
    # even earlier, before its own imports.
    load_in_background(settings.embedding_model)
    core = Lighthouse(settings)
    log.info("database: %s", database_location(core))
    # The adapters are imported and built before the background loading starts, which would slow them down.
    adapters = [] if force_console else platform_adapters(core)
    await core.start(warm_up=True)  # the model, the index and (on a new installation) the demo
    # The modules, classes and functions loaded so far live as long as the process: left out of every later
    # full collection, which would otherwise walk them all (0.1 s or more, holding the interpreter lock, at
    # the end of the index build that the first search waits for).
    gc.freeze()
    collector.start_up_ends()  # paused by main.py before its imports (nothing when started otherwise)
    stop = asyncio.Event()
    scheduler = asyncio.create_task(core.scheduler.run_forever(stop), name="scheduler")
    announcer = asyncio.create_task(announce_ready(core), name="announce-ready")
    try:
        if not adapters:
            adapters = [
                ConsoleAdapter(
                    core,
                    user=console_user or settings.console.user,
                    downloads=settings.console.downloads,
                    history=data_dir() / HISTORY_FILE,
                )
            ]
            # Each adapter runs until cancelled (the console until its input ends); one failing stops them all.
            await asyncio.gather(*(adapter.run() for adapter in adapters))
        else:
            await run_until_stopped(asyncio.gather(*(adapter.run() for adapter in adapters)))
    finally:
        announcer.cancel()
        stop.set()
        await scheduler
        await core.close()


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def run_until_stopped(adapters: asyncio.Future[object]) -> None:
    """Await the adapters until they end, or until SIGINT or SIGTERM cancels them (a clean stop: returns
    once every adapter has drained and closed)."""
    with _cancel_on_signals(adapters) as stopping:
        try:
            await adapters
        except asyncio.CancelledError:
            if not stopping:
                raise
            log.info("stopped")


@contextmanager
def _cancel_on_signals(work: asyncio.Future[object]) -> Iterator[list[int]]:
    """Within the block, SIGINT and SIGTERM cancel `work` once; the list yielded holds the signal received.
    After the first signal the usual handlers are back: a second Ctrl-C ends the process at once."""
    loop = asyncio.get_running_loop()
    received: list[int] = []

    def stop(signum: int) -> None:
        received.append(signum)
        _remove(loop)
        log.warning(
            "%s received: stopping (answers being worked on go out first; Ctrl-C again to stop at once)",
            signal.Signals(signum).name,
        )
        work.cancel()

    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop, signum)
    try:
        yield received
    finally:
        if not received:
            _remove(loop)


def _remove(loop: asyncio.AbstractEventLoop) -> None:
    for signum in STOP_SIGNALS:
        loop.remove_signal_handler(signum)


async def announce_ready(core: Lighthouse) -> None:
    """Once the knowledge base can answer: one log line, and READY=1 to systemd (Type=notify) if it listens."""
    readiness = core.knowledge.readiness
    await readiness.ready.wait()
    log.info("Lighthouse is ready (model loaded, index built) %.1f s after start", readiness.report().seconds)
    notify_systemd("READY=1")


def notify_systemd(state: str) -> bool:
    """The sd_notify protocol: one datagram to $NOTIFY_SOCKET (set by systemd for Type=notify services)."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(state.encode(), address)
    except OSError as exc:
        log.warning("could not notify systemd (%s): %s", os.environ.get("NOTIFY_SOCKET"), exc)
        return False
    return True
