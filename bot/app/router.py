"""From message text to a command handler, with the checks every command shares.

Order: size and emptiness, the command name (with suggestions), the asker's role, then the handler.
Anything unexpected is logged with an error id and answered politely; the user never sees a traceback.

A database that stops answering never leaves a message without an answer for long: the asker's member
row is looked up within `database_timeout_seconds` (a search may take it as this process last read it
instead: `bot.askers`), and the rest of the work runs under a watchdog that, when it is still busy after
that time, asks the database whether it answers (`Database.probe`) and gives up when it does not. Either
way the member is told that the database is not answering (`DATABASE_APOLOGY`) within about 1.6 times
that limit (8 seconds by default). A command that needs no database (`help`) answers anyway, for the role
the settings give the asker.

Mentions a message starts with (`@here`, `<@U123>`) are not read as its command: "@here help" is `help`.
A message whose first word is not a command is a plain question: unless the whole message is small talk
(a greeting, thanks or goodbye: `bot.app.small_talk`), which gets a short answer, or asks about the bot
itself ("what can you do?"), which gets `help`, or asks only which events are coming ("any events this
week?": `bot.app.event_questions`), which gets `event list`, or asks for something about the member's
own account ("delete my data", "change my country to Sweden": `bot.app.account_requests`), which gets
the command that does it, or that word is a
near-typo of a command (one letter added, dropped, changed or two swapped: `profle`), which gets "did you
mean", the message is searched as `find` would search it (without its mentions: `bot.search.query`), or
as `experts` would when it asks "who" ("who knows about GLP-1?", "hvem arbejder med …"). An
everyday word with more words after it is no typo ("kind nurses", "rule of thumb": `COMMAND_LOOKALIKES`),
and a command's name that only begins a sentence is no command ("role of municipalities in...", "quit
smoking programmes": `_begins_a_sentence`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.app.account_requests import account_request
from bot.app.command_lookalikes import COMMAND_LOOKALIKES
from bot.app.event_questions import asks_for_events
from bot.app.small_talk import ANSWERS, SmallTalk, asks_about_the_bot, small_talk
from bot.app.who_questions import asks_who, who_asks_about
from bot.audit import AuditAction, command_details, record_audit
from bot.commands import Command, CommandRegistry
from bot.context import CommandContext, split_args
from bot.failures import unexpected_failure
from bot.feature import Catalogue
from bot.members.roles import known_admin_names, refusal
from bot.members.service import effective_role, has_platform_news, resolve_member
from bot.message import Message
from bot.reply import Reply, error_reply
from bot.sanitize import clean_message, has_mention, without_leading_mentions
from config.errors import UserError
from config.typos import edit_distance, typos_of
from config.vocabulary import Role, role_rank
from knowledge.language import ALL_STOPWORDS
from storage.database import DatabaseNotAnswering, is_unavailable
from storage.lookups import MemberGone
from storage.models import Member

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

# Leading "/", "!" or the bot's name are accepted: "/help", "!help", "lighthouse help".
_PREFIX = re.compile(r"^(?:[/!]\s*)?(?:lighthouse\b[:,]?\s*)?", re.IGNORECASE)


def command_text(text: str) -> str:
    """The message without what may precede its command: mentions, then "/", "!" or the bot's name."""
    return without_leading_mentions(_PREFIX.sub("", without_leading_mentions(text), count=1)).strip()


def parse(text: str) -> tuple[str, str]:
    """("command", "the rest as typed") from a message's text."""
    stripped = command_text(text)
    # Any whitespace ends the name ("help\tprofile" is "help profile"); the rest keeps its spacing.
    words = stripped.split(None, 1)
    name = words[0] if words else ""
    rest = words[1] if len(words) > 1 else ""
    return name.lower(), rest.strip()


def suggestions(commands: CommandRegistry, name: str) -> list[str]:
    """Command names and aliases `name` may be a typo of (`help profle`): within a typo's few edits, never
    whatever happens to share some letters ("nonexistingcommand" is no "commands")."""
    return typos_of(name, commands.names_and_aliases())[:3]


# Words that begin no command's arguments but often follow a noun that is a command's name ("role of",
# "privacy in"): the stop words of English and of the other languages members write.
FUNCTION_WORDS = ALL_STOPWORDS
# Words that tell a command what to do, where a member may not know the subcommand's own word ("privacy
# delete my account", "event create a workshop on..."): after a command's name they never begin a question,
# and the command's answer names the subcommands there are.
INSTRUCTION_WORDS = frozenset(
    "delete remove create make change update stop start get send view open close new download see check "
    "join leave book register sign turn switch enable disable reset give take invite accept decline "
    "edit add list show set clear export erase cancel grant revoke daily weekly monthly".split()
)
# Names this short are too close to everyday words ("me" and "we", "kpi" and "api") to call a near-typo.
MIN_TYPO_NAME_CHARS = 4
PLAIN_QUESTION_COMMAND = "find"
HELP_COMMAND = "help"  # what a question about the bot itself gets
EVENTS_COMMAND = "event"  # `event list [theme]`: what a question about coming events gets
PEOPLE_COMMAND = "experts"  # what a question asking "who" gets: people, not documents
DATABASE_APOLOGY = (
    "Sorry, the database is not answering, so I cannot do that right now. Please try again in a minute."
)
# How much of the database time limit a probe gets, once a message has waited that long.
PROBE_SHARE = 0.6
# A change that arrived while the member's own erasure was being carried out (the erasure went first).
MEMBER_GONE = (
    "Your data was erased a moment ago, so nothing was changed. "
    "Anything you send from now on starts a new, empty profile."
)
RULE_HELP = (
    "Anything else you write is searched as a question (`find`), unless its first word is a typo of a command; "
    "so is a command's name followed by words it has no use for (“role of municipalities in…”)."
)


def near_typos(commands: CommandRegistry, word: str) -> list[str]:
    """Visible command names (and aliases) one edit away from `word`, for "did you mean"."""
    word = word.lower()
    found = []
    for command in commands.all():
        if not command.hidden and command.name not in found and _one_edit_away(word, command):
            found.append(command.name)
    return found


def _one_edit_away(word: str, command: Command) -> bool:
    """Whether `word` is one edit from the command's name or an alias (one long enough to be mistyped)."""
    return any(
        len(name) >= MIN_TYPO_NAME_CHARS and abs(len(word) - len(name)) <= 1 and edit_distance(word, name) <= 1
        for name in (command.name, *command.aliases)
    )


def _begins_a_sentence(commands: CommandRegistry, command: Command, args_text: str) -> bool:
    """Whether a command's name only begins a question: the command does not take the words that follow
    ("quit smoking programmes", "next steps for the pilot", "match making between SMEs and hospitals"), the
    next word is a function word it has no use for, with more after it ("role of municipalities in...",
    "privacy in health data", "help with obesity", "intro to health literacy"), or a command that only runs
    its subcommands is followed by a word that is none of them, nor a typo of one, nor a word that tells a
    command what to do, and two more words ("privacy impact assessment for health apps", "role models for
    teenagers", "event planning for patient organisations"). Words that mention someone are meant for the
    command, and a search command takes any words."""
    if has_mention(args_text):  # "intro to @ana ...": the command is meant
        return False
    words = args_text.split()
    if command.takes is not None and not command.takes(words):
        return True
    if command.searches or len(words) < 2:
        return False
    first = words[0].lower()
    if command.subcommand(first) is not None or commands.lookup(first) is not None:
        return False
    if first in FUNCTION_WORDS:
        return True
    return (
        bool(command.subcommands) and command.otherwise is None and len(words) >= 3
        and first not in INSTRUCTION_WORDS and not typos_of(first, command.subcommand_words())
    )


@dataclass(frozen=True)
class Routing:
    """What a message asks for: a command and its argument text, or a typo to point out."""

    command: Command | None
    args_text: str
    plain_question: bool = False  # not a command: searched as a question
    typo_of: tuple[str, ...] = ()
    small_talk: SmallTalk | None = None  # a greeting, thanks or goodbye: answered in a line


def resolve(commands: CommandRegistry, text: str) -> Routing:
    """The one rule from text to command (see the module docstring)."""
    name, args_text = parse(text)
    command = commands.lookup(name) if name else None
    if command is not None and _begins_a_sentence(commands, command, args_text):
        return _plain_question(commands, text)
    if command is not None or not name:
        return Routing(command, args_text)
    talk = small_talk(text)
    if talk is not None:
        return Routing(None, args_text, small_talk=talk)
    if asks_about_the_bot(text):
        return Routing(commands.lookup(HELP_COMMAND), "")
    close = near_typos(commands, name)
    # An everyday word followed by more words begins a question ("kind nurses", "fund school meals", Dutch
    # "kind met overgewicht"); alone it may still be a typo, and the answer says how to search it.
    if close and not (args_text and name in COMMAND_LOOKALIKES):
        return Routing(None, args_text, typo_of=tuple(close))
    return _plain_question(commands, text)


def _plain_question(commands: CommandRegistry, text: str) -> Routing:
    """A message that is no command: the command for a request about the member's own account ("delete my
    data": `bot.app.account_requests`); the coming events when that is all it asks about; people for a question
    that asks "who" ("who knows about GLP-1?", "hvem arbejder med …"); else a search of everything."""
    theme = asks_for_events(text)
    events = f"{EVENTS_COMMAND} list {theme}".strip() if theme is not None else None
    for command_line in (account_request(text), events):  # what the message asks for, as a command would
        name, args_text = parse(command_line) if command_line else ("", "")
        if (command := commands.lookup(name) if name else None) is not None:
            return Routing(command, args_text)
    question = command_text(text)
    if asks_who(question) and (people := commands.lookup(PEOPLE_COMMAND)) is not None:
        return Routing(people, who_asks_about(question), plain_question=True)
    return Routing(commands.lookup(PLAIN_QUESTION_COMMAND), question, plain_question=True)


def may_be_slow(commands: CommandRegistry, text: str) -> bool:
    """Whether answering `text` may take seconds (a search, which waits for the model after a restart), so
    that an adapter with a deadline acknowledges it at once instead of waiting to see."""
    command = resolve(commands, text).command
    return command is not None and command.searches


async def route(core: Runtime, catalogue: Catalogue, message: Message) -> Reply:
    message = clean_message(message)
    text = message.text
    if not text.strip():
        return Reply(text="Type `help` to see what I can do.", private=True)
    name = parse(text)[0]
    routing = resolve(catalogue.commands, text)
    command, args_text = routing.command, routing.args_text
    too_long = _too_long(core, text, routing)
    if too_long is not None:
        return too_long
    if not name:
        return Reply(text="Type `help` to see what I can do.", private=True)
    if command is None:
        return _not_a_command(name, routing)
    try:
        return await _within_database_limit(core, _answer(core, catalogue, message, command, routing, name, args_text))
    except UserError as exc:
        return error_reply(catalogue.word(exc))
    except MemberGone:
        return error_reply(MEMBER_GONE)
    except Exception as exc:
        return await _failed(core, message, command, exc)


def _too_long(core: Runtime, text: str, routing: Routing) -> Reply | None:
    """A message over the message limit; for a search (which cuts its question to what the model reads, with a
    note), a question over the question limit, counting the question alone: what precedes it (`find`, a
    mention) counts against the message limit."""
    settings = core.settings
    if routing.command is not None and routing.command.accepts_long_text:
        question = len(routing.args_text)
        if question > settings.max_question_chars:
            return error_reply(
                f"That question is {question:,} characters long; the limit for a search question is "
                f"{settings.max_question_chars:,}. Please shorten it."
            )
        if len(text.strip()) - question > settings.max_message_chars:  # the rest: the command, mentions before it
            return error_reply(
                f"That message is {len(text):,} characters long: its question may be up to "
                f"{settings.max_question_chars:,} and the rest up to {settings.max_message_chars:,}. Please shorten it."
            )
        return None
    if len(text) > settings.max_message_chars:
        return error_reply(
            f"That message is {len(text):,} characters long; the limit is {settings.max_message_chars:,}. "
            "Please shorten it."
        )
    return None


def _not_a_command(name: str, routing: Routing) -> Reply:
    """Small talk gets its short answer; a word close to a command's name, the names it may have meant."""
    if not routing.typo_of:
        return Reply(text=ANSWERS[routing.small_talk or SmallTalk.GREETING], private=True)
    shown = name if len(name) <= 40 else name[:40] + "…"
    return error_reply(
        f"I don't know the command “{shown}”. Did you mean: {', '.join(routing.typo_of)}? "
        "Type `help` for the list, or `find <question>` to search for what you wrote."
    )


async def _failed(core: Runtime, message: Message, command: Command, exc: Exception) -> Reply:
    """An apology for an unexpected failure: a short one while the database is not answering."""
    if await _database_down(core, exc):
        log.warning("%r from %s:%s not answered: the database is not answering", command.name,
                    message.platform, message.author.user_id)
        return error_reply(DATABASE_APOLOGY)
    asker = f"{message.platform}:{message.author.user_id}"
    return error_reply(unexpected_failure(log, "handling %r from %s", command.name, asker))


async def _refusal(core: Runtime, command: Command, args: list[str], needed: Role, role: Role) -> Reply:
    """Which role is needed, and who can grant it (with the admins' names when the bot knows them)."""
    label = command.label_for(args)
    async with core.db.session() as session:
        admins = await known_admin_names(session, core.settings)
    return error_reply(refusal(label, needed, role, admins))


async def _audit_command(core: Runtime, context: CommandContext) -> None:
    """Every successful coordinator or admin command is audited here, in one place."""
    details = command_details(
        context.command_name,
        context.args_text,
        platform=context.message.platform,
        channel_id=context.message.channel_id,
    )
    try:
        async with core.db.session() as session, session.begin():
            await record_audit(session, context.member.id, AuditAction.COMMAND, details, at=core.clock.now())
    except Exception:  # the command itself succeeded: answer it, and leave the gap visible in the log
        log.exception("audit entry lost for %s by member %s", context.command_name, context.member.id)


async def _database_down(core: Runtime, exc: Exception) -> bool:
    """Whether `exc` came from a database that is not answering: said so by the database layer, or a timeout
    or lost connection while a probe finds the database not answering now either."""
    if isinstance(exc, DatabaseNotAnswering):
        return True
    return is_unavailable(exc) and not await core.db.probe(core.settings.database_timeout_seconds * PROBE_SHARE)


async def _answer(
    core: Runtime,
    catalogue: Catalogue,
    message: Message,
    command: Command,
    routing: Routing,
    name: str,
    args_text: str,
) -> Reply:
    args = split_args(args_text)
    needed = command.role_for(args)
    # A search open to every member may use the asker as this process last read them (bot.askers), unless the
    # message brings a new name or timezone to store.
    kept = core.members.get(message.author) if command.searches and needed is Role.MEMBER and core.db.answering else None
    if kept is not None and has_platform_news(kept, message.author):
        kept = None
    member, role = _member_and_role(core, message, kept or await _asker(core, message, command))
    if role_rank(role) < role_rank(needed):
        return await _refusal(core, command, args, needed, role)
    context = CommandContext(
        core=core,
        catalogue=catalogue,
        message=message,
        member=member,
        role=role,
        command_name=command.name,
        args_text=args_text,
        invoked_as="" if routing.plain_question else name,
    )
    reply = await command.handler(context)
    if role_rank(needed) >= role_rank(Role.COORDINATOR) and reply.tone != "error" and not context.audited:
        await _audit_command(core, context)
    return await _paginated(core, message, member, reply)


def _member_and_role(core: Runtime, message: Message, member: Member | None) -> tuple[Member, Role]:
    config_admin = core.is_config_admin(message.platform, message.author.user_id)
    if member is None:  # no database, and the command needs none: answered for the role the settings give
        role = Role.ADMIN if config_admin else Role.MEMBER
        return Member(display_name=message.author.display_name or message.author.user_id, role=role), role
    return member, effective_role(member, config_admin)


async def _paginated(core: Runtime, message: Message, member: Member, reply: Reply) -> Reply:
    budget = core.page_budget(message.platform)
    if member.id is None:
        with contextlib.suppress(Exception):  # the whole answer, when its pages cannot be stored
            async with asyncio.timeout(core.settings.database_timeout_seconds):
                return await core.paginator.paginate(
                    reply, now=core.clock.now(), budget=budget, question=message.text
                )
        return reply
    return await core.paginator.paginate(
        reply, member_id=member.id, now=core.clock.now(), budget=budget, question=message.text
    )


async def _asker(core: Runtime, message: Message, command: Command) -> Member | None:
    """The asker's member row (created on first contact), looked up within the database time limit. None
    for a command that needs no database when the database is not answering; for any other command that
    is DatabaseNotAnswering."""
    if not core.db.answering:
        if not command.needs_database:
            core.db.check_soon()  # so that the next message knows as soon as the database is back
            return None
        if not await core.db.probe(core.settings.database_timeout_seconds * PROBE_SHARE):
            raise DatabaseNotAnswering
    try:
        moment = core.members.moment()
        async with asyncio.timeout(core.settings.database_timeout_seconds):
            async with core.db.session() as session, session.begin():
                member = await resolve_member(session, message.author)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        core.db.noted(False)
        if command.needs_database:
            raise DatabaseNotAnswering from exc
        return None
    core.db.noted(True)
    core.members.keep(message.author, member, moment)
    return member


async def _within_database_limit(core: Runtime, work: Coroutine[object, object, Reply]) -> Reply:
    """`work`'s answer; when it is still busy after the database time limit and the database does not answer
    a probe either, DatabaseNotAnswering (the work is cancelled and left to finish in the background)."""
    limit = core.settings.database_timeout_seconds
    task = asyncio.ensure_future(work)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=limit)
            if done:
                return task.result()
            probe = asyncio.ensure_future(core.db.probe(limit * PROBE_SHARE))
            done, _ = await asyncio.wait({task, probe}, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                probe.add_done_callback(_ignore_outcome)
                return task.result()
            if not probe.result():
                raise DatabaseNotAnswering
    finally:
        if not task.done():
            task.cancel()
            task.add_done_callback(_ignore_outcome)


def _ignore_outcome(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()
