"""The Discord adapter: gateway events and interactions in, core replies out.

Entry points: the `/lighthouse` command group, buttons and forms on the bot's messages, mentions of the
bot in channels and threads, and direct messages. Every one becomes a `bot.Message` for `core.handle`;
other replies and thread messages in servers go to `core.observe` for exchange logging (metadata only).

Discord's rules, kept here:
- an interaction is answered within 3 seconds: a search (which may wait for the model after a restart) is
  deferred at once; anything else gets `defer_after` seconds, then is deferred, and the answer follows up
  (a form (modal) can only be a first answer: the delivery policy is told whether the moment has passed;
  answering.py carries out its plan);
- everything the bot sends has mentions disabled (`AllowedMentions.none()`, also the client default);
- an interaction, and a message the bot answers, is handled once, even if delivered twice or to two
  processes (`delivery_receipts`, keyed by the interaction or message id);
- HTTP errors are told to the user; rate limits are left to discord.py.
The adapter keeps nothing in memory that another process would need: buttons and forms carry their
command in their custom_id (or a key into `stored_commands`), and pages live in the database.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord.http import Route

from adapters.discord.identity import (
    author_from_id,
    author_from_user,
    channel_and_thread,
    mention_tokens,
    readable_mentions,
)
from adapters.delivery_policy import BUTTON_GONE, Entry
from adapters.discord.answering import DiscordAnswers
from adapters.discord.render import NO_MENTIONS
from adapters.discord.slash import command_tree
from adapters.discord.transport import PLATFORM, DiscordTransport
from adapters.discord.views import CommandButton, CommandStore, is_form_custom_id, submitted_values
from adapters.toolkit import InFlight, Receipts, submitted_command, unexpected_failure
from bot.message import Author, Message
from bot.reply import Reply
from config import SettingsError

if TYPE_CHECKING:
    from bot.app.core import Lighthouse
    from config import Settings

log = logging.getLogger(__name__)


class _NoVoiceNotice(logging.Filter):
    """The bot has no voice features: discord.py's start-up notice about missing voice libraries is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


logging.getLogger("discord.client").addFilter(_NoVoiceNotice())

# Discord allows 3 seconds for the first answer; most of the budget is left for the network (and a busy host).
DEFER_AFTER_SECONDS = 0.5
RECEIPT_KEEP = timedelta(days=7)  # Discord repeats an interaction within minutes; a week is plenty
SHUTDOWN_GRACE_SECONDS = 10.0
_MESSAGE_KINDS = (discord.MessageType.default, discord.MessageType.reply)


def gateway_intents(settings: Settings) -> discord.Intents:
    """The fewest intents that work; message content (privileged) only for passive exchange logging."""
    intents = discord.Intents.none()
    intents.guilds = True  # channels, threads and the bot's own role, from the gateway cache
    intents.guild_messages = True  # mentions of the bot; replies and thread messages for exchange logging
    intents.dm_messages = True
    intents.message_content = settings.exchange_logging
    return intents


def shard_options(settings: Settings) -> dict[str, Any]:
    """`auto`: as many shards as Discord recommends; a number, and optionally which of them run here."""
    if settings.discord.shards == "auto":
        return {}
    options: dict[str, Any] = {"shard_count": int(settings.discord.shards)}
    if settings.discord.shard_ids:
        options["shard_ids"] = list(settings.discord.shard_ids)
    return options


def use_api_url(settings: Settings) -> None:
    """Point discord.py's REST calls elsewhere (a local fake API in tests); process-wide by design."""
    if settings.discord.api_url:
        Route.BASE = settings.discord.api_url.rstrip("/")


class LighthouseClient(discord.AutoShardedClient):
    """discord.py's sharded client with the `/lighthouse` tree and the persistent command buttons."""

    def __init__(self, adapter: DiscordAdapter | None, *, intents: discord.Intents, **options: Any) -> None:
        super().__init__(intents=intents, allowed_mentions=NO_MENTIONS, **options)
        self.adapter = adapter
        self.tree = command_tree(self, adapter)

    async def setup_hook(self) -> None:
        # Every button the bot ever sent matches this template, whichever process sent it.
        self.add_dynamic_items(CommandButton)
        if self.adapter is not None:
            await self.adapter.receipts.purge()

    async def on_message(self, message: discord.Message) -> None:
        if self.adapter is not None:
            await self.adapter.on_message(message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        # Commands and buttons are dispatched by discord.py itself; forms are handled from their custom_id.
        if self.adapter is None or interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str((interaction.data or {}).get("custom_id", ""))
        if is_form_custom_id(custom_id):
            await self.adapter.on_form_submit(interaction, custom_id)


class DiscordAdapter:
    platform = PLATFORM

    def __init__(self, core: Lighthouse, *, defer_after: float = DEFER_AFTER_SECONDS) -> None:
        self.core = core
        self.settings = core.settings
        self.defer_after = defer_after
        use_api_url(self.settings)
        self.store = CommandStore(core.deliveries)
        self.client = LighthouseClient(self, intents=gateway_intents(self.settings), **shard_options(self.settings))
        self.transport = DiscordTransport(
            self.client, self.store, core, group_channel_id=self.settings.discord.intro_channel_id
        )
        self.answers = DiscordAnswers(self.store, self.transport)
        self.in_flight = InFlight(self.platform)
        self.receipts = Receipts(core, self.platform, keep=RECEIPT_KEEP)
        core.register_transport(self.transport)

    # --- life cycle -------------------------------------------------------------------------------

    def _token(self) -> str:
        if self.settings.discord.token is None:
            raise RuntimeError("LIGHTHOUSE_DISCORD_TOKEN is not set")
        return self.settings.discord.token.get_secret_value()

    async def login(self) -> None:
        """REST only, no gateway: enough to send messages and to answer interactions."""
        await self.client.login(self._token())

    async def run(self) -> None:
        """Log in and stay connected to the gateway (reconnecting) until cancelled. A refused token or a
        missing intent raises `SettingsError` (one line, the setting to fix): the process stops with a non-zero
        status, so a supervisor sees that it cannot run as configured."""
        try:
            await self.client.start(self._token())
        except discord.LoginFailure:
            raise SettingsError(
                "LIGHTHOUSE_DISCORD_TOKEN: Discord refused the token; copy the bot token again from the Developer Portal"
            ) from None
        except discord.PrivilegedIntentsRequired:
            raise SettingsError(
                "LIGHTHOUSE_EXCHANGE_LOGGING: Discord refused the Message Content intent; switch it on under "
                "Bot > Privileged Gateway Intents in the Developer Portal, or set LIGHTHOUSE_EXCHANGE_LOGGING=false"
            ) from None
        except (aiohttp.ClientConnectionError, OSError) as exc:  # at start-up: discord.py retries once connected
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SettingsError(
                f"LIGHTHOUSE_DISCORD_API_URL: cannot reach Discord's API at {Route.BASE} ({reason}); check the "
                "network, or the URL when it is set"
            ) from None
        finally:
            await self.stop()

    async def stop(self) -> None:
        await self.in_flight.drain(SHUTDOWN_GRACE_SECONDS)
        if not self.client.is_closed():
            await self.client.close()

    # --- interactions -----------------------------------------------------------------------------

    async def on_slash_command(
        self, interaction: discord.Interaction, text: str, mentions: dict[str, Author] | None = None
    ) -> None:
        async with self.in_flight.track():
            if await self.first_delivery(interaction):
                await self.answer_interaction(interaction, text, mentions=mentions)

    async def _command_behind(self, interaction: discord.Interaction, custom_id: str) -> str | None:
        """The command a button or form stands for; None (and the user told why) when there is nothing to do."""
        if not await self.first_delivery(interaction):
            return None
        command = await self.store.command(custom_id)
        if command is None:
            await self.answers.tell(interaction, BUTTON_GONE)
        return command

    async def on_button(self, interaction: discord.Interaction, custom_id: str) -> None:
        async with self.in_flight.track():
            command = await self._command_behind(interaction, custom_id)
            if command is not None:
                await self.answer_interaction(interaction, command, entry=Entry.BUTTON)

    async def on_form_submit(self, interaction: discord.Interaction, custom_id: str) -> None:
        async with self.in_flight.track():
            command = await self._command_behind(interaction, custom_id)
            if command is None:
                return
            values = submitted_values((interaction.data or {}).get("components", []))  # type: ignore[arg-type]
            # The submission lists the inputs in the form's order.
            text = submitted_command(command, list(values), values)
            await self.answer_interaction(interaction, text, entry=Entry.FORM)

    async def first_delivery(self, interaction: discord.Interaction) -> bool:
        """True the first time this interaction is seen by any process sharing the database."""
        return await self.receipts.first("interaction", str(interaction.id))

    def interaction_message(
        self,
        interaction: discord.Interaction,
        text: str,
        *,
        mentions: dict[str, Author] | None = None,
        from_button: bool = False,
    ) -> Message:
        channel_id, thread_id = channel_and_thread(interaction.channel, interaction.channel_id)
        return Message(
            author=author_from_user(interaction.user),
            text=readable_mentions(text, interaction.guild),
            channel_id=channel_id,
            thread_id=thread_id,
            guild_id=str(interaction.guild_id) if interaction.guild_id else None,
            message_id=f"interaction:{interaction.id}",
            is_direct=interaction.guild_id is None,
            mentions=mentions or {},
            from_button=from_button,
        )

    async def answer_interaction(
        self,
        interaction: discord.Interaction,
        text: str,
        *,
        mentions: dict[str, Author] | None = None,
        entry: Entry = Entry.COMMAND,
    ) -> None:
        from_button = entry is not Entry.COMMAND
        message = self.interaction_message(interaction, text, mentions=mentions, from_button=from_button)
        handling: asyncio.Future[Reply] | None = None
        try:
            # Ephemeral "thinking": a public answer replaces it, a private one fills it in.
            deferred = self.core.may_be_slow(text)
            if deferred:
                await interaction.response.defer(ephemeral=True, thinking=True)
            handling = asyncio.ensure_future(self.core.handle(message))
            if not deferred:
                done, _ = await asyncio.wait({handling}, timeout=self.defer_after)
                deferred = not done
                if deferred:
                    await interaction.response.defer(ephemeral=True, thinking=True)
            reply = await handling
            await self.answers.deliver(interaction, reply, entry=entry, command=text, deferred=deferred)
        except discord.HTTPException as exc:
            log.warning("Discord refused an answer to %r: %s %s", text[:60], exc.status, exc.text)
            await self.answers.report_failure(interaction, exc)
        except Exception:
            unexpected = unexpected_failure(log, "answering a Discord interaction")
            await self.answers.report_failure(interaction, None, unexpected)
        finally:
            if handling is not None and not handling.done():
                await asyncio.wait({handling})  # the core finishes its work even when Discord failed us

    # --- messages ---------------------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        async with self.in_flight.track():
            me = self.client.user
            if me is None or message.author.id == me.id or message.type not in _MESSAGE_KINDS:
                return
            if message.guild is None or self._addresses_me(message):
                # Never answer bots: two bots could talk forever.
                if not message.author.bot and await self.first_message_delivery(message):
                    await self._answer_message(message)
            elif await self._community_reply(message):
                return
            elif self.settings.exchange_logging:
                try:
                    await self._observe(message)
                except Exception:  # passive: never a word in the channel, whatever happens
                    log.exception("exchange logging failed for message %s", message.id)

    async def first_message_delivery(self, message: discord.Message) -> bool:
        """True the first time this message is seen by any process: the gateway may deliver it again after a
        reconnect, or to two processes running the same shard. Community answers and exchange logging are
        kept once per message id by the core, so only messages the bot answers need a receipt."""
        return await self.receipts.first("message", str(message.id))

    async def _answer_message(self, message: discord.Message) -> None:
        direct = message.guild is None
        text = message.content if direct else self._without_my_mentions(message)
        try:
            reply = await self.core.handle(self._core_message(message, text, is_direct=direct))
        except Exception:
            await self.answers.say_in_channel(message, unexpected_failure(log, "answering a Discord message"))
            return
        await self.answers.answer_message(message, reply, command=text)

    def _my_role_id(self, message: discord.Message) -> int | None:
        role = message.guild.self_role if message.guild is not None else None
        return role.id if role is not None else None

    def _addresses_me(self, message: discord.Message) -> bool:
        """A mention of the bot, or of its role (what Discord's mention picker often inserts)."""
        assert self.client.user is not None
        if self.client.user.id in message.raw_mentions:
            return True
        role_id = self._my_role_id(message)
        return role_id is not None and role_id in message.raw_role_mentions

    def _without_my_mentions(self, message: discord.Message) -> str:
        assert self.client.user is not None
        tokens = [rf"<@!?{self.client.user.id}>"]
        role_id = self._my_role_id(message)
        if role_id is not None:
            tokens.append(rf"<@&{role_id}>")
        return " ".join(re.sub("|".join(tokens), " ", message.content).split())

    def _core_message(self, message: discord.Message, text: str, **extra: Any) -> Message:
        channel_id, thread_id = channel_and_thread(message.channel, message.channel.id)
        me = self.client.user
        return Message(
            author=author_from_user(message.author),
            text=readable_mentions(text, message.guild),
            channel_id=channel_id,
            thread_id=thread_id,
            guild_id=str(message.guild.id) if message.guild else None,
            message_id=str(message.id),
            mentions=mention_tokens(list(message.mentions), skip=me.id if me else None),
            **extra,
        )

    async def _community_reply(self, message: discord.Message) -> bool:
        """A message in a thread the bot started with a question to the community is an answer (the core
        decides); False for every other message."""
        if not isinstance(message.channel, discord.Thread | discord.PartialMessageable) or message.author.bot:
            return False
        core_message = self._core_message(message, message.content)
        if core_message.thread_id is None:  # a thread not in the cache: its id is the channel's
            core_message = replace(core_message, thread_id=str(message.channel.id))
        try:
            return await self.core.thread_reply(core_message)
        except Exception:  # never a traceback in the channel; the member can answer with the command
            log.exception("community answer from thread message %s failed", message.id)
            return True

    async def _observe(self, message: discord.Message) -> None:
        """A reply to someone, or a message in someone else's thread, for exchange logging."""
        reply_to: Author | None = None
        reference = message.reference
        if reference is not None and isinstance(reference.resolved, discord.Message):
            reply_to = author_from_user(reference.resolved.author)
        elif isinstance(message.channel, discord.Thread):
            owner_id = message.channel.owner_id
            me = self.client.user
            if owner_id and owner_id != message.author.id and (me is None or owner_id != me.id):
                owner = message.channel.owner
                reply_to = author_from_user(owner) if owner is not None else author_from_id(owner_id)
        if reply_to is not None:
            await self.core.observe(self._core_message(message, message.content, reply_to=reply_to))


async def sync_commands(settings: Settings, guild_id: int | None = None) -> list[str]:
    """Register `/lighthouse` with Discord (globally, or in one server for instant testing)."""
    if settings.discord.token is None:
        raise RuntimeError("LIGHTHOUSE_DISCORD_TOKEN is not set")
    use_api_url(settings)
    client = LighthouseClient(None, intents=gateway_intents(settings))
    try:
        await client.login(settings.discord.token.get_secret_value())
        guild = discord.Object(guild_id) if guild_id else None
        if guild is not None:
            client.tree.copy_global_to(guild=guild)
        synced = await client.tree.sync(guild=guild)
        return [f"/{command.name} {option.name}" for command in synced for option in command.options]
    finally:
        await client.close()
