"""What an introduction request can run into, as data; `bot.intros.views` words each one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from config.errors import WordedError
from storage.models import Member


class IntroRefused(WordedError):
    """A request about introductions that cannot be done."""


@dataclass(eq=False)
class ReasonTooLong(IntroRefused):
    length: int
    limit: int


@dataclass(eq=False)
class SelfIntroduction(IntroRefused):
    pass


@dataclass(eq=False)
class TargetIsBot(IntroRefused):
    name: str


@dataclass(eq=False)
class TargetTakesNoRequests(IntroRefused):
    name: str


@dataclass(eq=False)
class TargetPaused(IntroRefused):
    name: str


@dataclass(eq=False)
class TargetAskedFirst(IntroRefused):
    name: str
    their_request_id: int


@dataclass(eq=False)
class AlreadyAsked(IntroRefused):
    name: str
    request_id: int
    closes_at: datetime | None
    requester: Member  # the reader, whose time zone the closing time is shown in (loaded, so safe to read later)


@dataclass(eq=False)
class TooManyOpenRequests(IntroRefused):
    open_count: int
    limit: int
    expiry_days: int


@dataclass(eq=False)
class AskedTwiceAtOnce(IntroRefused):
    name: str


@dataclass(eq=False)
class NoRequestForYou(IntroRefused):
    intro_id: int


@dataclass(eq=False)
class NoIntroductionForYou(IntroRefused):
    intro_id: int


@dataclass(eq=False)
class DidNotGoAhead(IntroRefused):
    intro_id: int


@dataclass(eq=False)
class NoRequestOfYours(IntroRefused):
    intro_id: int


@dataclass(eq=False)
class NoLongerOpen(IntroRefused):
    """A request its requester wants to take back that is open no more: `introduced`, or closed."""

    intro_id: int
    introduced: bool


@dataclass(eq=False)
class RatingOutOfRange(IntroRefused):
    pass


@dataclass(eq=False)
class RatingWithoutMeeting(IntroRefused):
    intro_id: int


@dataclass(eq=False)
class PauseOutOfRange(IntroRefused):
    max_weeks: int
