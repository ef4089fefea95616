"""Errors a command raises to answer the user politely; anything else is a bug with an error id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar


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
    """A refusal as data, its subclass's fields; the feature's views word it (message and hint).

    A feature's views hand their wording over with `word_errors(FeatureBase, words)`, where `words` returns
    (message, hint) for an error. Services raise these and never write chat text; a refusal whose feature
    has not handed its wording over reads as its class and fields.
    """

    _wordings: ClassVar[dict[type[WordedError], Callable[[Any], tuple[str, str | None]]]] = {}

    def _words(self) -> tuple[str, str | None]:
        for kind in type(self).__mro__:
            words = WordedError._wordings.get(kind)
            if words is not None:
                return words(self)
        return repr(self), None

    @property  # type: ignore[override]
    def message(self) -> str:
        return self._words()[0]

    @property  # type: ignore[override]
    def hint(self) -> str | None:
        return self._words()[1]


def word_errors(kind: type[WordedError], words: Callable[[Any], tuple[str, str | None]]) -> None:
    """Word every `kind` of refusal (and its subclasses) with `words`."""
    WordedError._wordings[kind] = words
