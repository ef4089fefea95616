"""What a request about a member's own profile can run into, as data; `bot.members.views` words it."""

from __future__ import annotations

from dataclasses import dataclass

from config.errors import WordedError


class MemberRefused(WordedError):
    """A request about a member that cannot be done."""


@dataclass(eq=False)
class NameCannotBeCleared(MemberRefused):
    pass


@dataclass(eq=False)
class NoProfileToConfirm(MemberRefused):
    """No expert profile by that id names one of the member's accounts and waits for their confirmation."""

    profile_id: str
