"""What a privacy request can run into, as data; `bot.privacy.views` words it."""

from __future__ import annotations

from dataclasses import dataclass

from config.errors import WordedError


class PrivacyRefused(WordedError):
    """A privacy request that cannot be done."""


@dataclass(eq=False)
class ConfirmationInvalid(PrivacyRefused):
    """The erasure confirmation is not this member's, or has expired: nothing was erased."""


@dataclass(eq=False)
class AlreadyErased(PrivacyRefused):
    """The erasure button pressed again after it erased the member: their data is already gone (the press
    itself started a new, empty profile, as any message after an erasure does)."""
