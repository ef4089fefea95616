"""The Slack adapter: a slack-bolt AsyncApp that turns Slack requests into core messages and answers them.

Entry points: the slash command (`/lighthouse help`), mentions (`@Lighthouse pilots obesity`), direct
messages, button clicks and form (modal) submissions; thread replies in channels feed exchange logging.
Every request is acknowledged at once (bolt's `process_before_response=False`), a form submission within
FORM_CHECK_SECONDS (a refusal keeps its modal open); the work and the answer follow, through response_url or
the Web API. The adapter holds no business logic: `core.handle` answers,
`core.observe` decides what a thread reply means.

Two ways to connect: Socket Mode (bot token + app-level token) or the HTTP Events API (bot token +
signing secret) served by aiohttp on `settings.slack.host:port` at /slack/events, where `guard` checks the
signature on the raw bytes and refuses malformed bodies with a 4xx before bolt sees them; /healthz and
/readyz serve health checks.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import timedelta

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.delivery_policy import FORM_UNREADABLE, Entry
from adapters.slack.answering import Origin, SlackAnswers, form_metadata
from adapters.slack.client import Sleep, build_client
from adapters.slack.guard import LogLimiter, Rejection, check_signature, parse_signed_body
from adapters.slack.identity import SlackIdentities
from adapters.slack.incoming import addressed_text, mentions_user, parse
from adapters.slack.render import COMMAND_ACTION, FORM_CALLBACK, LINK_ACTION, form_values, form_view_again
from adapters.slack.transport import SlackTransport
from adapters.toolkit import InFlight, Receipts, submitted_command
from bot.app.core import Lighthouse
from bot.message import Author, Message
from bot.reply import error_reply
from config import SettingsError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
MAX_MENTIONS = 10
# Message subtypes that are still a person writing (edits, joins, deletions and the like are not).
PERSON_SUBTYPES = {None, "thread_broadcast", "file_share"}
# Slack stops retrying after about an hour; a day leaves room for clock skew and slow restarts.
KEEP_RECEIPTS = timedelta(days=1)
DRAIN_SECONDS = 10.0
# How long a form submission's answer may take to show a refusal in the modal itself: Slack wants the
# acknowledgement within 3 seconds, and a slower answer closes the modal and follows as a message.
FORM_CHECK_SECONDS = 1.5


class SlackAdapter:
    platform = "slack"

    def __init__(self, core: Lighthouse, *, sleep: Sleep = asyncio.sleep) -> None:
        settings = core.settings
        if settings.slack.bot_token is None:
            raise SettingsError("LIGHTHOUSE_SLACK_BOT_TOKEN: needed for Slack")
        if settings.slack.app_token is None and settings.slack.signing_secret is None:
            raise SettingsError(
                "LIGHTHOUSE_SLACK_SIGNING_SECRET: set it (HTTP Events API) or LIGHTHOUSE_SLACK_APP_TOKEN (Socket Mode)"
            )
        self.core = core
        self.settings = settings
        self.client = build_client(settings, sleep=sleep)
        secret = settings.slack.signing_secret.get_secret_value() if settings.slack.signing_secret else ""
        self.app = AsyncApp(
            name="lighthouse",
            client=self.client,
            signing_secret=secret,
            process_before_response=False,  # ack first, work after: Slack wants an answer within 3 seconds
            logger=logging.getLogger("adapters.slack.bolt"),
        )
        self._signing_secret = secret
        self.limited_log = LogLimiter(log)  # bad requests: one line per kind per minute
        self.identities = SlackIdentities(self.client, core.clock)
        self.transport = SlackTransport(self.client, core)
        self.answers = SlackAnswers(self.client, self.transport)
        core.register_transport(self.transport)
        # handled: requests whose work finished (processed, or dropped as a repeat); for logs and shutdown.
        self.stats: Counter[str] = Counter()
        self.in_flight = InFlight(self.platform)
        self.receipts = Receipts(core, self.platform, keep=KEEP_RECEIPTS)
        self._register_listeners()

    # --- wiring ------------------------------------------------------------------------------------------
    def _register_listeners(self) -> None:
        self.app.command(self.settings.slack.command)(self._on_command)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.action(re.compile(rf"^{re.escape(COMMAND_ACTION)}:"))(self._on_button)
        self.app.action(re.compile(rf"^{re.escape(LINK_ACTION)}:"))(self._on_link)
        self.app.view(FORM_CALLBACK)(self._on_form)

    def web_application(self) -> web.Application:
        """The HTTP Events API endpoint (events, slash commands and interactivity share one URL)."""
        application = web.Application()
        application.router.add_post(EVENTS_PATH, self._http_request)
        application.router.add_get(HEALTH_PATH, self._health)
        application.router.add_get(READY_PATH, self._ready)
        return application

    async def _http_request(self, request: web.Request) -> web.Response:
        raw = await request.read()
        rejection = check_signature(raw, request.headers, self._signing_secret, time.time())
        parsed = rejection or parse_signed_body(raw, request.headers.get("Content-Type"))
        if isinstance(parsed, Rejection):
            self.limited_log.log(
                logging.WARNING, parsed.kind, "Slack: refused a request to %s (%s): %s", EVENTS_PATH, parsed.kind,
                parsed.reason,
            )
            return web.Response(status=parsed.status, text=parsed.reason)
        text, body = parsed
        if body.get("type") == "app_rate_limited":
            # Slack stops sending events for a minute when the app falls behind; it expects a 200 all the same.
            self.limited_log.log(
                logging.WARNING, "app_rate_limited", "Slack: events to this app are rate limited for the minute "
                "starting at %s", body.get("minute_rate_limited"),
            )
            return web.Response(text="")
        bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=request.headers)  # type: ignore[arg-type]
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def _health(self, request: web.Request) -> web.Response:
        """Alive and serving (200 from the first second); the body says whether search is ready yet."""
        return web.json_response({"status": "ok", "ready": self.core.is_ready(), "services": self.core.readiness()})

    async def _ready(self, request: web.Request) -> web.Response:
        """200 once every service has finished starting (the model is loaded, the index built) and while the
        database answers, else 503."""
        services = await self.core.check_readiness()
        ready = all(report["ready"] for report in services.values())
        return web.json_response({"ready": ready, "services": services}, status=200 if ready else 503)

    async def run(self) -> None:
        """Connect (Socket Mode) or serve (HTTP) until cancelled."""
        purger = asyncio.create_task(self.receipts.purge_periodically(), name="slack-receipts")
        try:
            if self.settings.slack.app_token is not None:
                await self._run_socket_mode()
            else:
                await self._run_http()
        finally:
            purger.cancel()
            with suppress(asyncio.CancelledError):
                await purger
            await self.stop()

    async def stop(self) -> None:
        await self.in_flight.drain(DRAIN_SECONDS)

    async def _run_socket_mode(self) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        assert self.settings.slack.app_token is not None
        handler = AsyncSocketModeHandler(self.app, self.settings.slack.app_token.get_secret_value())
        await handler.connect_async()
        log.info("Slack: connected in Socket Mode")
        try:
            await asyncio.Event().wait()
        finally:
            await handler.close_async()

    async def _run_http(self) -> None:
        runner = await self.serve(self.settings.slack.host, self.settings.slack.port)
        log.info(
            "Slack: serving the Events API on http://%s:%s%s",
            self.settings.slack.host,
            self.settings.slack.port,
            EVENTS_PATH,
        )
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    async def serve(self, host: str, port: int) -> web.AppRunner:
        runner = web.AppRunner(self.web_application(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        return runner

    # --- bookkeeping -------------------------------------------------------------------------------------
    @asynccontextmanager
    async def _work(self, kind: str) -> AsyncIterator[None]:
        """Around the work after an ack: failures are logged (the ack is long gone), and counted."""
        async with self.in_flight.track():
            try:
                yield
            except Exception:
                self.stats["failed"] += 1
                log.exception("Slack %s could not be handled", kind)
            finally:
                self.stats["handled"] += 1

    async def wait_handled(self, count: int) -> None:
        """Until `count` requests have been handled in all (tests wait on this)."""
        await self.in_flight.wait_finished(count)

    async def _first_delivery(self, body: dict, request: AsyncBoltRequest) -> bool:
        """False for an event seen before (Slack's retry, possibly on another process)."""
        event_id = body.get("event_id")
        if not event_id:
            return True
        if await self.receipts.first("event", event_id):
            return True
        retry = (request.headers.get("x-slack-retry-num") or ["?"])[0]
        log.info("Slack event %s delivered again (retry %s); already handled", event_id, retry)
        self.stats["repeats"] += 1
        return False

    async def _mentions(self, user_ids: list[str]) -> dict[str, Author]:
        return {f"<@{user_id}>": await self.identities.author(user_id) for user_id in user_ids[:MAX_MENTIONS]}

    # --- listeners ---------------------------------------------------------------------------------------
    async def _on_command(self, ack: AsyncAck, command: dict, respond: AsyncRespond, context: AsyncBoltContext) -> None:
        await ack()
        async with self._work("slash command"):
            parsed = parse(command.get("text", ""), bot_user_id=context.bot_user_id)
            text = parsed.text or "help"  # a bare "/lighthouse" asks what the bot can do
            channel = command.get("channel_id")
            author = await self.identities.author(command["user_id"], fallback_name=command.get("user_name"))
            message = Message(
                author=author,
                text=text,
                channel_id=channel or "direct",
                guild_id=command.get("team_id"),
                is_direct=_is_dm(channel),
                mentions=await self._mentions(parsed.user_ids),
            )
            origin = Origin(
                user_id=author.user_id,
                channel_id=channel,
                respond=respond,
                trigger_id=command.get("trigger_id"),
                entry=Entry.COMMAND,
                is_direct=_is_dm(channel),
                source_text=text,
            )
            await self.answers.answer(await self.core.handle(message), origin)

    async def _on_mention(self, body: dict, event: dict, context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
        async with self._work("mention"):
            if event.get("bot_id") or not event.get("user") or _is_dm(event.get("channel")):
                return  # bots are not commanded; a direct message arrives as a message event and is answered there
            if not await self._first_delivery(body, request):
                return
            raw = addressed_text(event.get("text", ""), context.bot_user_id)
            await self._handle_message(body, event, context, raw, is_direct=False, bare_means_help=True)

    async def _on_message(self, body: dict, event: dict, context: AsyncBoltContext, request: AsyncBoltRequest) -> None:
        async with self._work("message"):
            if event.get("subtype") not in PERSON_SUBTYPES or event.get("bot_id") or not event.get("user"):
                return
            if event.get("channel_type") == "im":
                if await self._first_delivery(body, request):
                    raw = addressed_text(event.get("text", ""), context.bot_user_id)
                    await self._handle_message(body, event, context, raw, is_direct=True, bare_means_help=False)
            elif self._is_thread_reply(event) and not mentions_user(event.get("text", ""), context.bot_user_id):
                # Not addressed to the bot (a mention arrives as app_mention): an answer, when the bot started
                # the thread with a question to the community; otherwise only exchange logging may care.
                if not await self._community_reply(body, event, context):
                    await self._observe_thread_reply(body, event)

    async def _handle_message(
        self, body: dict, event: dict, context: AsyncBoltContext, raw: str, *, is_direct: bool, bare_means_help: bool
    ) -> None:
        parsed = parse(raw, bot_user_id=context.bot_user_id)
        text = parsed.text or ("help" if bare_means_help else "")
        author = await self.identities.author(event["user"])
        thread = event.get("thread_ts")
        message = Message(
            author=author,
            text=text,
            channel_id=event["channel"],
            thread_id=thread,
            guild_id=body.get("team_id"),
            message_id=event.get("ts"),
            is_direct=is_direct,
            mentions=await self._mentions(parsed.user_ids),
        )
        origin = Origin(
            user_id=author.user_id,
            channel_id=event["channel"],
            entry=Entry.DIRECT if is_direct else Entry.MENTION,
            thread_ts=thread,
            is_direct=is_direct,
            source_text=text,
        )
        await self.answers.answer(await self.core.handle(message), origin)

    @staticmethod
    def _is_thread_reply(event: dict) -> bool:
        thread = event.get("thread_ts")
        return bool(thread) and thread != event.get("ts") and bool(event.get("parent_user_id"))

    async def _community_reply(self, body: dict, event: dict, context: AsyncBoltContext) -> bool:
        """Hand a thread reply to the core when it answers a question to the community the bot posted."""
        if not await self.core.is_community_thread("slack", event.get("thread_ts")):
            return False
        message = Message(
            author=await self.identities.author(event["user"]),
            text=parse(event.get("text", ""), bot_user_id=context.bot_user_id).text,
            channel_id=event["channel"],
            thread_id=event.get("thread_ts"),
            guild_id=body.get("team_id"),
            message_id=event.get("ts"),
        )
        return await self.core.thread_reply(message)

    async def _observe_thread_reply(self, body: dict, event: dict) -> None:
        if not (self.settings.exchange_logging and self.settings.slack.thread_logging):
            return
        if event["parent_user_id"] == event["user"]:
            return
        # Metadata only: the text never leaves this function.
        message = Message(
            author=await self.identities.author(event["user"]),
            text="",
            channel_id=event["channel"],
            thread_id=event.get("thread_ts"),
            guild_id=body.get("team_id"),
            message_id=event.get("ts"),
            reply_to=await self.identities.author(event["parent_user_id"]),
        )
        await self.core.observe(message)

    async def _on_button(self, ack: AsyncAck, body: dict, action: dict, respond: AsyncRespond) -> None:
        await ack()
        async with self._work("button"):
            container = body.get("container") or {}
            channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
            thread = container.get("thread_ts") or (body.get("message") or {}).get("thread_ts")
            command = action.get("value") or ""
            message = await self._interaction_message(
                body, command, channel, thread, is_direct=_is_dm(channel), from_button=True
            )
            origin = Origin(
                user_id=message.author.user_id,
                channel_id=channel,
                entry=Entry.BUTTON,
                thread_ts=thread,
                respond=respond if body.get("response_url") else None,
                trigger_id=body.get("trigger_id"),
                is_direct=_is_dm(channel),
                ephemeral=bool(container.get("is_ephemeral")),
                source_text=command,
            )
            await self.answers.answer(await self.core.handle(message), origin)

    async def _interaction_message(
        self, body: dict, text: str, channel: str | None, thread: str | None, **details: bool
    ) -> Message:
        """A click or a form submission as a core message (the user and team come in the body)."""
        author = await self.identities.author(body["user"]["id"], fallback_name=body["user"].get("name"))
        return Message(
            author=author,
            text=text,
            channel_id=channel or "direct",
            thread_id=thread,
            guild_id=(body.get("team") or {}).get("id"),
            **details,
        )

    async def _on_link(self, ack: AsyncAck) -> None:
        await ack()  # a link button opens its URL in the browser; Slack still wants the click acknowledged

    async def _on_form(self, ack: AsyncAck, body: dict, view: dict) -> None:
        """A submitted modal. A submission refused at once (a date in the past, a missing title) keeps the
        modal open, its values kept and the reason above them, so the member corrects it rather than types
        it all again; anything else closes it, and the answer follows as a message."""
        received = time.monotonic()
        acknowledged = False

        async def close_modal() -> None:
            nonlocal acknowledged
            if not acknowledged:
                acknowledged = True
                await ack()

        async with self._work("form"):
            try:
                metadata = form_metadata(view.get("private_metadata"))
                if metadata is None:  # signed by Slack, so sent by our app, but not what the bot put there
                    await close_modal()
                    await self._unreadable_form(body)
                    return
                text = submitted_command(metadata["c"], metadata["f"], form_values(view))
                channel, thread = metadata.get("ch"), metadata.get("th")
                message = await self._interaction_message(
                    body, text, channel, thread, is_direct=channel is None or _is_dm(channel)
                )
                answering = asyncio.ensure_future(self.core.handle(message))
                wait = FORM_CHECK_SECONDS - (time.monotonic() - received)
                done, _ = await asyncio.wait({answering}, timeout=max(wait, 0.0))
                if done and answering.exception() is None and answering.result().tone == "error":
                    acknowledged = True
                    await ack(response_action="update", view=form_view_again(view, answering.result()))
                    return
                await close_modal()
                origin = Origin(
                    user_id=message.author.user_id,
                    channel_id=channel,
                    entry=Entry.FORM,
                    thread_ts=thread,
                    is_direct=_is_dm(channel),
                )
                await self.answers.answer(await answering, origin)
            finally:
                await close_modal()  # whatever went wrong, Slack hears back in time

    async def _unreadable_form(self, body: dict) -> None:
        user_id = str((body.get("user") or {}).get("id") or "")
        self.limited_log.log(
            logging.WARNING, "form-metadata", "Slack form submission from %s with unreadable "
            "private_metadata: not run", user_id or "an unknown user",
        )
        if user_id:
            await self.transport.send_direct(user_id, error_reply(FORM_UNREADABLE))


def _is_dm(channel: str | None) -> bool:
    return bool(channel) and channel.startswith("D")

