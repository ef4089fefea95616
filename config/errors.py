"""Errors a command raises to answer the user politely; anything else is a bug with an error id."""

from __future__ import annotations


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
