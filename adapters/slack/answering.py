"""Slack's way of carrying out a delivery plan (adapters/delivery_policy.py): modals through views.open,
private answers as ephemeral messages (through response_url where Slack gave one), files, which cannot be
ephemeral, in the asker's direct messages, and a direct message where the bot cannot post in a channel."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.delivery_policy import DeliveryPolicy, Entry, Request
from adapters.slack.render import form_view, render
from adapters.slack.transport import SLACK_CAPABILITIES, SlackTransport, without_files
from bot.reply import Form, Reply

log = logging.getLogger(__name__)

# Slack errors that mean "the bot cannot post here": answer the person directly instead.
CANNOT_POST_HERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_dm_bot"}


@dataclass
class Origin:
    """Where a request came from, so its answer goes back the way Slack users expect."""

    user_id: str
    channel_id: str | None
    entry: Entry
    thread_ts: str | None = None
    respond: AsyncRespond | None = None
    trigger_id: str | None = None
    is_direct: bool = False
    ephemeral: bool = False  # a click on a message only this user sees: the answer stays private too
    source_text: str = ""  # the command as sent, for a "Open the form" button

    def request(self) -> Request:
        return Request(
            entry=self.entry,
            in_direct=self.is_direct,
            command=self.source_text,
            form_window=self.trigger_id is not None,  # a modal needs the trigger of the click or command
            private_origin=self.ephemeral,
        )


class SlackAnswers:
    def __init__(self, client: AsyncWebClient, transport: SlackTransport) -> None:
        self.client = client
        self.transport = transport
        self.policy = DeliveryPolicy(SLACK_CAPABILITIES)

    async def answer(self, reply: Reply, origin: Origin) -> None:
        request = origin.request()
        delivery = self.policy.plan(reply, request)
        if delivery.form is not None:
            if await self._open_form(delivery.form, origin):
                return
            delivery = self.policy.plan(reply, replace(request, form_window=False))
        if delivery.direct is not None:
            sent = await self._send_direct(origin.user_id, delivery.direct)
            delivery = self.policy.after_direct(delivery.direct, request, sent=sent)
        assert delivery.answer is not None
        await self._say(delivery.answer, origin, private=delivery.private)

    async def _send_direct(self, user_id: str, reply: Reply) -> bool:
        return await self.transport.send_direct(user_id, reply) is not None  # None: Slack refused (logged)

    async def _say(self, reply: Reply, origin: Origin, *, private: bool) -> None:
        if private:
            await self._say_privately(reply, origin)
        elif origin.entry is Entry.COMMAND and origin.respond is not None:
            # The bot may not be a member of the channel a slash command came from; response_url always works.
            await self._respond(origin.respond, without_files(reply), origin, ephemeral=False)
            await self._send_files_direct(reply, origin)
        elif origin.channel_id:
            try:
                await self.transport.post(origin.channel_id, reply, thread_ts=origin.thread_ts, user_id=origin.user_id)
            except SlackApiError as exc:
                if exc.response.get("error") not in CANNOT_POST_HERE:
                    raise
                await self._fallback(reply, origin, exc, private=False)
        else:
            await self.transport.send_direct(origin.user_id, reply)

    async def _say_privately(self, reply: Reply, origin: Origin) -> None:
        if origin.respond is not None:
            await self._respond(origin.respond, without_files(reply), origin, ephemeral=True)
        elif origin.channel_id:
            try:
                await self.transport.post_ephemeral(
                    origin.channel_id, origin.user_id, without_files(reply), thread_ts=origin.thread_ts
                )
            except SlackApiError as exc:
                if exc.response.get("error") not in CANNOT_POST_HERE:
                    raise
                await self._fallback(without_files(reply), origin, exc, private=True)
        else:
            await self.transport.send_direct(origin.user_id, without_files(reply))
        # Files cannot be ephemeral: they go to the person's direct messages.
        await self._send_files_direct(reply, origin)

    async def _send_files_direct(self, reply: Reply, origin: Origin) -> None:
        if await self.transport.send_files_direct(origin.user_id, reply.attachments):
            return
        names = ", ".join(attachment.filename for attachment in reply.attachments)
        note = Reply(
            text=f"I couldn't send you {names}: Slack refused a direct message to you. "
            "Open a direct message with me (or ask your workspace admin to allow it) and ask again there.",
            private=True,
            tone="warning",
        )
        if origin.respond is not None:
            await self._respond(origin.respond, note, origin, ephemeral=True)
        elif origin.channel_id:
            try:
                await self.transport.post_ephemeral(origin.channel_id, origin.user_id, note, thread_ts=origin.thread_ts)
            except SlackApiError as exc:
                log.warning("cannot tell slack user %s that their files were refused: %s", origin.user_id,
                            exc.response.get("error"))

    async def _fallback(self, reply: Reply, origin: Origin, exc: SlackApiError, *, private: bool) -> None:
        """The bot may not post in the channel (it was never invited): a click's response_url still answers
        there ("More" under the page it continues); otherwise the answer goes to the member directly."""
        if origin.respond is not None:
            await self._respond(origin.respond, without_files(reply), origin, ephemeral=private)
            if reply.attachments:
                await self._send_files_direct(reply, origin)
            return
        log.info(
            "cannot post in %s (%s); answering %s directly",
            origin.channel_id,
            exc.response.get("error"),
            origin.user_id,
        )
        await self.transport.send_direct(origin.user_id, reply)

    async def _respond(self, respond: AsyncRespond, reply: Reply, origin: Origin, *, ephemeral: bool) -> None:
        message = render(await self.transport.fit(reply, user_id=origin.user_id))
        if not message.blocks:
            return
        response = await respond(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral" if ephemeral else "in_channel",
            replace_original=False,
        )
        if response.status_code != 200:
            log.warning("Slack response_url answered %s; sending a direct message instead", response.status_code)
            await self.transport.send_direct(origin.user_id, reply)

    async def _open_form(self, form: Form, origin: Origin) -> bool:
        metadata = {
            "c": form.command,
            "f": [f.name for f in form.fields],
            "ch": origin.channel_id,
            "th": origin.thread_ts,
        }
        try:
            view = form_view(form, metadata)
            await self.client.views_open(trigger_id=origin.trigger_id, view=view)
        except (ValueError, SlackApiError) as exc:
            log.warning("could not open the form %r: %s", form.command, exc)
            return False
        return True


def form_metadata(raw: object) -> dict | None:
    """The form's command, field names, channel and thread as `form_view` stored them; None when they are not."""
    metadata = _json_object(raw)
    if metadata is None or not _well_formed(metadata):
        return None
    return metadata


def _json_object(raw: object) -> dict | None:
    """`raw` read as a JSON object; None for anything else."""
    try:
        metadata = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        return None
    return metadata if isinstance(metadata, dict) else None


def _well_formed(metadata: dict) -> bool:
    """A command, a list of field names, and a channel and thread that are text where present."""
    return isinstance(metadata.get("c"), str) and _names(metadata.get("f")) and _optional_texts(metadata, ("ch", "th"))


def _names(fields: object) -> bool:
    return isinstance(fields, list) and all(isinstance(name, str) for name in fields)


def _optional_texts(metadata: dict, keys: tuple[str, ...]) -> bool:
    return not any(metadata.get(key) is not None and not isinstance(metadata[key], str) for key in keys)
