"""From message text to a command handler, with the checks every command shares.

Order: size and emptiness, the command name (with suggestions), the asker's role, then the handler.
Anything unexpected is logged with an error id and answered politely; the user never sees a traceback.
"""

from __future__ import annotations

import difflib
import logging
import re
import uuid
from typing import TYPE_CHECKING

from bot import commands
from bot.context import CommandContext, split_args
from bot.errors import UserError
from bot.members import effective_role, resolve_member
from bot.message import Message
from bot.reply import Reply, error_reply
from bot.vocabulary import role_rank

if TYPE_CHECKING:
    from bot.core import Lighthouse

log = logging.getLogger(__name__)

# Leading "/", "!" or the bot's name are accepted: "/help", "!help", "lighthouse help".
_PREFIX = re.compile(r"^(?:[/!]\s*)?(?:lighthouse\b[:,]?\s*)?", re.IGNORECASE)


def parse(text: str) -> tuple[str, str]:
    """("command", "the rest as typed") from a message's text."""
    stripped = _PREFIX.sub("", text.strip(), count=1).strip()
    name, _, rest = stripped.partition(" ")
    return name.lower(), rest.strip()


def suggestions(name: str) -> list[str]:
    return difflib.get_close_matches(name, commands.names_and_aliases(), n=3, cutoff=0.5)


async def route(core: Lighthouse, message: Message) -> Reply:
    text = message.text or ""
    limit = core.settings.max_message_chars
    if len(text) > limit:
        return error_reply(f"That message is {len(text):,} characters long; the limit is {limit:,}. Please shorten it.")
    if not text.strip():
        return Reply(text="Type `help` to see what I can do.", private=True)
    name, args_text = parse(text)
    if not name:
        return Reply(text="Type `help` to see what I can do.", private=True)
    command = commands.lookup(name)
    if command is None:
        close = suggestions(name)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        shown = name if len(name) <= 40 else name[:40] + "…"
        return error_reply(f"I don't know the command “{shown}”.{hint} Type `help` for the list.")
    try:
        async with core.db.session() as session, session.begin():
            member = await resolve_member(session, message.author)
        role = effective_role(member, core.is_config_admin(message.platform, message.author.user_id))
        words = split_args(args_text)
        needed = command.role_for(words)
        if role_rank(role) < role_rank(needed):
            by_subcommand = bool(words) and words[0].lower() in command.subcommand_roles
            asked = f"{command.name} {words[0].lower()}" if by_subcommand else command.name
            return error_reply(
                f"`{asked}` needs the {needed} role; you are a {role}. "
                "An admin can grant it with `role grant @you " + needed + "`."
            )
        context = CommandContext(
            core=core, message=message, member=member, role=role, command_name=command.name, args_text=args_text
        )
        reply = await command.handler(context)
        return await core.paginator.paginate(
            reply, member_id=member.id, now=core.clock.now(), max_sections=core.settings.results_per_page
        )
    except UserError as exc:
        return error_reply(str(exc))
    except Exception:
        error_id = uuid.uuid4().hex[:8]
        log.exception("error %s while handling %r from %s:%s", error_id, name, message.platform, message.author.user_id)
        return error_reply(f"Something went wrong on my side (error id {error_id}). Please try again later.")
