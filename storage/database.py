"""Engine, sessions and schema migrations.

SQLite gets WAL (readers never block the writer), foreign keys and a busy timeout on every connection.
Migrations are Alembic revisions applied at start-up; on PostgreSQL an advisory lock keeps two
processes starting together from migrating at once. A database already at the newest revision (one
SELECT of alembic_version against the head named in the revision files) is left alone without loading
Alembic at all, which is most of a restart's database work. `exclusive` holds such a lock across processes
for longer work (an ingest): a PostgreSQL advisory lock, or a lock file beside a SQLite database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from functools import cache
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 20.0
SQLITE_BUSY_SECONDS = 30
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_ID = 0x4C48_4D49  # "LHMI": an arbitrary, fixed advisory-lock key
LOCK_POLL_SECONDS = 0.25

try:
    import fcntl
except ImportError:  # not a POSIX system: SQLite's own locking is all there is
    fcntl = None  # type: ignore[assignment]


class DatabaseUnavailable(Exception):
    """The database cannot be reached or opened; the message says why in one line, without the password."""


class DatabaseNotAnswering(Exception):
    """The database did not answer within the time allowed, or the connection to it failed."""


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means "the database is not answering" (a timeout or a lost or refused connection)
    rather than a mistake in a statement or a constraint."""
    if isinstance(exc, (DatabaseNotAnswering, TimeoutError, PoolTimeout, OSError, ConnectionError)):
        return True
    if isinstance(exc, DBAPIError):
        original = getattr(exc.orig, "__cause__", None) or exc.orig
        return exc.connection_invalidated or isinstance(original, (TimeoutError, OSError, ConnectionError))
    return type(exc).__name__ in {"ConnectionDoesNotExistError", "InterfaceError"}


class Database:
    """One engine and its session factory; `session()` opens a unit of work.

    A database that stops answering (PostgreSQL frozen, connections left open) must not hang anything for
    long: on PostgreSQL opening a connection and taking one from the pool wait at most `timeout` seconds and
    any one statement at most `statement_timeout` (the driver's `command_timeout`); the bot's router adds
    its own, shorter limit around a message's database work and asks `probe()` whether the database still
    answers. `answering` is what the last call or probe found, for health checks; a probe that succeeds
    again (or any successful call the router sees) is the recovery, with no restart.
    """

    def __init__(
        self, url: str, *, echo: bool = False, timeout: float = 5.0, statement_timeout: float = 60.0
    ) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.timeout = timeout
        kwargs: dict[str, object] = {"echo": echo}
        if self.is_sqlite:
            self._ensure_sqlite_folder()
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS}
        else:
            kwargs.update(
                pool_size=10,
                max_overflow=10,
                pool_pre_ping=True,
                pool_timeout=timeout,
                connect_args={"timeout": timeout, "command_timeout": statement_timeout},
            )
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.session = async_sessionmaker(self.engine, expire_on_commit=False, class_=AsyncSession)
        self.answering = True  # what the last call or probe found
        self._checked_at = 0.0
        self._probe: asyncio.Task[bool] | None = None

    def reading(self) -> AbstractAsyncContextManager[AsyncConnection]:
        """A connection for a few Core SELECTs that build no ORM objects (a search's passages and contacts):
        without a session around it, giving it back to the pool is one round trip to the database's thread
        instead of two."""
        return self.engine.connect()

    def noted(self, answering: bool) -> None:
        """Record what a call found (the router reports each message's database work)."""
        if answering != self.answering:
            if answering:
                log.warning("the database answers again")
            else:
                log.warning("the database %s is not answering", self.safe_url)
        self.answering = answering
        self._checked_at = monotonic()

    async def probe(self, timeout: float | None = None) -> bool:
        """Whether the database answers `SELECT 1` within `timeout` seconds; concurrent callers share one
        probe, and a probe finished less than a second ago is not repeated."""
        if self._probe is None and monotonic() - self._checked_at < 1.0:
            return self.answering
        if self._probe is None:
            self._probe = asyncio.ensure_future(self._select_one(timeout or self.timeout))
            self._probe.add_done_callback(self._probe_done)
        return await asyncio.shield(self._probe)

    def check_soon(self) -> None:
        """Start a probe in the background (no one waits for it), unless one ran less than a second ago."""
        if self._probe is None and monotonic() - self._checked_at >= 1.0:
            self._probe = asyncio.ensure_future(self._select_one(self.timeout))
            self._probe.add_done_callback(self._probe_done)

    def _probe_done(self, _task: asyncio.Task[bool]) -> None:
        self._probe = None

    async def _select_one(self, timeout: float) -> bool:
        try:
            async with asyncio.timeout(timeout):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as exc:  # noqa: BLE001 - any failure to answer is "not answering"
            if not is_unavailable(exc):
                log.warning("database probe failed: %s", _one_line(exc))
            self.noted(False)
            return False
        self.noted(True)
        return True

    def _sqlite_file(self) -> Path | None:
        """The SQLite database's file, or None for an in-memory one."""
        database = self.url.database
        return Path(database).expanduser().resolve() if database and database != ":memory:" else None

    def _ensure_sqlite_folder(self) -> None:
        path = self._sqlite_file()
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            blocking = _first_file_among(path.parent, *path.parent.parents)
            reason = f"{blocking} is a file, not a folder" if blocking else (exc.strerror or str(exc))
            message = f"cannot create the folder for the SQLite file {self.url.database}: {reason}"
            raise DatabaseUnavailable(message) from None

    def _check_sqlite_writable(self) -> None:
        path = self._sqlite_file()
        if path is None:
            return
        database = self.url.database
        if path.is_dir():
            raise DatabaseUnavailable(f"the SQLite path {database} is a folder, not a file")
        # SQLite writes the file and, in WAL mode, files beside it: both must be writable.
        if path.exists() and not os.access(path, os.R_OK | os.W_OK):
            raise DatabaseUnavailable(f"the SQLite file {database} is not writable")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise DatabaseUnavailable(f"the folder of the SQLite file {database} is not writable")

    @property
    def safe_url(self) -> str:
        return self.url.render_as_string(hide_password=True)

    async def ensure_reachable(self) -> None:
        """Open one connection, or raise DatabaseUnavailable with a one-line reason."""
        if self.is_sqlite:
            self._check_sqlite_writable()
        try:
            async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except TimeoutError:
            raise DatabaseUnavailable(
                f"no answer from {self.safe_url} within {CONNECT_TIMEOUT_SECONDS:.0f} seconds"
            ) from None
        except Exception as exc:  # the driver's own errors differ per backend; all mean "cannot connect"
            raise DatabaseUnavailable(f"cannot connect to {self.safe_url}: {_one_line(exc)}") from None

    async def migrate(self) -> None:
        """Bring the schema to the newest revision: nothing more than one SELECT when it is there already."""
        await self.ensure_reachable()
        if await self.at_head():
            return
        if self.is_sqlite:
            await self._migrate_sqlite()
            return
        async with self.engine.begin() as connection:
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_ID})
            await connection.run_sync(_upgrade_to_head)

    async def _migrate_sqlite(self) -> None:
        """SQLite alters a table by copying it and dropping the old one, and with foreign keys enforced that
        drop deletes (or unlinks) every row of other tables that refers to it. So migrations run with foreign
        keys off, as SQLite's own procedure for altering tables says, and are checked before they commit."""
        async with self.engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # no effect inside a transaction
            try:
                before = len((await connection.exec_driver_sql("PRAGMA foreign_key_check")).all())
                await connection.run_sync(_upgrade_to_head)
                broken = len((await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()) - before
                if broken > 0:
                    raise DatabaseUnavailable(f"the migration would break {broken} reference(s) between tables; not committed")
                await connection.commit()
            finally:
                await connection.rollback()
                await connection.exec_driver_sql("PRAGMA foreign_keys=ON")

    @asynccontextmanager
    async def exclusive(self, name: str, key: int, *, waiting: Callable[[], None] | None = None) -> AsyncIterator[None]:
        """Hold the lock `name` (PostgreSQL: advisory lock `key`) across every process using this database
        until the block ends; `waiting` is called once if another process holds it. A process that dies
        lets go of it (the server ends its session; the kernel closes its lock file).

        The lock is polled, never waited for inside one statement, so a statement timeout cannot end the
        wait and the event loop keeps running."""
        if self.is_sqlite:
            async with self._file_lock(name, waiting):
                yield
            return
        async with self.engine.connect() as connection:
            told = False
            while True:
                got = (await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar()
                await connection.commit()  # the lock belongs to the session: no transaction left open
                if got:
                    break
                if waiting is not None and not told:
                    waiting()
                    told = True
                await asyncio.sleep(LOCK_POLL_SECONDS)
            try:
                yield
            finally:
                unlocked = False
                with suppress(Exception):  # a lost connection has let go of the lock already
                    await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    await connection.commit()
                    unlocked = True
                if not unlocked:  # never hand a connection that may hold the lock back to the pool
                    with suppress(Exception):
                        await connection.invalidate()

    @asynccontextmanager
    async def _file_lock(self, name: str, waiting: Callable[[], None] | None) -> AsyncIterator[None]:
        path = self._sqlite_file()
        if fcntl is None or path is None:
            yield  # one process: nothing to share the database with
            return
        # Never deleted: removing a lock file while another process waits on it would split the lock in two.
        descriptor = os.open(path.with_name(f"{path.name}.{name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            await _flock_when_free(descriptor, waiting)
            yield
        finally:
            os.close(descriptor)  # closing lets go of the lock

    async def at_head(self) -> bool:
        """Whether the database is at the newest revision, read from alembic_version without Alembic. False
        when in doubt (no such table yet, several heads): the full upgrade then decides."""
        head = script_head()
        if head is None:
            return False
        try:
            async with self.engine.connect() as connection:
                versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        except DBAPIError:  # a new database: no alembic_version table
            return False
        return list(versions) == [head]

    async def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        async with self.engine.connect() as connection:
            return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())

    async def dispose(self) -> None:
        await self.engine.dispose()


def _one_line(exc: BaseException) -> str:
    """The driver's reason, without SQLAlchemy's statement and background link."""
    original = getattr(exc, "orig", None) or exc
    message = str(original).strip().splitlines()[0] if str(original).strip() else ""
    reason = message or type(original).__name__
    return reason if len(reason) <= 200 else reason[:199] + "…"


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision, as Alembic reads it from the revision scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


_ASSIGNMENT = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:None|['"]([^'"]+)['"])\s*$""", re.MULTILINE)


@cache
def script_head() -> str | None:
    """The newest revision read from the revision files' `revision` and `down_revision` lines, without
    importing Alembic or the scripts: the one revision no other revision follows. None when that is not
    plain (several heads, a merge or a line it cannot read): the caller then asks Alembic."""
    links = [_revision_link(script) for script in sorted((MIGRATIONS_DIR / "versions").glob("*.py"))]
    if None in links:
        return None
    heads = {revision for revision, _ in links} - {down for _, down in links if down}
    return heads.pop() if len(heads) == 1 else None


def _revision_link(script: Path) -> tuple[str, str | None] | None:
    """A revision file's (revision, down_revision), or None where either line is not a plain one (a tuple
    for a merge, or a form this reader does not know)."""
    found = dict(match.groups() for match in _ASSIGNMENT.finditer(script.read_text(encoding="utf-8")))
    if found.get("revision") is None or "down_revision" not in found:
        return None
    return found["revision"], found["down_revision"]


def _upgrade_to_head(connection: Connection) -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), "head")


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.close()


def _first_file_among(*paths: Path) -> Path | None:
    """The first of `paths` that exists and is not a folder (what stops a folder from being created)."""
    return next((path for path in paths if path.exists() and not path.is_dir()), None)


async def _flock_when_free(descriptor: int, waiting: Callable[[], None] | None) -> None:
    """Take the exclusive lock on `descriptor`, polling while another process holds it; `waiting` is called
    once, the first time it has to wait."""
    assert fcntl is not None
    told = False
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if waiting is not None and not told:
                waiting()
                told = True
            await asyncio.sleep(LOCK_POLL_SECONDS)
