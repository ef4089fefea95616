"""Whether this process may have changed some tables since a moment: for caches of rows it reads often.

`TableWrites` counts a generation, moved on by every statement other than a SELECT (an INSERT, UPDATE or
DELETE) naming one of the tables that any connection of the engine sends, and again when that connection
goes back to the pool (its transaction committed or rolled back by then). While such a transaction is
open, `moment()` is None: a row read meanwhile may be about to change, or be rolled back, so it must not
be kept. A value kept with the moment it was read at is current while `moment()` still returns that
moment. Other processes' writes are not seen: a cache keyed on this also needs a time limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# Anything but a plain SELECT that names one of the tables counts as a write (a write behind a WITH clause too;
# a read counted so costs a cache a read, never a stale row).
_READ = re.compile(r"\s*SELECT\b", re.IGNORECASE)
_MARK = "table_writes"


class TableWrites:
    def __init__(self, engine: AsyncEngine, tables: Iterable[str]) -> None:
        self._names = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in tables) + r")\b", re.IGNORECASE)
        self.generation = 0
        self._open = 0  # connections whose transaction wrote to the tables, not yet back in the pool
        self._key = f"{_MARK}:{id(self)}"
        event.listen(engine.sync_engine, "before_cursor_execute", self._statement)
        for ended in ("checkin", "invalidate", "soft_invalidate", "close", "detach"):
            event.listen(engine.sync_engine, ended, self._connection_done)

    def moment(self) -> int | None:
        """The current generation, or None while a write to the tables may still be open."""
        return None if self._open else self.generation

    def _statement(self, connection, _cursor, statement: str, *_args) -> None:  # noqa: ANN001
        if _READ.match(statement) is not None or self._names.search(statement) is None:
            return
        self.generation += 1
        info = connection.info  # the pooled connection's own: kept until it is back in the pool
        if not info.get(self._key):
            info[self._key] = True
            self._open += 1

    def _connection_done(self, _dbapi_connection, record, *_args) -> None:  # noqa: ANN001
        info = getattr(record, "info", None)
        if info is not None and info.pop(self._key, False):
            self._open -= 1
            self.generation += 1
