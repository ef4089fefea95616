"""The members behind recent askers, kept by this process so that a search needs no database round for them.

Only searching commands use it (`find`, `pilots`, `experts`, `match`: open to every member, they read the
asker's id and profile and never change them; the router decides). A kept member is used only while the
process has written nothing to the members, their platform identities or organisations since it was read
(`TableWrites`: a profile edit, an erasure, a role or consent change, a first contact all move it on, and
nothing is kept while such a write is open), and for at most `MAX_AGE_SECONDS`, for another process's
writes. The router sends a message from which the member would take a new name or timezone to the
database as before.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.message import Author
from storage.models import Member
from storage.writes import TableWrites

MEMBER_TABLES = ("members", "platform_identities", "organisations")
MAX_AGE_SECONDS = 30.0
MAX_KEPT = 5_000


@dataclass(frozen=True)
class _Kept:
    member: Member
    generation: int
    read_at: float


class MemberCache:
    def __init__(self, writes: TableWrites, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.writes = writes
        self.clock = clock
        self._kept: OrderedDict[tuple[str, str], _Kept] = OrderedDict()

    def moment(self) -> int | None:
        """Take this before reading a member; `keep` it with what was read."""
        return self.writes.moment()

    def get(self, author: Author) -> Member | None:
        key = (author.platform, author.user_id)
        kept = self._kept.get(key)
        if kept is None:
            return None
        if kept.generation != self.writes.moment() or self.clock() - kept.read_at > MAX_AGE_SECONDS:
            del self._kept[key]
            return None
        self._kept.move_to_end(key)
        return kept.member

    def keep(self, author: Author, member: Member, moment: int | None) -> None:
        """Keep `member`, read for `author` from the database after `moment()` returned `moment`, unless this
        process wrote to the members since (or meanwhile)."""
        if moment is None or member.id is None or moment != self.writes.moment():
            return
        self._kept[(author.platform, author.user_id)] = _Kept(member, moment, self.clock())
        self._kept.move_to_end((author.platform, author.user_id))
        while len(self._kept) > MAX_KEPT:
            self._kept.popitem(last=False)

    def forget(self) -> None:
        self._kept.clear()
