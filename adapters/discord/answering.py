"""Discord's way of carrying out a delivery plan (adapters/delivery_policy.py).

An interaction's first answer is a modal, a message, or (once deferred with an ephemeral "thinking") an
edit of that message for a private answer, or a new public follow-up in its place; what does not fit one
message follows up. A mention is answered in its channel as a reply to it; Discord has no answers for one
member outside interactions, so the policy sends a private one to the asker's direct messages.
"""

from __future__ import annotations

import logging

import discord

from adapters.delivery_policy import DeliveryPolicy, Entry, Request, platform_refused
from adapters.discord.render import NO_MENTIONS, neutralise_mentions, render, shorten
from adapters.discord.transport import DISCORD_CAPABILITIES, DiscordTransport, message_kwargs, send_rendered
from adapters.discord.views import CommandStore, build_modal
from adapters.toolkit import unexpected_failure
from bot.reply import Reply

log = logging.getLogger(__name__)


class DiscordAnswers:
    def __init__(self, store: CommandStore, transport: DiscordTransport) -> None:
        self.store = store
        self.transport = transport
        self.policy = DeliveryPolicy(DISCORD_CAPABILITIES)

    # --- interactions -----------------------------------------------------------------------------

    async def deliver(
        self, interaction: discord.Interaction, reply: Reply, *, entry: Entry, command: str, deferred: bool
    ) -> None:
        request = Request(
            entry=entry, in_direct=interaction.guild_id is None, command=command, form_window=not deferred
        )
        delivery = self.policy.plan(reply, request)
        if delivery.form is not None:
            await interaction.response.send_modal(await build_modal(delivery.form, self.store))
            return
        if delivery.direct is not None:
            sent = await self.transport.send_direct(str(interaction.user.id), delivery.direct) is not None
            delivery = self.policy.after_direct(delivery.direct, request, sent=sent)
        assert delivery.answer is not None
        messages = render(delivery.answer)
        ephemeral = delivery.private
        first = await message_kwargs(messages[0], self.store)
        if not deferred:
            await interaction.response.send_message(**first, ephemeral=ephemeral)
        elif ephemeral:
            if "files" in first:
                first["attachments"] = first.pop("files")
            await interaction.edit_original_response(**first)
        else:
            await interaction.delete_original_response()
            await interaction.followup.send(**first, ephemeral=False)
        for outgoing in messages[1:]:
            await interaction.followup.send(**await message_kwargs(outgoing, self.store), ephemeral=ephemeral)

    async def tell(self, interaction: discord.Interaction, text: str) -> None:
        """A short private note, as a first answer or a follow-up, whichever is still possible."""
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def report_failure(
        self, interaction: discord.Interaction, exc: discord.HTTPException | None, unexpected: str = ""
    ) -> None:
        text = unexpected if exc is None else refusal(exc)
        try:
            await self.tell(interaction, text)
        except discord.HTTPException:
            log.exception("could not tell the user that an answer failed")

    # --- messages ---------------------------------------------------------------------------------

    async def answer_message(self, message: discord.Message, reply: Reply, *, command: str) -> None:
        """Answer a direct message in its conversation, a mention in its channel as a reply to it; failures
        are said there."""
        direct = message.guild is None
        request = Request(entry=Entry.DIRECT if direct else Entry.MENTION, command=command)
        try:
            delivery = self.policy.plan(reply, request)
            if delivery.direct is not None:
                sent = await self.transport.send_direct(str(message.author.id), delivery.direct) is not None
                delivery = self.policy.after_direct(delivery.direct, request, sent=sent)
            assert delivery.answer is not None
            await send_rendered(message.channel, render(delivery.answer), self.store,
                                reference=None if direct else message)
        except discord.HTTPException as exc:
            log.warning("Discord refused an answer in channel %s: %s %s", message.channel.id, exc.status, exc.text)
            await self.say_in_channel(message, refusal(exc))
        except Exception:
            await self.say_in_channel(message, unexpected_failure(log, "answering a Discord message"))

    async def say_in_channel(self, message: discord.Message, text: str) -> None:
        try:
            await message.channel.send(text, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException:
            log.exception("could not tell channel %s that an answer failed", message.channel.id)


def refusal(exc: discord.HTTPException) -> str:
    return platform_refused("Discord", exc.status, shorten(neutralise_mentions(exc.text or ""), 300))
