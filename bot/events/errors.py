"""What an events request can run into, as data; `bot.events.views` words each one."""

from __future__ import annotations

from dataclasses import dataclass

from config.errors import WordedError

# What the member was doing when the event's state refused it (the wording differs).
EDITING, OPENING_EDIT_FORM, CANCELLING, ANSWERING, RECORDING_ATTENDANCE = (
    "editing",
    "opening the edit form",
    "cancelling",
    "answering",
    "recording attendance",
)


class EventRefused(WordedError):
    """A request about events that cannot be done."""


@dataclass(eq=False)
class NoSuchEvent(EventRefused):
    event_id: int


@dataclass(eq=False)
class MissingField(EventRefused):
    field: str  # "title" or "start"


@dataclass(eq=False)
class EventCancelled(EventRefused):
    event_id: int
    doing: str


@dataclass(eq=False)
class EventOver(EventRefused):
    event_id: int
    doing: str


@dataclass(eq=False)
class AlreadyCancelled(EventRefused):
    event_id: int


@dataclass(eq=False)
class NotStartedYet(EventRefused):
    event_id: int


@dataclass(eq=False)
class TooManyNamed(EventRefused):
    limit: int
