"""Start the core with the adapters the settings switch on, plus the job scheduler."""

from __future__ import annotations

import asyncio
import logging

from adapters.console import HISTORY_FILE, ConsoleAdapter, database_location
from bot.core import Lighthouse
from config import Settings
from config.settings import data_dir
from knowledge.service import register_startup_hook

log = logging.getLogger(__name__)


async def run_bot(settings: Settings, *, console_user: str | None = None, force_console: bool = False) -> None:
    register_startup_hook()  # a new installation loads the demo knowledge base once
    core = Lighthouse(settings)
    log.info("database: %s", database_location(core))
    await core.start()
    stop = asyncio.Event()
    scheduler = asyncio.create_task(core.scheduler.run_forever(stop), name="scheduler")
    try:
        platform_tasks = []
        # Each platform adapter registers its transport and runs until cancelled.
        if settings.discord_enabled and not force_console:
            from adapters.discord import DiscordAdapter

            platform_tasks.append(DiscordAdapter(core).run())
        if settings.slack_enabled and not force_console:
            from adapters.slack import SlackAdapter

            platform_tasks.append(SlackAdapter(core).run())
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
        stop.set()
        await scheduler
        await core.close()
