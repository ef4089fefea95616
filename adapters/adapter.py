"""What the runner asks of every platform adapter (console, Slack, Discord, and the next one)."""

from __future__ import annotations

from typing import Protocol


class Adapter(Protocol):
    """Platform events in, the core's replies out. Built with the core (registering its transport there, so
    the core can send unasked messages on that platform), before the core starts."""

    platform: str

    async def run(self) -> None:
        """Connect and answer until cancelled (the console: until its input ends). Raises
        `config.SettingsError` when the platform refuses the configuration; calls `stop` on its way out."""

    async def stop(self) -> None:
        """Let the answers being worked on go out (for a few seconds at most), then disconnect. Safe to call
        more than once."""
