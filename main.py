"""Lighthouse Bot command line: `python main.py` starts the bot; `--help` lists everything else."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

# The embedding model ships in a Python package; nothing is ever fetched from a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# A restart reads the bot's compiled modules instead of compiling some 150 of them again (about half a
# CPU-second on a busy machine), even where the environment turns the bytecode cache off
# (PYTHONDONTWRITEBYTECODE); the cache is __pycache__ beside each module, ignored by git.
sys.dont_write_bytecode = False

if __name__ == "__main__":
    # No cyclic garbage collection while the bot imports and assembles itself (about 0.1 CPU-second of a
    # restart); it resumes once the bot is assembled, or as soon as another command runs (knowledge/collector.py).
    from knowledge.collector import start_up_begins

    start_up_begins()

from rich.console import Console  # noqa: E402
from rich.logging import RichHandler  # noqa: E402
from rich.markup import escape  # noqa: E402

from config import Settings, SettingsError, load_settings  # noqa: E402
from config.log_redaction import install_redaction  # noqa: E402

err = Console(stderr=True)
# One-line results name paths and command lists: the terminal wraps them, so a path copied from the output
# (or read by a script from a pipe) is never broken by an inserted newline.
stdout = Console(soft_wrap=True, highlight=False)


def configuration_error(message: str) -> SystemExit:
    """One line on stderr naming the setting, and the exit (status 2) to raise; never a traceback."""
    err.print(f"[red]Configuration error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return SystemExit(2)


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


def start_bot(as_user: str | None, console: bool) -> NoReturn:
    """Run the bot (the `run` command) until it stops, then end the process."""
    if as_user is not None:
        as_user = as_user.strip()
        if not as_user:  # `--as ""` would otherwise quietly chat as the default member
            err.print("[red]--as needs a name to chat as, for example --as wanjiru.[/red]", highlight=False)
            raise SystemExit(2)
    settings = settings_or_exit()
    configure_logging(settings, quiet_console=console or not (settings.slack_enabled or settings.discord_enabled))
    from knowledge.embeddings import load_in_background

    load_in_background(settings.embedding_model)  # on its own thread, while the rest of the bot imports and starts

    from adapters.runner import run_bot
    from storage.database import DatabaseUnavailable

    try:
        run_then_exit(run_bot(settings, console_user=as_user, force_console=console))
    except SettingsError as exc:  # a combination of settings an adapter cannot start with
        raise configuration_error(str(exc)) from None
    except DatabaseUnavailable as exc:
        raise configuration_error(f"LIGHTHOUSE_DATABASE_URL: {exc}") from None


def run_then_exit(coroutine: Coroutine[Any, Any, None]) -> NoReturn:
    """Run the bot, then end the process at once: status 0 when it stopped (`quit`, end of input), 130
    (128 + SIGINT, as shells expect) on Ctrl-C at any moment, even while the event loop is busy.

    Ctrl-C raises KeyboardInterrupt straight away (asyncio would only cancel the main task, which waits
    for the event loop). Neither way waits for worker threads (the model loading or encoding, a blocked
    read of stdin) nor for the interpreter to tear down its modules, which takes most of a second: every
    database change is a transaction, so nothing is left half done.
    """
    terminal = _terminal_state()
    signal.signal(signal.SIGINT, _interrupt)
    runner = asyncio.Runner()
    try:
        runner.run(coroutine)
        runner.close()
        status = 0
    except KeyboardInterrupt:
        _restore_terminal(terminal)
        status = 130
    except BaseException:
        runner.close()
        raise
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing left to say
            pass
    os._exit(status)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _terminal_state() -> list | None:
    try:
        import termios

        return termios.tcgetattr(sys.stdin.fileno()) if sys.stdin.isatty() else None
    except (ImportError, OSError, ValueError):  # not a POSIX terminal
        return None


def _restore_terminal(state: list | None) -> None:
    """Leave the terminal as it was: line mode, and the cursor that a spinner hides shown again."""
    if state is not None:
        import termios

        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, state)
    if sys.stdout.isatty():
        sys.stdout.write("\x1b[?25h\n")


if __name__ == "__main__" and len(sys.argv) == 1:
    # `python main.py` alone, as the bot is started: nothing to parse, so the command line library is not
    # even imported (typer: about 30 ms of a restart's CPU time).
    start_bot(as_user=None, console=False)

import typer  # noqa: E402

# Plain help (click's layout): rich help would print flags as `--console <bool>`.
app = typer.Typer(
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    help="Lighthouse Bot: find pilots and experts, broker introductions, convene events, measure exchange.",
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
discord_app = typer.Typer(help="Discord adapter maintenance.", no_args_is_help=True)
app.add_typer(discord_app, name="discord")

AS_OPTION = typer.Option(None, "--as", metavar="NAME", help="Chat in the console as this local member.")
CONSOLE_OPTION = typer.Option(False, "--console", help="Use the console even when platform tokens are set.")


@app.callback(invoke_without_command=True)
def default(ctx: typer.Context, as_user: str = AS_OPTION, console: bool = CONSOLE_OPTION) -> None:
    """Without a command: run the bot (same as `run`)."""
    if ctx.invoked_subcommand is None:
        run(as_user=as_user, console=console)
    elif ctx.invoked_subcommand != "run":
        from knowledge.collector import start_up_ends

        start_up_ends()  # the bot's start-up pause is for running the bot


@app.command(short_help="Run the bot (the default).")
def run(as_user: str = AS_OPTION, console: bool = CONSOLE_OPTION) -> None:
    """Run the bot: Slack and/or Discord when their tokens are set, otherwise a console chat."""
    start_bot(as_user, console)


@app.command(short_help="Load a knowledge folder (progress bar).")
def ingest(path: Path = typer.Argument(..., metavar="PATH", help="A folder (or one file) of Markdown, YAML, JSON and CSV documents.")) -> None:
    """Load pilots, expert profiles, reports and tools into the knowledge base (unchanged files are skipped)."""
    from knowledge.cli import run_ingest
    from storage.database import DatabaseUnavailable

    settings = settings_or_exit()
    configure_logging(settings, quiet_console=True)
    try:
        status = asyncio.run(run_ingest(settings, path))
    except DatabaseUnavailable as exc:
        raise configuration_error(f"LIGHTHOUSE_DATABASE_URL: {exc}") from None
    raise typer.Exit(status)


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
    stdout.print(f"Database is at revision {revision} (head {head_revision()}).")


@discord_app.command("sync")
def discord_sync(
    guild: int = typer.Option(None, "--guild", metavar="ID", help="Register in this server only (shows at once; for testing)."),
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
    stdout.print(f"Registered {len(names)} commands in {where}: " + ", ".join(names))


@app.command(short_help="Write the indicators report (HTML + CSV).")
def report(
    from_date: str = typer.Option(..., "--from", metavar="DATE", help="First day of the range, YYYY-MM-DD (UTC)."),
    to_date: str = typer.Option(..., "--to", metavar="DATE", help="Last day of the range, included, YYYY-MM-DD."),
    out: Path = typer.Option(
        ..., "--out", metavar="DIR", help="Folder for report.html and the CSV files (created if missing)."
    ),
    period: str = typer.Option("auto", "--period", metavar="PERIOD", help="Trend periods: week, month, quarter or auto."),
) -> None:
    """Write the indicators report: a CSV per indicator and one self-contained HTML page."""
    from bot.indicators.community import community_report, load_community
    from bot.indicators.report import build_report, write_report
    from bot.indicators.service import PERIODS, load_dataset
    from storage.database import Database, DatabaseUnavailable

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
    output_folder_or_exit(out)

    async def build() -> list[Path]:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            async with db.session() as session:
                data = await load_dataset(session, end)
                questions = await load_community(session, end)
            built = build_report(data, start, end, period=period, generated_at=datetime.now(UTC))
            built.community = community_report(questions, built.periods, start, end)
            return write_report(built, out)
        finally:
            await db.dispose()

    try:
        written = asyncio.run(build())
    except ValueError as exc:  # too many periods for the range
        err.print(f"[red]{exc}.[/red]", highlight=False)
        raise typer.Exit(2) from None
    except DatabaseUnavailable as exc:
        raise configuration_error(f"LIGHTHOUSE_DATABASE_URL: {exc}") from None
    except OSError as exc:  # the disk filled up, or the folder changed under us
        raise usage_error(f"--out {out}: cannot write there ({exc.strerror or exc}).") from None
    stdout.print(f"Wrote {written[0]} and {len(written) - 1} CSV files to {out}.")


def _day_option(name: str, value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        err.print(f"[red]{name} wants a date like 2026-11-30, not {value!r}.[/red]", highlight=False)
        raise typer.Exit(2) from None


def usage_error(message: str) -> typer.Exit:
    """One red line on stderr and the exit (status 2) to raise: a mistake in the command, not a crash."""
    err.print(f"[red]{escape(message)}[/red]", highlight=False, soft_wrap=True)
    return typer.Exit(2)


def output_folder_or_exit(out: Path) -> None:
    """`--out` names a folder that exists and is writable, or one that can be created there (it is created
    only once the report is built, so a bad range leaves nothing behind); anything else is one line."""
    if out.exists() and not out.is_dir():
        raise usage_error(f"--out {out} is a file; give a folder (it is created if missing).")
    nearest = next(p for p in (out.absolute(), *out.absolute().parents) if p.exists())
    if not nearest.is_dir():
        raise usage_error(f"--out {out}: cannot create the folder ({nearest} is a file, not a folder).")
    if not os.access(nearest, os.W_OK | os.X_OK):
        raise usage_error(f"--out {out}: cannot write in {nearest} (permission denied).")


def output_file_or_exit(out: str) -> None:
    """`--out` names a file in a folder that exists and is writable (it is not created)."""
    path = Path(out)
    if path.is_dir():
        raise usage_error(f"--out {out} is a folder; give a file name, e.g. {path / 'events.ics'}.")
    folder = path.parent
    if not folder.is_dir():
        raise usage_error(f"--out {out}: the folder {folder} does not exist.")
    if (path.exists() and not os.access(path, os.W_OK)) or not os.access(folder, os.W_OK | os.X_OK):
        raise usage_error(f"--out {out}: cannot write there (permission denied).")


@app.command("export-ics", short_help="Write an iCalendar feed of upcoming events.")
def export_ics(
    out: str = typer.Option("events.ics", "--out", metavar="FILE", help="File to write; '-' writes to standard output."),
) -> None:
    """Write an iCalendar feed of upcoming events (cancelled ones marked CANCELLED) for calendar apps."""
    from bot.clock import SystemClock
    from bot.events.ical import upcoming_feed
    from storage.database import Database, DatabaseUnavailable

    settings = settings_or_exit()
    configure_logging(settings, quiet_console=True)
    if out != "-":
        output_file_or_exit(out)

    async def export() -> tuple[bytes, int]:
        db = Database(settings.database_url)
        try:
            await db.migrate()
            async with db.session() as session:
                return await upcoming_feed(session, now=SystemClock().now())
        finally:
            await db.dispose()

    try:
        feed, count = asyncio.run(export())
    except DatabaseUnavailable as exc:
        raise configuration_error(f"LIGHTHOUSE_DATABASE_URL: {exc}") from None
    if out == "-":
        sys.stdout.buffer.write(feed)
        return
    try:
        with open(out, "wb") as handle:
            handle.write(feed)
    except OSError as exc:
        raise usage_error(f"--out {out}: cannot write there ({exc.strerror or exc}).") from None
    err.print(f"Wrote {count} upcoming event(s) to {out}.", highlight=False)


if __name__ == "__main__":
    sys.exit(app())
