"""Where an answer goes, decided once for every platform from what the platform declares it can do.

A platform declares its `Capabilities` (where a form can open as a modal, where an answer can be shown to
the asker alone, whether it has direct messages and threads, what one of its messages holds); an adapter
names the `Request` it is answering (how it arrived, the command as sent, whether a modal may still be the
first answer) and carries out the `Delivery` this module plans: open a form, show the answer where it was
asked (privately or not), or send it to the asker's direct messages and say so. The notices the bot sends
about its own delivery are worded here, once, for every platform.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from bot.pagination import NO_LIMIT, PageBudget
from bot.reply import Button, Form, Reply

# The notices, one wording on every platform.
FORM_BUTTON = "Open the form"
DIRECT_SENT = "I've sent you my answer in a direct message."
DIRECT_CLOSED = (
    "I couldn't send you a direct message. Allow direct messages from me, or use my slash command for an "
    "answer only you can see."
)
DIRECT_CLOSED_SHOWN_HERE = "I couldn't send you a direct message, so here is my answer, shown only to you."
DIRECT_CLOSED_FILES = (
    "I couldn't send you {names}: files reach you only in a direct message, and I couldn't send you one. "
    "Open a direct message with me (or ask your workspace admin to allow it) and ask again there."
)
BUTTON_GONE = "That button no longer works. Please ask again."
FORM_UNREADABLE = "I could not read that form, so nothing was done. Please open it again and resubmit."


def platform_refused(platform: str, status: int, detail: str = "") -> str:
    """The platform would not take an answer (an HTTP error): said to the asker, with what it said."""
    return f"{platform} did not accept my answer (HTTP {status}{': ' + detail if detail else ''}). Please try again."


class Entry(Enum):
    """How a request reached the bot."""

    COMMAND = "command"  # the platform's slash command
    BUTTON = "button"  # a click on one of the bot's buttons
    FORM = "form"  # a submitted form
    MENTION = "mention"  # a message addressed to the bot in a channel or thread
    DIRECT = "direct"  # a direct conversation with the bot (the console is one)


def _always(form: Form) -> bool:
    return True


@dataclass(frozen=True)
class Capabilities:
    """What a platform can do with an answer, by the way the request arrived."""

    entries: frozenset[Entry]  # the ways requests reach the bot on this platform
    modals: frozenset[Entry] = frozenset()  # where a form can open as a modal (as the first answer)
    ephemeral: frozenset[Entry] = frozenset()  # where an answer can be shown to the asker alone
    direct_messages: bool = False  # the bot can write to a member's direct messages
    threads: bool = False  # the bot can open a thread on a message it posted
    page_budget: PageBudget = NO_LIMIT  # what one answer's page holds (bot/pagination.py)
    # Whether this form can be shown as a modal at all (Discord allows 5 inputs), and the longest command a
    # button carries (an "Open the form" button sends the request's command again).
    modal_fits: Callable[[Form], bool] = _always
    button_command_chars: int | None = None
    private_files: bool = True  # an answer shown to the asker alone can carry files (Slack's cannot)


@dataclass(frozen=True)
class Request:
    """The request an answer is for, as the adapter saw it."""

    entry: Entry
    in_direct: bool = False  # asked in a direct conversation with the bot (a DM, the console)
    command: str = ""  # the command as sent: an "Open the form" button sends it again
    form_window: bool = True  # a modal may still be the first answer (Discord: not yet deferred)
    private_origin: bool = False  # a click on a message only the asker sees: its answer stays private


@dataclass(frozen=True)
class Delivery:
    """What to do with an answer: open `form` as a modal, or show `answer` where the request came from
    (`private`: to the asker alone), or send `direct` to the asker's direct messages and then show what
    `DeliveryPolicy.after_direct` says."""

    form: Form | None = None
    answer: Reply | None = None
    private: bool = False
    direct: Reply | None = None


def _in_direct_conversation(request: Request) -> bool:
    """Asked in a direct conversation (or the console's direct entry): everything is shown there."""
    return request.in_direct or request.entry is Entry.DIRECT


class DeliveryPolicy:
    """The one set of rules for forms, private answers and direct messages, on any platform."""

    def __init__(self, capabilities: Capabilities) -> None:
        self.can = capabilities

    def plan(self, reply: Reply, request: Request) -> Delivery:
        """A form opens as a modal where one can be shown now, else becomes its one-line syntax (and a button
        that asks again); in a direct conversation everything is shown there; a direct answer goes to the
        asker's direct messages; a private one is shown to the asker alone, or sent to their direct messages
        where the platform cannot do that here."""
        if reply.form is not None and self.modal_possible(reply.form, request):
            return Delivery(form=reply.form)
        reply = self.without_form(reply, request.command)
        if _in_direct_conversation(request):
            return Delivery(answer=replace(reply, direct=False))
        if reply.direct and self.can.direct_messages:
            return Delivery(direct=replace(reply, direct=False))
        if reply.private or request.private_origin:
            return self._private(reply, request)
        return Delivery(answer=replace(reply, direct=False))

    def _private(self, reply: Reply, request: Request) -> Delivery:
        """A reply for the asker alone: shown to them only where the platform can, else sent to their direct
        messages, else (a refusal, or no direct messages) answered in the open."""
        if request.entry in self.can.ephemeral:
            return Delivery(answer=reply, private=True)
        # No answer for the asker alone here: their direct messages are. A refusal only concerns what
        # was just asked, so it is answered where it was asked.
        if reply.tone != "error" and self.can.direct_messages:
            return Delivery(direct=replace(reply, direct=False, private=False))
        return Delivery(answer=replace(reply, direct=False))

    def modal_possible(self, form: Form, request: Request) -> bool:
        return request.entry in self.can.modals and request.form_window and self.can.modal_fits(form)

    def without_form(self, reply: Reply, command: str) -> Reply:
        """Where no form can be shown now, the reply (which carries the form's one-line syntax) plus a button
        that sends `command` again, where a click can open the form; without such a button otherwise."""
        form = reply.form
        if form is None:
            return reply
        if not self._clickable(form, command):
            return replace(reply, form=None)
        return replace(reply, form=None, buttons=[*reply.buttons, Button(FORM_BUTTON, command, style="primary")])

    def _clickable(self, form: Form, command: str) -> bool:
        """Whether a button sending `command` again can open `form`: modals from buttons, a form that fits,
        and a command that fits in a button."""
        limit = self.can.button_command_chars
        return (
            Entry.BUTTON in self.can.modals
            and self.can.modal_fits(form)
            and bool(command.strip())
            and (limit is None or len(command) <= limit)
        )

    def after_direct(self, reply: Reply, request: Request, *, sent: bool) -> Delivery:
        """What the asker sees where they asked once `reply` went (or could not go) to their direct messages."""
        private_here = request.entry in self.can.ephemeral
        if sent:
            return Delivery(answer=Reply(text=DIRECT_SENT, private=private_here), private=private_here)
        if private_here and reply.attachments and not self.can.private_files:
            # The file was the answer, and only a direct message carries it: say that, not "here is my answer".
            names = ", ".join(attachment.filename for attachment in reply.attachments)
            return Delivery(answer=Reply(text=DIRECT_CLOSED_FILES.format(names=names), private=True, tone="warning"),
                            private=True)
        if private_here:
            shown = replace(reply, private=True, text=f"{DIRECT_CLOSED_SHOWN_HERE}\n\n{reply.text}".strip())
            return Delivery(answer=shown, private=True)
        return Delivery(answer=Reply(text=DIRECT_CLOSED))
