"""What every feature's services run with: settings, the database, the clock, the job scheduler, the knowledge
base and the platforms' transports. The composition root (`bot.app.core.Lighthouse`) builds the database and
the knowledge base and hands them to one; services and command handlers receive it and never reach for the
bot above them."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING

from bot.askers import MEMBER_TABLES, MemberCache
from bot.clock import Clock, SystemClock
from bot.delivery import Deliveries
from bot.pagination import ANSWER_CHARS, NO_LIMIT, PageBudget, Paginator
from bot.reply import Reply
from bot.scheduler import Scheduler
from bot.transport import Transport
from config import Settings
from storage.database import Database
from storage.models import Member
from storage.writes import TableWrites

if TYPE_CHECKING:
    from knowledge.service import KnowledgeService

log = logging.getLogger(__name__)


def database_for(settings: Settings) -> Database:
    """The database the settings name, with their time limits."""
    return Database(
        settings.database_url,
        echo=settings.database_echo,
        timeout=settings.database_timeout_seconds,
        statement_timeout=settings.database_statement_timeout_seconds,
    )


class Runtime:
    def __init__(
        self, settings: Settings, *, db: Database, knowledge: KnowledgeService, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.db = db
        self.clock: Clock = clock or SystemClock()
        self.instance_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.transports: dict[str, Transport] = {}
        self.paginator = Paginator(self.db)
        self.deliveries = Deliveries(self.db)
        self.scheduler = Scheduler(self)
        self.knowledge = knowledge
        # The askers of searches, kept while this process has not written to the members (bot.askers).
        self.members = MemberCache(TableWrites(db.engine, MEMBER_TABLES))

    def register_transport(self, transport: Transport) -> None:
        self.transports[transport.platform] = transport

    def page_budget(self, platform: str) -> PageBudget:
        """How an answer on `platform` is paged: what the platform's messages hold, within the settings'
        results per page and ANSWER_CHARS."""
        budget = getattr(self.transports.get(platform), "page_budget", NO_LIMIT)
        return budget.within(self.settings.results_per_page, ANSWER_CHARS)

    async def notify(self, member: Member, reply: Reply) -> bool:
        """Send a direct message to a member on the first platform where they can be reached: one that
        refuses it (Discord, for closed direct messages) is passed over for the next, and False when none
        took it, so that the caller says it was not delivered (an introduction request, a reminder)."""
        for identity in member.identities:
            transport = self.transports.get(identity.platform)
            if transport is None:
                continue
            reference = await transport.send_direct(identity.platform_user_id, reply)
            if reference is None and getattr(transport, "NO_REFERENCE_MEANS_UNREACHABLE", False):
                continue
            return True
        log.info("member %s has no reachable platform; notification dropped", member.id)
        return False

    async def tell(self, member: Member, reply: Reply) -> bool:
        """`notify` for a message about something already done (a role change, an accepted introduction, a
        moved event): a platform failure is logged and reported as not delivered, never undoes the change."""
        try:
            return await self.notify(member, reply)
        except Exception:
            log.exception("direct message to member %s failed", member.id)
            return False

    def is_config_admin(self, platform: str, user_id: str) -> bool:
        return self.settings.is_admin(platform, user_id)
