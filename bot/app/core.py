"""The platform-neutral bot: one object that adapters feed messages into and that answers with replies."""

from __future__ import annotations

import logging

from bot.app import router
from bot.app.catalogue import load_all
from bot.clock import Clock
from bot.community import service as community
from bot.community import views as community_views
from bot.digests.service import ensure_digest_jobs
from bot.indicators.exchange_log import ExchangeLog
from bot.members.service import resolve_member
from bot.message import Message
from bot.reply import Reply
from bot.runtime import Runtime
from bot.sanitize import clean_message
from config import Settings
from storage.database import Database

log = logging.getLogger(__name__)


class Lighthouse(Runtime):
    """The bot assembled: the runtime every service shares, the catalogue of commands, the exchange log."""

    def __init__(self, settings: Settings, *, db: Database | None = None, clock: Clock | None = None) -> None:
        super().__init__(settings, db=db, clock=clock)
        self.exchange_log = ExchangeLog(self)
        self.commands = load_all()

    async def start(self, *, warm_up: bool = False) -> None:
        """Migrate the schema and make sure every digest schedule has its next job; call once before handling
        messages. With `warm_up`, the model, the index and (on a new installation) the knowledge folder load in
        the background, and passages left without a vector get one: nothing here waits for them."""
        await self.db.migrate()
        await ensure_digest_jobs(self)
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
        return await router.route(self, message)

    def may_be_slow(self, text: str) -> bool:
        """Whether answering `text` may take seconds (a search): adapters with a deadline acknowledge it at once."""
        return router.may_be_slow(text)

    async def observe(self, message: Message) -> None:
        """Take note of a message not addressed to the bot (exchange logging; never stores its text)."""
        await self.exchange_log.observe(message)

    async def is_community_thread(self, platform: str, thread_id: str | None) -> bool:
        """Whether the bot started this thread with a question to the community (replies are answers)."""
        return await community.question_in_thread(self, platform, thread_id) is not None

    async def thread_reply(self, message: Message) -> bool:
        """A message in a thread, not addressed to the bot: an answer when the bot started the thread with a
        question to the community (True; its text is kept as the answer). False for any other thread, whose
        text is not kept (the adapter may still `observe` it)."""
        if message.author.is_bot:
            return False
        question = await community.question_in_thread(self, message.platform, message.thread_id)
        if question is None:
            return False
        message = clean_message(message)
        async with self.db.session() as session, session.begin():
            member = await resolve_member(session, message.author)
        await community.thread_reply(self, question, member, message, community_views)
        return True
