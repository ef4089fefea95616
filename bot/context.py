"""What a command handler gets: the message, the asker, parsed arguments and the core's services."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.message import Message
from config.vocabulary import Role
from storage.models import Member

if TYPE_CHECKING:
    from bot.feature import Catalogue
    from bot.runtime import Runtime


def split_args(text: str) -> list[str]:
    """Shell-like words ("quoted text" stays together); unbalanced quotes fall back to plain words."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


@dataclass
class CommandContext:
    core: Runtime
    # What the core offers (its commands, the audit log's wording), for a handler that names another command.
    catalogue: Catalogue
    message: Message
    member: Member
    role: Role  # the asker's effective role (config admins are admins)
    command_name: str
    args_text: str  # everything after the command name, as typed
    # Set by a handler that wrote its own, more precise audit entry (the router then adds none).
    audited: bool = False
    # The command word as typed (an alias, say); empty for a plain question routed to a command.
    invoked_as: str = ""

    @property
    def args(self) -> list[str]:
        return split_args(self.args_text)

    @property
    def settings(self):  # noqa: ANN201 - config.Settings
        return self.core.settings

    @property
    def db(self):  # noqa: ANN201 - storage.database.Database
        return self.core.db

    def now(self):  # noqa: ANN201 - datetime
        return self.core.clock.now()
