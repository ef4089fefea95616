"""Searching the knowledge base for a member: documents for `find` and `pilots`, people for `experts`, and
both for `match me`. Returns results as data; `bot.search.views` shows them.

People are ranked for knowledge transfer: those from other organisations first (then, on request, other
countries and other sectors), never the asker themselves, never anyone who switched expert search off.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.search.errors import NoInterests, NothingToSearch, NoTopic, SearchUnavailable
from knowledge.directory import Contact
from knowledge.index import Answer, Passage, Result
from knowledge.language import has_topic
from knowledge.model import KnowledgeError
from knowledge.search import DocInfo, Filters
from knowledge.service import KnowledgeService
from storage.lookups import organisation_key
from storage.models import Member

if TYPE_CHECKING:
    from bot.runtime import Runtime

MAX_RESULTS = 25
# An expert found through a pilot they worked on ranks a little below one whose own profile matches.
PILOT_LINK_WEIGHT = 0.85
# Community answers kept as knowledge (bot.community): their authors are experts for them.
ANSWER_KIND = "answer"
# Results this far below the best one are noise rather than answers.
RELATIVE_CUTOFF = 0.35

@dataclass
class Person:
    """An expert profile as a search result, with the member behind it (if any)."""

    doc: DocInfo
    score: float
    passage: Passage | None
    snippet: Passage | None
    shared: list[str]
    via_pilot: DocInfo | None
    contact: Contact | None
    same_organisation: bool = False
    same_country: bool = False
    same_sector: bool = False
    # The score of their own profile, when it was found too: among people found through the same pilot
    # (one score for all of them), the one whose own expertise matches comes first.
    own_score: float = 0.0


async def knowledge_base(core: Runtime) -> KnowledgeService:
    """The knowledge service, once there is something to search (NothingToSearch while it is empty)."""
    service = core.knowledge
    if await service.index.is_empty():
        raise NothingToSearch(still_loading=service.index.still_loading)
    return service


def no_topic(text: str) -> NoTopic | None:
    """The refusal of a question with nothing to search by (only stop words, numbers, emoji, punctuation or
    single letters, in any supported language), or None for a real question."""
    return None if has_topic(text) else NoTopic()


async def search(
    service: KnowledgeService, text: str, filters: Filters, *, limit: int, exclude: tuple[int, ...] = ()
) -> Answer:
    """The search, without the results far below the best one (NoTopic for a question with no word to
    search by)."""
    problem = no_topic(text)
    if problem is not None:
        raise problem
    try:
        answer = await service.index.search(text, filters, limit=limit, exclude=exclude)
    except KnowledgeError as exc:
        raise SearchUnavailable(str(exc)) from None
    if answer.results:
        best = answer.results[0].hit.score
        kept = [r for r in answer.results if best <= 0 or r.hit.score >= RELATIVE_CUTOFF * best]
        answer = replace(answer, results=kept)
    return answer


# --- find / pilots ------------------------------------------------------------------------------------------


@dataclass
class Browsed:
    """Documents listed by filters alone, with the members behind expert profiles (by member id)."""

    docs: list[DocInfo]
    contacts: dict[int | None, Contact]


async def browse(service: KnowledgeService, asker: Member, filters: Filters) -> Browsed:
    """Everything the filters match, newest first, without the asker's own profile."""
    docs = await service.index.browse(filters, limit=MAX_RESULTS, exclude=await service.directory.profile_ids(asker.id))
    contacts = (await service.directory.people(docs)).contacts if docs else {}
    return Browsed(docs, contacts)


async def find(service: KnowledgeService, asker: Member, text: str, filters: Filters) -> Answer:
    return await search(service, text, filters, limit=MAX_RESULTS, exclude=await service.directory.profile_ids(asker.id))


# --- experts / match ------------------------------------------------------------------------------------------


async def rank_people(
    service: KnowledgeService,
    asker: Member,
    text: str,
    question_filters: Filters,
    *,
    cross_border: bool,
    other_sectors: bool = False,
) -> tuple[list[Person], Answer]:
    """Experts whose profile, or a pilot they worked on, matches; others' organisations first (then other
    countries with `cross_border`, then other sectors with `other_sectors`). One entry per person."""
    searched = Filters(kinds=frozenset({"expert", "pilot", ANSWER_KIND}), themes=question_filters.themes)
    own = await service.directory.profile_ids(asker.id)
    answer = await search(service, text, searched, limit=MAX_RESULTS * 3, exclude=own)
    found = _people_found(answer.results, await service.directory.experts_by_pilot())
    people = await _shown_to(service, asker, [p for p in found if _within_filters(p.doc, question_filters)])
    asker_org = organisation_key(asker.organisation.name) if asker.organisation else None
    for person in people:
        _note_what_they_share(person, asker, asker_org)
    return _in_order(people, cross_border=cross_border, other_sectors=other_sectors)[:MAX_RESULTS], answer


def _in_order(people: list[Person], *, cross_border: bool, other_sectors: bool) -> list[Person]:
    """Others' organisations first (then other countries, other sectors, when asked), then by score; among
    equal scores (people found through the same pilot) whose own profile matches best."""
    return sorted(people, key=lambda p: (
        p.same_organisation, p.same_country if cross_border else False, p.same_sector if other_sectors else False, -p.score,
        -p.own_score,
    ))


def _people_found(results: list[Result], links: dict[str, list[DocInfo]]) -> list[Person]:
    """Each person behind the results, once, with the best score any result gives them."""
    found: dict[tuple[str, int], Person] = {}
    own_scores: dict[tuple[str, int], float] = {}
    for result in results:
        for expert, score, via in _experts_behind(result, links):
            # A member with an ingested profile and a chat profile of their own is one person.
            person = ("member", expert.member_id) if expert.member_id is not None else ("document", expert.id)
            if via is None:
                own_scores[person] = max(own_scores.get(person, 0.0), score)
            known = found.get(person)
            if known is None or score > known.score:
                # Found through a pilot: the pilot's text says nothing about the person, so show no snippet.
                snippet = result.snippet if via is None else None
                found[person] = Person(expert, score, result.passage, snippet, result.shared, via, result.contact)
    return [replace(found_person, own_score=own_scores.get(person, 0.0)) for person, found_person in found.items()]


def _experts_behind(result: Result, links: dict[str, list[DocInfo]]) -> list[tuple[DocInfo, float, DocInfo | None]]:
    """The experts a result stands for, with their score and the document they were found through: the
    profile itself, a community answer's author, or the people who worked on a pilot."""
    if result.doc.kind == "expert":
        return [(result.doc, result.hit.score, None)]
    linked_score = PILOT_LINK_WEIGHT * result.hit.score
    if result.doc.kind == ANSWER_KIND:
        author = answerer(result.doc)
        return [(author, linked_score, result.doc)] if author is not None else []
    return [(expert, linked_score, result.doc) for expert in links.get(result.doc.source_id, [])]


def _within_filters(doc: DocInfo, question_filters: Filters) -> bool:
    """The question's sector and country filters, on the person rather than on what they were found through."""
    return (not question_filters.sectors or bool(question_filters.sectors.intersection(doc.sectors))) and (
        not question_filters.countries or bool(question_filters.countries.intersection(doc.countries))
    )


async def _shown_to(service: KnowledgeService, asker: Member, people: list[Person]) -> list[Person]:
    """The people the asker may see, with their contacts: never the asker, and never anyone hidden by the
    privacy rule. The search checked the profiles it found; people found through a pilot or an answer are
    checked here."""
    linked = await service.directory.people([p.doc for p in people if p.via_pilot is not None])
    shown = []
    for person in people:
        if linked.hides(person.doc) or (person.doc.member_id is not None and person.doc.member_id == asker.id):
            continue
        person.contact = person.contact or linked.contacts.get(person.doc.member_id)
        shown.append(person)
    return shown


def _note_what_they_share(person: Person, asker: Member, asker_org: str | None) -> None:
    """Whether the person shares the asker's organisation, country and sector (they rank later)."""
    org = organisation_key(person.doc.organisations[0]) if person.doc.organisations else None
    contact = person.contact
    person.same_organisation = bool(asker_org and org == asker_org) or bool(
        contact is not None and asker.organisation_id and contact.organisation_id == asker.organisation_id
    )
    person.same_country = bool(asker.country and asker.country in person.doc.countries)
    person.same_sector = bool(asker.sector and asker.sector in person.doc.sectors)


def answerer(doc: DocInfo) -> DocInfo | None:
    """The member behind a community answer kept as knowledge, as an expert for it (found through the
    answer the way an expert is found through their pilot): None once they have left."""
    if doc.member_id is None or not doc.meta.get("answered_by"):
        return None
    return DocInfo(
        id=doc.id, source_id=doc.source_id, kind="expert", title=doc.meta["answered_by"], content_hash=doc.content_hash,
        source_path=doc.source_path, themes=doc.themes, countries=doc.countries, sectors=doc.sectors,
        organisations=doc.organisations, member_id=doc.member_id,
    )


@dataclass
class Matches:
    """`match me`: what was searched (the member's interests, or their expertise), people and documents."""

    searched: str
    from_interests: bool
    people: list[Person]
    documents: Answer


async def match(service: KnowledgeService, member: Member) -> Matches:
    interests = list(member.interests or []) or list(member.expertise or [])
    if not interests:
        raise NoInterests()
    text = ", ".join(interests)
    # Knowledge transfer is the point: people and pilots from elsewhere come first.
    people, _ = await rank_people(service, member, text, Filters(), cross_border=True, other_sectors=True)
    own = await service.directory.profile_ids(member.id)
    documents = await search(
        service, text, Filters(kinds=frozenset({"pilot", "report", "tool", ANSWER_KIND})), limit=MAX_RESULTS, exclude=own
    )
    documents.results.sort(key=lambda r: _shares_with(member, r.doc))
    return Matches(text, bool(member.interests), people, documents)


def _shares_with(member: Member, doc: DocInfo) -> tuple[bool, bool, bool]:
    """Whether a pilot or document involves the member's own organisation, country and sector (sorts last)."""
    own = organisation_key(member.organisation.name) if member.organisation else None
    return (
        bool(own) and own in {organisation_key(name) for name in doc.organisations},
        bool(member.country) and member.country in doc.countries,
        bool(member.sector) and member.sector in doc.sectors,
    )
