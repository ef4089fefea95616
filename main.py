"""Lighthouse Bot command line: `python main.py` starts the bot; `--help` lists everything else."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The embedding model ships in a Python package; nothing is ever fetched from a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import typer  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.logging import RichHandler  # noqa: E402
from rich.markup import escape  # noqa: E402

from config import Settings, SettingsError, load_settings  # noqa: E402
from config.log_redaction import install_redaction  # noqa: E402

app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    help="Lighthouse Bot: find pilots and experts, broker introductions, convene events, measure exchange.",
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
discord_app = typer.Typer(help="Discord adapter maintenance.", no_args_is_help=True)
app.add_typer(discord_app, name="discord")

err = Console(stderr=True)


def configuration_error(message: str) -> typer.Exit:
    """One line on stderr naming the setting, and the exit to raise; never a traceback."""
    err.print(f"[red]Configuration error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        raise configuration_error(str(exc)) from None


def configure_logging(settings: Settings, *, quiet_console: bool) -> None:
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    # In the console chat, log lines would interleave with the conversation: keep only warnings.
    if quiet_console:
        level = max(level, logging.WARNING)
    logging.basicConfig(
        level=level, format="%(name)s: %(message)s", handlers=[RichHandler(console=err, show_path=False)], force=True
    )
    # Tokens and secrets never reach a log line, whoever logs them.
    install_redaction(settings)


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
    settings = settings_or_exit()
    configure_logging(settings, quiet_console=console or not (settings.slack_enabled or settings.discord_enabled))
    from knowledge.embeddings import load_in_background

    load_in_background(settings.embedding_model)  # on its own thread, while the rest of the bot imports and starts

    from adapters.runner import run_bot
    from storage.database import DatabaseUnavailable

    try:
        asyncio.run(run_bot(settings, console_user=as_user, force_console=console))
    except KeyboardInterrupt:
        pass
    except SettingsError as exc:  # a combination of settings an adapter cannot start with
        raise configuration_error(str(exc)) from None
    except DatabaseUnavailable as exc:
        raise configuration_error(f"LIGHTHOUSE_DATABASE_URL: {exc}") from None


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
    from storage.database import Database, DatabaseUnavailable, head_revision

    settings = settings_or_exit()
    configure_logging(settings, quiet_console=True)

    async def upgrade() -> str | None:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            return await db.current_revision()
        finally:
            await db.dispose()

    try:
        revision = asyncio.run(upgrade())
    except DatabaseUnavailable as exc:
        raise configuration_error(f"LIGHTHOUSE_DATABASE_URL: {exc}") from None
    Console().print(f"Database is at revision {revision} (head {head_revision()}).")


@discord_app.command("sync")
def discord_sync(
    guild: int = typer.Option(None, "--guild", help="Register in this server only (shows at once; for testing)."),
) -> None:
    """Register the /lighthouse commands with Discord (run after installing or upgrading)."""
    settings = settings_or_exit()
    configure_logging(settings, quiet_console=True)
    if not settings.discord_enabled:
        err.print("[red]Set LIGHTHOUSE_DISCORD_TOKEN first.[/red]", highlight=False)
        raise typer.Exit(2)
    from adapters.discord import sync_commands

    try:
        names = asyncio.run(sync_commands(settings, guild))
    except Exception as exc:  # a bad token or no network: one line, not a traceback
        from rich.markup import escape

        err.print(f"[red]Sync failed:[/red] {escape(f'{exc.__class__.__name__}: {exc}')}", highlight=False)
        raise typer.Exit(1) from None
    where = f"server {guild}" if guild else "all servers (global commands)"
    Console().print(f"Registered {len(names)} commands in {where}: " + ", ".join(names), highlight=False)


@app.command()
def report(
    from_date: str = typer.Option(..., "--from", help="First day of the range, YYYY-MM-DD (UTC)."),
    to_date: str = typer.Option(..., "--to", help="Last day of the range, included, YYYY-MM-DD."),
    out: Path = typer.Option(..., "--out", help="Folder for report.html and the CSV files (created if missing)."),
    period: str = typer.Option("auto", "--period", help="Trend periods: week, month, quarter or auto."),
) -> None:
    """Write the indicators report: a CSV per indicator and one self-contained HTML page."""
    from bot.indicators import PERIODS, load_dataset
    from bot.report import build_report, write_report
    from storage.database import Database

    start, last_day = _day_option("--from", from_date), _day_option("--to", to_date)
    if last_day < start:
        err.print("[red]--from must not be after --to.[/red]", highlight=False)
        raise typer.Exit(2)
    if period not in (*PERIODS, "auto"):
        err.print(f"[red]--period must be one of: {', '.join(PERIODS)}, auto.[/red]", highlight=False)
        raise typer.Exit(2)
    end = last_day + timedelta(days=1)
    settings = settings_or_exit()
    configure_logging(settings, quiet_console=True)

    async def build() -> list[Path]:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            async with db.session() as session:
                data = await load_dataset(session, end)
            built = build_report(data, start, end, period=period, generated_at=datetime.now(UTC))
            return write_report(built, out)
        finally:
            await db.dispose()

    try:
        written = asyncio.run(build())
    except ValueError as exc:  # too many periods for the range
        err.print(f"[red]{exc}.[/red]", highlight=False)
        raise typer.Exit(2) from None
    Console().print(f"Wrote {written[0]} and {len(written) - 1} CSV files to {out}.", highlight=False)


def _day_option(name: str, value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        err.print(f"[red]{name} wants a date like 2026-11-30, not {value!r}.[/red]", highlight=False)
        raise typer.Exit(2) from None



@app.command("export-ics")
def export_ics(
    out: str = typer.Option("events.ics", "--out", help="File to write; '-' writes to standard output."),
) -> None:
    """Write an iCalendar feed of upcoming events (cancelled ones marked CANCELLED) for calendar apps."""
    from bot.clock import SystemClock
    from bot.ical import upcoming_feed
    from storage.database import Database

    settings = settings_or_exit()
    configure_logging(settings, quiet_console=True)

    async def export() -> tuple[bytes, int]:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            async with db.session() as session:
                return await upcoming_feed(session, now=SystemClock().now())
        finally:
            await db.dispose()

    feed, count = asyncio.run(export())
    if out == "-":
        sys.stdout.buffer.write(feed)
        return
    with open(out, "wb") as handle:
        handle.write(feed)
    err.print(f"Wrote {count} upcoming event(s) to {out}.", highlight=False)


if __name__ == "__main__":
    sys.exit(app())
