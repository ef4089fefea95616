"""Lighthouse Bot command line: `python main.py` starts the bot; `--help` lists everything else."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

# The embedding model ships in a Python package; nothing is ever fetched from a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.logging import RichHandler  # noqa: E402

from config import Settings, SettingsError, load_settings  # noqa: E402

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    help="Lighthouse Bot: find pilots and experts, broker introductions, convene events, measure exchange.",
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

err = Console(stderr=True)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        err.print(f"[red]Configuration error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None


def configure_logging(settings: Settings, *, quiet_console: bool) -> None:
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    # In the console chat, log lines would interleave with the conversation: keep only warnings.
    if quiet_console:
        level = max(level, logging.WARNING)
    logging.basicConfig(
        level=level, format="%(name)s: %(message)s", handlers=[RichHandler(console=err, show_path=False)], force=True
    )


@app.callback(invoke_without_command=True)
def default(
    ctx: typer.Context,
    as_user: str = typer.Option(None, "--as", help="Chat in the console as this local member."),
) -> None:
    """Without a command: run the bot (same as `run`)."""
    if ctx.invoked_subcommand is None:
        run(as_user=as_user, console=False)


@app.command()
def run(
    as_user: str = typer.Option(None, "--as", help="Chat in the console as this local member."),
    console: bool = typer.Option(False, "--console", help="Use the console even when platform tokens are set."),
) -> None:
    """Run the bot: Slack and/or Discord when their tokens are set, otherwise a console chat."""
    from adapters.runner import run_bot

    settings = settings_or_exit()
    configure_logging(settings, quiet_console=console or not (settings.slack_enabled or settings.discord_enabled))
    try:
        asyncio.run(run_bot(settings, console_user=as_user, force_console=console))
    except KeyboardInterrupt:
        pass


@app.command()
def ingest(path: Path = typer.Argument(..., help="A folder (or one file) of Markdown, YAML, JSON and CSV documents.")) -> None:
    """Load pilots, expert profiles, reports and tools into the knowledge base (unchanged files are skipped)."""
    from knowledge.cli import run_ingest

    settings = settings_or_exit()
    configure_logging(settings, quiet_console=True)
    raise typer.Exit(asyncio.run(run_ingest(settings, path)))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations up to the newest revision."""
    from storage.database import Database, head_revision

    settings = settings_or_exit()
    configure_logging(settings, quiet_console=True)

    async def upgrade() -> str | None:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            return await db.current_revision()
        finally:
            await db.dispose()

    revision = asyncio.run(upgrade())
    Console().print(f"Database is at revision {revision} (head {head_revision()}).")


if __name__ == "__main__":
    sys.exit(app())
