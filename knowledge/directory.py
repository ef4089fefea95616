"""People in the knowledge base: whose expert profiles are whose, which experts worked on which pilot, and
the members behind profiles, with the privacy rule that decides who may be shown as an expert.

The rule (`People.hides`): a member who switched expert search off is never shown as an expert, by any
command. It is checked against the database at query time, never cached, so switching it off hides the
member at once. Every list of experts shown to someone passes through it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import select

from storage.database import Database
from storage.models import Document, Member

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

    from knowledge.index import LiveIndex
    from knowledge.search import DocInfo

T = TypeVar("T")


@dataclass(frozen=True)
class Contact:
    """The member behind an expert profile, as far as search results need them."""

    member_id: int
    organisation_id: int | None
    consent_introductions: bool


@dataclass(frozen=True)
class People:
    """The members behind some expert profiles, as the database has them now."""

    contacts: dict[int, Contact]  # by member id
    opted_out: frozenset[int]  # members who switched expert search off

    def hides(self, doc: DocInfo) -> bool:
        """The privacy rule: an expert profile of a member who switched expert search off is never shown."""
        return doc.kind == "expert" and doc.member_id in self.opted_out

    def contact(self, doc: DocInfo) -> Contact | None:
        """The member behind an expert profile, if it belongs to one."""
        return self.contacts.get(doc.member_id) if doc.kind == "expert" and doc.member_id else None


NOBODY = People({}, frozenset())


async def look_up_people(session: AsyncSession | AsyncConnection, docs: Iterable[DocInfo]) -> People:
    """The members behind the expert profiles among `docs`, in one query (none without such profiles)."""
    ids = {d.member_id for d in docs if d.kind == "expert" and d.member_id}
    if not ids:
        return NOBODY
    rows = (
        await session.execute(
            select(Member.id, Member.organisation_id, Member.consent_expert_search, Member.consent_introductions).where(
                Member.id.in_(ids)
            )
        )
    ).all()
    return People(
        contacts={row.id: Contact(row.id, row.organisation_id, row.consent_introductions) for row in rows},
        opted_out=frozenset(row.id for row in rows if not row.consent_expert_search),
    )


async def still_shown(session: AsyncSession | AsyncConnection, source_ids: Iterable[str]) -> set[str]:
    """Of these documents, those that may still be shown now: still in the knowledge base, and not the expert
    profile of a member who switched expert search off. For answers stored to be served later ("More"): an
    erasure or a consent change since must hide them there too."""
    wanted = set(source_ids)
    if not wanted:
        return set()
    rows = (
        await session.execute(select(Document.source_id, Document.kind, Document.member_id).where(Document.source_id.in_(wanted)))
    ).all()
    people = await look_up_people(session, rows)
    return {row.source_id for row in rows if not people.hides(row) and not _member_gone(row, people)}


def _member_gone(doc: DocInfo, people: People) -> bool:
    """An expert profile whose member row no longer exists (erased in the moment between two statements)."""
    return doc.kind == "expert" and doc.member_id is not None and doc.member_id not in people.contacts


def one_per_person(items: list[T], doc_of: Callable[[T], DocInfo]) -> list[T]:
    """The first (best) expert profile of each member: someone with an ingested profile and their own
    chat profile is one person, listed once."""
    seen: set[int] = set()
    kept = []
    for item in items:
        doc = doc_of(item)
        if doc.kind == "expert" and doc.member_id is not None:
            if doc.member_id in seen:
                continue
            seen.add(doc.member_id)
        kept.append(item)
    return kept


class Directory:
    """Who is who among the documents of the live index (rebuilt whenever the index changes)."""

    def __init__(self, db: Database, index: LiveIndex) -> None:
        self.db = db
        self.index = index
        self._profiles: tuple[list[DocInfo], dict[int, tuple[int, ...]]] | None = None
        self._expert_links: tuple[list[DocInfo], dict[str, list[DocInfo]]] | None = None

    async def people(self, docs: Iterable[DocInfo]) -> People:
        """The members behind expert profiles: their contacts, and who switched expert search off."""
        async with self.db.reading() as connection:
            return await look_up_people(connection, docs)

    async def profile_ids(self, member_id: int) -> tuple[int, ...]:
        """Ids of the expert profiles that belong to a member (left out of their own results)."""
        docs = (await self.index.ensure_fresh()).docs
        if self._profiles is None or self._profiles[0] is not docs:
            self._profiles = (docs, _profiles_by_member(docs))
        return self._profiles[1].get(member_id, ())

    async def experts_by_pilot(self) -> dict[str, list[DocInfo]]:
        """Pilot source id -> expert profiles that list it (or are its named contact). Every profile is
        listed, shown or not: `People.hides` decides who may be shown."""
        docs = (await self.index.ensure_fresh()).docs
        if self._expert_links is None or self._expert_links[0] is not docs:
            self._expert_links = (docs, _experts_by_pilot(docs))
        return self._expert_links[1]


def _profiles_by_member(docs: list[DocInfo]) -> dict[int, tuple[int, ...]]:
    profiles: dict[int, tuple[int, ...]] = {}
    for doc in docs:
        if doc.kind == "expert" and doc.member_id is not None:
            profiles[doc.member_id] = (*profiles.get(doc.member_id, ()), doc.id)
    return profiles


def _experts_by_pilot(docs: list[DocInfo]) -> dict[str, list[DocInfo]]:
    experts_by_name = {d.title.lower(): d for d in docs if d.kind == "expert"}
    links: dict[str, list[DocInfo]] = {}
    for doc in docs:
        if doc.kind == "expert":
            for pilot_id in doc.meta.get("pilots", []):
                links.setdefault(pilot_id, []).append(doc)
        elif doc.kind == "pilot" and doc.meta.get("contact"):
            _link_named_contact(links, doc, experts_by_name)
    return links


def _link_named_contact(links: dict[str, list[DocInfo]], pilot: DocInfo, experts_by_name: dict[str, DocInfo]) -> None:
    contact = experts_by_name.get(str(pilot.meta["contact"]).lower())
    if contact is not None and contact not in links.get(pilot.source_id, []):
        links.setdefault(pilot.source_id, []).append(contact)
