"""The platform-neutral bot: one object that adapters feed messages into and that answers with replies."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable

from bot import router
from bot.clock import Clock, SystemClock
from bot.commands import load_all
from bot.exchange_log import ExchangeLog
from bot.message import Message
from bot.pagination import Paginator
from bot.reply import Reply
from bot.scheduler import Scheduler
from bot.transport import Transport
from config import Settings
from storage.database import Database
from storage.models import Member

log = logging.getLogger(__name__)

StartupHook = Callable[["Lighthouse"], Awaitable[None]]
# Other packages (the knowledge base, for one) add start-up work here without the core importing them.
STARTUP_HOOKS: list[StartupHook] = []


class Lighthouse:
    def __init__(self, settings: Settings, *, db: Database | None = None, clock: Clock | None = None) -> None:
        self.settings = settings
        self.db = db or Database(settings.database_url, echo=settings.database_echo)
        self.clock: Clock = clock or SystemClock()
        self.instance_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.transports: dict[str, Transport] = {}
        self.paginator = Paginator(self.db)
        self.scheduler = Scheduler(self)
        self.exchange_log = ExchangeLog(self)
        self.commands = load_all()
        self.services: dict[str, object] = {}

    async def start(self) -> None:
        """Migrate the schema and run start-up hooks; call once before handling messages."""
        await self.db.migrate()
        for hook in STARTUP_HOOKS:
            await hook(self)

    async def close(self) -> None:
        for service in self.services.values():
            closing = getattr(service, "close", None)  # a service's background work ends before the database
            if closing is not None:
                await closing()
        await self.db.dispose()

    def readiness(self) -> dict[str, dict[str, object]]:
        """How far each service's start-up work is (the knowledge base: model loaded, index ready), for
        health checks; a service is ready when its "ready" entry is true."""
        reports = {}
        for name, service in self.services.items():
            readiness = getattr(service, "readiness", None)
            if readiness is not None:
                reports[name] = readiness.report().as_dict()
        return reports

    def is_ready(self) -> bool:
        return all(report["ready"] for report in self.readiness().values())

    def register_transport(self, transport: Transport) -> None:
        self.transports[transport.platform] = transport

    async def handle(self, message: Message) -> Reply:
        """Answer one message addressed to the bot (a command, a mention, a DM, a button press)."""
        return await router.route(self, message)

    def may_be_slow(self, text: str) -> bool:
        """Whether answering `text` may take seconds (a search): adapters with a deadline acknowledge it at once."""
        return router.may_be_slow(text)

    async def observe(self, message: Message) -> None:
        """Take note of a message not addressed to the bot (exchange logging; never stores its text)."""
        await self.exchange_log.observe(message)

    async def notify(self, member: Member, reply: Reply) -> bool:
        """Send a direct message to a member on the first platform where they can be reached."""
        for identity in member.identities:
            transport = self.transports.get(identity.platform)
            if transport is not None:
                await transport.send_direct(identity.platform_user_id, reply)
                return True
        log.info("member %s has no reachable platform; notification dropped", member.id)
        return False

    def is_config_admin(self, platform: str, user_id: str) -> bool:
        return self.settings.is_admin(platform, user_id)
