"""`quit` / `exit`: the console ends its chat on these words; elsewhere they explain themselves."""

from __future__ import annotations

from bot.context import CommandContext
from bot.feature import Feature
from bot.reply import Reply

QUIT_HELP = (
    "In the console, `quit` or `exit` ends the chat (so do Ctrl-D and Ctrl-C); a piped script simply ends "
    "with its last line. In Slack and Discord there is nothing to end: just stop writing."
)


FEATURE = Feature("quit")


@FEATURE.command("quit", summary="Leave the console chat", usage="quit", help=QUIT_HELP, aliases=("exit",), hidden=True,
         needs_database=False, takes=lambda words: not words)
async def quit_command(ctx: CommandContext) -> Reply:
    return Reply(text=QUIT_HELP, private=True)
