"""Start the core with the adapters the settings switch on, plus the job scheduler."""

from __future__ import annotations

import asyncio
import logging
import os
import socket

from adapters.console import HISTORY_FILE, ConsoleAdapter, database_location
from bot.app.core import Lighthouse
from config import Settings
from config.settings import data_dir
from knowledge.embeddings import load_in_background

log = logging.getLogger(__name__)


async def run_bot(settings: Settings, *, console_user: str | None = None, force_console: bool = False) -> None:
    # Before anything listens (the model load's first step would stall the event loop); main.py starts it
    # even earlier, before its own imports.
    load_in_background(settings.embedding_model)
    core = Lighthouse(settings)
    log.info("database: %s", database_location(core))
    # The adapters are imported and built before the background loading starts, which would slow them down.
    platform_tasks = []
    if settings.discord_enabled and not force_console:
        from adapters.discord import DiscordAdapter

        platform_tasks.append(DiscordAdapter(core).run())
    if settings.slack_enabled and not force_console:
        from adapters.slack import SlackAdapter

        platform_tasks.append(SlackAdapter(core).run())
    try:
        await core.start(warm_up=True)  # the model, the index and (on a new installation) the demo
    except BaseException:
        for task in platform_tasks:
            task.close()  # never started: no "coroutine was never awaited" warning
        raise
    stop = asyncio.Event()
    scheduler = asyncio.create_task(core.scheduler.run_forever(stop), name="scheduler")
    announcer = asyncio.create_task(announce_ready(core), name="announce-ready")
    try:
        # Each platform adapter registers its transport and runs until cancelled.
        if not platform_tasks or force_console:
            console = ConsoleAdapter(
                core,
                user=console_user or settings.console_user,
                downloads=settings.console_downloads,
                history=data_dir() / HISTORY_FILE,
            )
            await console.run()
        else:
            await asyncio.gather(*platform_tasks)
    finally:
        announcer.cancel()
        stop.set()
        await scheduler
        await core.close()


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
