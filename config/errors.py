"""Errors a command raises to answer the user politely; anything else is a bug with an error id."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class UserError(Exception):
    """The user asked for something that cannot be done; the message tells them what to do instead."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class PermissionDenied(UserError):
    pass


class WordedError(UserError):
    """A refusal as data, its subclass's fields (subclasses are dataclasses); the feature's views word it.

    Services raise these and never write chat text. A feature hands the wording of its refusals to the core
    with its `Feature(refusals=...)`: per base class, a function from the error to (message, hint); the router
    answers with it (`Catalogue.word`). Anywhere else a refusal reads as its class and fields.
    """

    @property  # type: ignore[override]
    def message(self) -> str:
        return repr(self)

    @property  # type: ignore[override]
    def hint(self) -> str | None:
        return None


RefusalWording = Callable[[Any], tuple[str, str | None]]


def word_refusal(error: UserError, wordings: Mapping[type[WordedError], RefusalWording]) -> str:
    """What a member reads for `error`: a refusal worded by the first of `wordings` along its classes, with its
    hint on a line of its own; any other error (or one `wordings` does not cover) as it words itself."""
    if isinstance(error, WordedError):
        for kind in type(error).__mro__:
            words = wordings.get(kind)
            if words is not None:
                message, hint = words(error)
                return f"{message}\n{hint}" if hint else message
    return str(error)
