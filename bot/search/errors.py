"""What a search can run into, as data; `bot.search.views` words each one."""

from __future__ import annotations

from dataclasses import dataclass

from config.errors import WordedError


class SearchRefused(WordedError):
    """A search that cannot be answered."""


@dataclass(eq=False)
class NothingToSearch(SearchRefused):
    """The knowledge base holds nothing yet: still being loaded at a first start, or never filled."""

    still_loading: bool


@dataclass(eq=False)
class NoTopic(SearchRefused):
    """Only stop words, numbers, emoji, punctuation or single letters: nothing to search by."""


@dataclass(eq=False)
class SearchUnavailable(SearchRefused):
    """The knowledge base could not answer (its model failed to load, say); `reason` is its own words."""

    reason: str


@dataclass(eq=False)
class NoInterests(SearchRefused):
    """`match me` for a member whose profile has no interests (nor expertise) to match on."""
