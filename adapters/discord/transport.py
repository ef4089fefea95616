"""Messages the bot sends unasked (DMs, channel posts, introductions), over Discord's REST API.

Only REST calls are used, so any process can send to anyone, whichever shard it runs. Discord has no group
DMs for bots: a conversation of several members is a private thread in the configured introductions
channel, or one DM each when there is none.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from adapters.delivery_policy import Capabilities, Entry
from adapters.discord.render import NO_MENTIONS, OutgoingMessage, normalise, plan_pages, render, shorten
from adapters.discord.views import CommandStore, build_view, form_fits_a_modal
from bot.pagination import PageBudget
from bot.reply import Reply

if TYPE_CHECKING:
    from adapters.discord.client import LighthouseClient
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

PLATFORM = "discord"
THREAD_NAME_LIMIT = 100
THREAD_ARCHIVE_MINUTES = 7 * 24 * 60
# A page of an answer is as many messages as render makes of it, up to MESSAGES_PER_PAGE (plan_pages), with
# sections too big for one embed cut into parts first (normalise).
DISCORD_PAGES = PageBudget(prepare=normalise, split=plan_pages)
# A modal can only be an interaction's first answer (before it is deferred), and never the answer to a
# submitted form; an answer for the asker alone only exists in interactions. A button's command too long for
# its custom_id is stored (views.CommandStore), so any command fits a button.
DISCORD_CAPABILITIES = Capabilities(
    entries=frozenset(Entry),
    modals=frozenset({Entry.COMMAND, Entry.BUTTON}),
    ephemeral=frozenset({Entry.COMMAND, Entry.BUTTON, Entry.FORM}),
    direct_messages=True,
    threads=True,
    page_budget=DISCORD_PAGES,
    modal_fits=form_fits_a_modal,
)


async def message_kwargs(outgoing: OutgoingMessage, store: CommandStore) -> dict[str, Any]:
    """Keyword arguments for discord.py's send methods (channels, interaction responses, follow-ups)."""
    kwargs: dict[str, Any] = {"embeds": outgoing.embeds, "allowed_mentions": NO_MENTIONS}
    if outgoing.content:
        kwargs["content"] = outgoing.content
    view = await build_view(outgoing.rows, store)
    if view is not None:
        kwargs["view"] = view
    if outgoing.attachments:
        kwargs["files"] = outgoing.files()
    return kwargs


async def send_rendered(
    destination: discord.abc.Messageable,
    messages: list[OutgoingMessage],
    store: CommandStore,
    *,
    reference: discord.Message | None = None,
) -> list[discord.Message]:
    """Post rendered messages in order; the first answers `reference` when given. Mentions never ping."""
    sent = []
    for index, outgoing in enumerate(messages):
        kwargs = await message_kwargs(outgoing, store)
        if reference is not None and index == 0:
            kwargs.update(reference=reference, mention_author=False)
        sent.append(await destination.send(**kwargs))
    return sent


def thread_name(reply: Reply) -> str:
    title = next((s.title for s in reply.sections if s.title), None)
    first_line = reply.text.strip().splitlines()[0] if reply.text.strip() else ""
    return shorten(title or first_line or "Lighthouse introduction", THREAD_NAME_LIMIT)


class DiscordTransport:
    platform = PLATFORM
    # `send_direct` returns None exactly when Discord refused the message (bot/transport.py).
    NO_REFERENCE_MEANS_UNREACHABLE = True
    capabilities = DISCORD_CAPABILITIES
    page_budget = DISCORD_CAPABILITIES.page_budget

    def __init__(
        self, client: LighthouseClient, store: CommandStore, core: Runtime, *, group_channel_id: int | None
    ) -> None:
        self.client = client
        self.store = store
        self.core = core
        self.group_channel_id = group_channel_id

    async def fit(self, reply: Reply, *, user_id: str | None = None) -> Reply:
        """The reply as one page's worth, paged by the core; the rest is stored for the "More" button (an
        answer the core paged already comes back as it is)."""
        owner = (PLATFORM, user_id) if user_id is not None else None
        now = self.core.clock.now()
        return await self.core.paginator.paginate(reply, budget=self.page_budget, owner=owner, now=now)

    async def send_direct(self, user_id: str, reply: Reply) -> str | None:
        """DM a user; None (and a log line) when Discord will not let the bot reach them."""
        try:
            channel = await self.client.create_dm(discord.Object(int(user_id)))
            sent = await send_rendered(channel, render(await self.fit(reply, user_id=user_id)), self.store)
        except (discord.Forbidden, discord.NotFound) as exc:
            # Closed DMs, no shared server, or a deleted account: a normal condition, not a crash.
            log.warning("cannot send a direct message to discord user %s: %s", user_id, exc.text or exc.status)
            return None
        return str(sent[0].id)

    async def send_channel(self, channel_id: str, reply: Reply, thread_id: str | None = None) -> str | None:
        target = int(thread_id or channel_id)
        channel = self.client.get_channel(target) or self.client.get_partial_messageable(target)
        sent = await send_rendered(channel, render(await self.fit(reply)), self.store)  # type: ignore[arg-type]
        return str(sent[0].id)

    async def start_thread(self, channel_id: str, reply: Reply) -> str | None:
        """Post `reply` in a channel and open a thread on it; returns the thread's id, which on Discord is the
        message's id (so a thread a member opens on the message instead is the same thread)."""
        target = int(channel_id)
        channel = self.client.get_channel(target) or self.client.get_partial_messageable(target)
        messages = render(await self.fit(reply))
        first = (await send_rendered(channel, messages, self.store))[0]  # type: ignore[arg-type]
        try:
            await first.create_thread(name=thread_name(reply), auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except (discord.HTTPException, ValueError) as exc:  # no permission: members can still open it
            log.warning("cannot open a thread on message %s in channel %s: %s", first.id, channel_id, exc)
        return str(first.id)

    async def send_group(self, user_ids: list[str], reply: Reply) -> str | None:
        """A private thread with everyone in it; one DM each when no channel is set or the thread fails."""
        if self.group_channel_id is not None:
            try:
                return await self._private_thread(user_ids, reply)
            except (discord.Forbidden, discord.NotFound, TypeError) as exc:
                log.warning("cannot open a private thread in channel %s (%s); sending direct messages instead",
                            self.group_channel_id, exc)
        first = None
        for user_id in user_ids:
            reference = await self.send_direct(user_id, reply)
            first = first or reference
        return first

    async def _private_thread(self, user_ids: list[str], reply: Reply) -> str:
        assert self.group_channel_id is not None
        channel = self.client.get_channel(self.group_channel_id) or await self.client.fetch_channel(
            self.group_channel_id
        )
        if not isinstance(channel, discord.TextChannel):
            raise TypeError(f"channel {self.group_channel_id} is a {type(channel).__name__}, not a text channel")
        thread = await channel.create_thread(
            name=thread_name(reply),
            type=discord.ChannelType.private_thread,
            invitable=False,
            auto_archive_duration=THREAD_ARCHIVE_MINUTES,
        )
        # Added explicitly: the message itself pings nobody, so mentions would not add them.
        for user_id in user_ids:
            await thread.add_user(discord.Object(int(user_id)))
        await send_rendered(thread, render(await self.fit(reply)), self.store)
        return str(thread.id)
