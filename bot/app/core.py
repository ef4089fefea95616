"""The platform-neutral bot: one object that adapters feed messages into and that answers with replies."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.app import router
from bot.app.catalogue import ALL_FEATURES
from bot.clock import Clock
from bot.community import service as community
from bot.community import views as community_views
from bot.delivery import Deliveries
from bot.feature import Catalogue, Feature
from bot.indicators.exchange_log import ExchangeLog
from bot.members.service import resolve_member
from bot.message import Message
from bot.pagination import PageBudget, Paginator
from bot.reply import Reply
from bot.runtime import Runtime, database_for
from bot.sanitize import clean_message
from bot.scheduler import Scheduler
from bot.transport import Transport
from config import Settings
from knowledge.service import KnowledgeService
from storage.database import Database
from storage.models import Member

log = logging.getLogger(__name__)


class Lighthouse:
    """The bot assembled: the runtime every service shares, the features it offers (their commands, job kinds
    and audit wording, in `catalogue`) and the exchange log. Built with every feature unless given others."""

    def __init__(
        self,
        settings: Settings,
        *,
        db: Database | None = None,
        clock: Clock | None = None,
        knowledge: KnowledgeService | None = None,
        features: Iterable[Feature] = ALL_FEATURES,
    ) -> None:
        self.catalogue = Catalogue.of(features)  # first: a feature declared wrong fails before anything opens
        # A knowledge base given without its database brings its own: the core and it share one.
        db = db or (knowledge.db if knowledge is not None else database_for(settings))
        self.runtime = Runtime(settings, db=db, clock=clock, knowledge=knowledge or KnowledgeService(db, settings))
        for name, kind in self.catalogue.jobs.items():
            self.runtime.scheduler.add_kind(name, kind)
        self.exchange_log = ExchangeLog(self.runtime)

    # What adapters (and the command line) use of the runtime, read through the core they are given.
    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def db(self) -> Database:
        return self.runtime.db

    @property
    def clock(self) -> Clock:
        return self.runtime.clock

    @property
    def knowledge(self) -> KnowledgeService:
        return self.runtime.knowledge

    @property
    def scheduler(self) -> Scheduler:
        return self.runtime.scheduler

    @property
    def paginator(self) -> Paginator:
        return self.runtime.paginator

    @property
    def deliveries(self) -> Deliveries:
        return self.runtime.deliveries

    @property
    def transports(self) -> dict[str, Transport]:
        return self.runtime.transports

    @property
    def instance_id(self) -> str:
        return self.runtime.instance_id

    def register_transport(self, transport: Transport) -> None:
        self.runtime.register_transport(transport)

    def page_budget(self, platform: str) -> PageBudget:
        return self.runtime.page_budget(platform)

    async def notify(self, member: Member, reply: Reply) -> bool:
        return await self.runtime.notify(member, reply)

    async def tell(self, member: Member, reply: Reply) -> bool:
        return await self.runtime.tell(member, reply)

    def is_config_admin(self, platform: str, user_id: str) -> bool:
        return self.runtime.is_config_admin(platform, user_id)

    async def start(self, *, warm_up: bool = False) -> None:
        """Migrate the schema and run each feature's start-up work (every digest schedule gets its next job);
        call once before handling messages. With `warm_up`, the model, the index and (on a new installation)
        the knowledge folder load in the background, and passages left without a vector get one: nothing here
        waits for them."""
        await self.db.migrate()
        for feature in self.catalogue.features:
            if feature.on_start is not None:
                await feature.on_start(self.runtime)
        if warm_up:
            self.knowledge.warm_up()
            self.knowledge.model.embed_soon()

    async def close(self) -> None:
        await self.knowledge.close()  # its background work ends before the database
        await self.paginator.flush()  # answers' later pages still being stored
        await self.db.dispose()

    def readiness(self) -> dict[str, dict[str, object]]:
        """How far each service's start-up work is (the knowledge base: model loaded, index ready), and
        whether the database answered the last call or probe, for health checks; a service is ready when
        its "ready" entry is true."""
        return {
            "knowledge": self.knowledge.readiness.report().as_dict(),
            "database": {"ready": self.db.answering},
        }

    async def check_readiness(self, timeout: float = 2.0) -> dict[str, dict[str, object]]:
        """`readiness()` after asking the database whether it answers (within `timeout` seconds; probes
        are shared and at most one a second)."""
        await self.db.probe(timeout)
        return self.readiness()

    def is_ready(self) -> bool:
        return all(report["ready"] for report in self.readiness().values())

    async def handle(self, message: Message) -> Reply:
        """Answer one message addressed to the bot (a command, a mention, a DM, a button press)."""
        return await router.route(self.runtime, self.catalogue, message)

    def may_be_slow(self, text: str) -> bool:
        """Whether answering `text` may take seconds (a search): adapters with a deadline acknowledge it at once."""
        return router.may_be_slow(self.catalogue.commands, text)

    async def observe(self, message: Message) -> None:
        """Take note of a message not addressed to the bot (exchange logging; never stores its text)."""
        await self.exchange_log.observe(message)

    async def is_community_thread(self, platform: str, thread_id: str | None) -> bool:
        """Whether the bot started this thread with a question to the community (replies are answers)."""
        return await community.question_in_thread(self.runtime, platform, thread_id) is not None

    async def thread_reply(self, message: Message) -> bool:
        """A message in a thread, not addressed to the bot: an answer when the bot started the thread with a
        question to the community (True; its text is kept as the answer). False for any other thread, whose
        text is not kept (the adapter may still `observe` it)."""
        if message.author.is_bot:
            return False
        question = await community.question_in_thread(self.runtime, message.platform, message.thread_id)
        if question is None:
            return False
        message = clean_message(message)
        async with self.db.session() as session, session.begin():
            member = await resolve_member(session, message.author)
        await community.thread_reply(self.runtime, question, member, message, community_views.NOTICES)
        return True
