"""From a question in chat to a reply: search, rank people, and show each result with its source and why.

Shared by the `find`, `pilots`, `experts` and `match` commands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.context import CommandContext
from bot.reply import Button, Field, Link, Reply, Section
from bot.search.query import FILTER_HELP, Question
from config.errors import UserError
from config.vocabulary import SECTORS, THEMES, country_name
from knowledge.chunking import OVERVIEW_HEADING
from knowledge.search import DocInfo, Filters
from knowledge.service import Answer, Contact, KnowledgeError, KnowledgeService, Passage, Result
from storage.lookups import organisation_key
from storage.models import Member

MAX_RESULTS = 25
SNIPPET_CHARS = 280
BUTTON_LIMIT = 90
# An expert found through a pilot they worked on ranks a little below one whose own profile matches.
PILOT_LINK_WEIGHT = 0.85
# Results this far below the best one are noise rather than answers.
RELATIVE_CUTOFF = 0.35
KIND_LABELS = {"pilot": "Pilot", "expert": "Expert", "report": "Report", "tool": "Tool"}

# When even the best match is weak (Answer.weak), only this many closest results are shown, with a caveat.
WEAK_MATCH_SHOWN = 3
NOTHING_FITS_HINT = (
    "Try asking the community: someone may know, and their answer can become knowledge for the next person. "
    "If you have a report or pilot write-up on this, an admin can add it with `python main.py ingest PATH`."
)

EMPTY_KNOWLEDGE_BASE = (
    "The knowledge base is empty, so there is nothing to search yet. An admin can load a folder of pilots, "
    "expert profiles, reports and tools with `python main.py ingest PATH` (the demo: `python main.py ingest data/demo`)."
)


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


def safe_text(text: str, limit: int = 80) -> str:
    """User text fit to echo: no mentions or markup that could ping anyone, cut at a word boundary."""
    cleaned = re.sub(r"<[^>]*>", " ", text)
    cleaned = re.sub(r"[@`*_~|<>]", "", cleaned)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[:limit].rsplit(" ", 1)[0] + "…"
    return cleaned


async def _service(ctx: CommandContext) -> KnowledgeService:
    service = ctx.core.knowledge
    if await service.is_empty():
        raise UserError(EMPTY_KNOWLEDGE_BASE)
    return service


async def _search(service: KnowledgeService, text: str, filters: Filters, *, limit: int, exclude: tuple[int, ...] = ()) -> Answer:
    try:
        answer = await service.search(text, filters, limit=limit, exclude=exclude)
    except KnowledgeError as exc:
        raise UserError(str(exc)) from None
    if answer.results:
        best = answer.results[0].hit.score
        kept = [r for r in answer.results if best <= 0 or r.hit.score >= RELATIVE_CUTOFF * best]
        answer = replace(answer, results=kept)
    return answer


WARMING_UP_NOTE = "I had only just started and was still loading the language model, so this answer took a moment longer."


def _notes(answer: Answer) -> list[str]:
    notes = [WARMING_UP_NOTE] if answer.waited_for_warm_up else []
    if answer.truncated:
        notes.append(
            f"Your question was long, so I searched with its first {len(answer.query.split())} words "
            "(the most the language model reads at once)."
        )
    return notes


# --- find / pilots ------------------------------------------------------------------------------------------


async def find_reply(ctx: CommandContext, question: Question, *, what: str, example: str) -> Reply:
    service = await _service(ctx)
    own_profiles = await _own_profile_ids(service, ctx.member.id)
    if not question.text.strip():
        if not question.has_filters:
            raise UserError(f"What should I look for? For example: `{example}`", hint=FILTER_HELP)
        docs = await service.browse(question.filters, limit=MAX_RESULTS, exclude=own_profiles)
        if not docs:
            raise UserError(f"No {what} match those filters.", hint="Try fewer filters.")
        contacts, _ = await service.contacts(docs)
        sections = [_document_section(ctx, doc, None, [], query="", contact=contacts.get(doc.member_id)) for doc in docs]
        return Reply(text=f"{len(docs)} {what} matching your filters:", sections=sections)
    answer = await _search(service, question.text, question.filters, limit=MAX_RESULTS, exclude=own_profiles)
    results = answer.results
    shown = safe_text(answer.query, 60)
    if not results:
        hint = "Try other words" + (", or fewer filters." if question.has_filters else ".")
        raise UserError("\n".join([*_notes(answer), f"I found no {what} for “{shown}”."]), hint=hint)
    sections = [
        _document_section(ctx, r.doc, r.passage, r.shared, query=answer.query, snippet=r.snippet, contact=r.contact)
        for r in results
    ]
    if answer.weak:
        return _nothing_fits(answer, sections, shown)
    text = "\n".join([*_notes(answer), f"Best matches for “{shown}”:"])
    return Reply(text=text, sections=sections)


def _nothing_fits(answer: Answer, sections: list[Section], shown: str) -> Reply:
    """The reply when even the best result matches poorly: say so, show a few, and point elsewhere."""
    closest = sections[:WEAK_MATCH_SHOWN]
    text = "\n".join([
        *_notes(answer),
        f"Nothing in the knowledge base matches this well (“{shown}”). "
        f"The {len(closest)} closest, in case one still helps:",
    ])
    return Reply(text=text, sections=[*closest, Section(context=NOTHING_FITS_HINT)])


async def _own_profile_ids(service: KnowledgeService, member_id: int) -> tuple[int, ...]:
    return await service.profile_ids(member_id)


def _document_section(
    ctx: CommandContext,
    doc: DocInfo,
    passage: Passage | None,
    shared: list[str],
    *,
    query: str,
    snippet: Passage | None = None,
    via_pilot: DocInfo | None = None,
    contact: Contact | None = None,
) -> Section:
    fields = _fields(doc)
    section = Section(title=f"{KIND_LABELS.get(doc.kind, doc.kind.title())} · {doc.title}", fields=fields)
    if snippet is not None and snippet.text:
        section.text = _snippet(snippet.text)
    if doc.url:
        section.link = Link("Source", doc.url)
    else:
        fields.append(Field("Source", f"`{doc.source_path}`"))
    if passage is not None:
        section.context = _why(passage, shared, via_pilot)
    if doc.kind == "expert":
        button = _intro_button(contact, ctx.member, query or ", ".join(ctx.member.interests))
        if button:
            section.buttons.append(button)
    return section


def _fields(doc: DocInfo) -> list[Field]:
    fields: list[Field] = []
    meta = doc.meta
    if doc.kind == "expert":
        if meta.get("job_title"):
            fields.append(Field("Role", meta["job_title"]))
        if doc.organisations:
            fields.append(Field("Organisation", doc.organisations[0]))
        if doc.sectors:
            fields.append(Field("Sector", SECTORS.get(doc.sectors[0], doc.sectors[0])))
        if doc.countries:
            fields.append(Field("Country", country_name(doc.countries[0])))
        if meta.get("expertise"):
            fields.append(Field("Expertise", ", ".join(meta["expertise"][:5])))
        return fields
    if doc.themes:
        fields.append(Field("Themes", ", ".join(THEMES.get(t, t) for t in doc.themes)))
    if doc.countries:
        fields.append(Field("Countries", ", ".join(country_name(c) for c in doc.countries)))
    if doc.organisations:
        label = "Partners" if doc.kind == "pilot" else "Organisations"
        fields.append(Field(label, ", ".join(doc.organisations[:4]) + (" …" if len(doc.organisations) > 4 else "")))
    if doc.kind == "pilot":
        status = meta.get("status")
        period = meta.get("start", "")[:7] + (f" – {meta['end'][:7]}" if meta.get("end") else "")
        if status or period.strip():
            fields.append(Field("Status", " · ".join(p for p in (status, period.strip()) if p)))
        if meta.get("contact"):
            fields.append(Field("Contact", meta["contact"]))
    elif doc.published_on:
        fields.append(Field("Date", doc.published_on.isoformat()))
    return fields


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _why(passage: Passage, shared: list[str], via_pilot: DocInfo | None) -> str:
    if passage.heading == OVERVIEW_HEADING:
        where = "its title, tags and facts"
    else:
        where = f"the “{passage.heading}” passage" if passage.heading else "the best passage"
    if via_pilot is not None:
        where = f"their pilot “{via_pilot.title}”"
    terms = f"; shared terms: {', '.join(shared)}" if shared else "; close in meaning, no shared keywords"
    return f"Why: {where} match{'' if where.startswith('its') else 'es'} your question{terms}."


def _intro_button(contact: Contact | None, asker: Member, reason: str) -> Button | None:
    if contact is None or contact.member_id == asker.id or not contact.consent_introductions:
        return None
    # A sentence for the expert to read, not the bare search words (Discord keeps 100 characters a button).
    prefix, before, after = f"intro member:{contact.member_id} ", "I'd like to learn about ", " from you."
    topic = safe_text(reason, BUTTON_LIMIT - len(prefix + before + after)).strip()
    sentence = before + topic + after if topic else "I'd like to learn about your work."
    command = (prefix + sentence)[:BUTTON_LIMIT]
    return Button("Introduce me", command, style="primary")


# --- experts / match ------------------------------------------------------------------------------------------


async def rank_people(
    ctx: CommandContext,
    service: KnowledgeService,
    text: str,
    question_filters: Filters,
    *,
    cross_border: bool,
    other_sectors: bool = False,
) -> tuple[list[Person], Answer]:
    """Experts whose profile, or a pilot they worked on, matches; others' organisations first (then other
    countries with `cross_border`, then other sectors with `other_sectors`). One entry per person."""
    searched = Filters(kinds=frozenset({"expert", "pilot"}), themes=question_filters.themes)
    answer = await _search(service, text, searched, limit=MAX_RESULTS * 3, exclude=await _own_profile_ids(service, ctx.member.id))
    links = await service.experts_by_pilot()
    found: dict[tuple[str, int], Person] = {}
    for result in answer.results:
        if result.doc.kind == "expert":
            candidates = [(result.doc, result.hit.score, None)]
        else:
            candidates = [(expert, PILOT_LINK_WEIGHT * result.hit.score, result.doc) for expert in links.get(result.doc.source_id, [])]
        for expert, score, via in candidates:
            # A member with an ingested profile and a chat profile of their own is one person.
            person = ("member", expert.member_id) if expert.member_id is not None else ("document", expert.id)
            known = found.get(person)
            if known is None or score > known.score:
                # Found through a pilot: the pilot's text says nothing about the person, so show no snippet.
                snippet = result.snippet if via is None else None
                found[person] = Person(expert, score, result.passage, snippet, result.shared, via, result.contact)
    people = [
        p for p in found.values()
        if (not question_filters.sectors or question_filters.sectors.intersection(p.doc.sectors))
        and (not question_filters.countries or question_filters.countries.intersection(p.doc.countries))
    ]
    # People found through a pilot were not checked with the search results: look them up too.
    contacts, hidden = await service.contacts([p.doc for p in people if p.via_pilot is not None])
    asker = ctx.member
    asker_org = organisation_key(asker.organisation.name) if asker.organisation else None
    kept = []
    for person in people:
        if person.doc.member_id in hidden or (person.doc.member_id is not None and person.doc.member_id == asker.id):
            continue
        contact = person.contact or contacts.get(person.doc.member_id)
        person.contact = contact
        org = organisation_key(person.doc.organisations[0]) if person.doc.organisations else None
        person.same_organisation = bool(asker_org and org == asker_org) or bool(
            contact is not None and asker.organisation_id and contact.organisation_id == asker.organisation_id
        )
        person.same_country = bool(asker.country and asker.country in person.doc.countries)
        person.same_sector = bool(asker.sector and asker.sector in person.doc.sectors)
        kept.append(person)
    kept.sort(key=lambda p: (
        p.same_organisation, p.same_country if cross_border else False, p.same_sector if other_sectors else False, -p.score
    ))
    return kept[:MAX_RESULTS], answer


async def experts_reply(ctx: CommandContext, question: Question) -> Reply:
    service = await _service(ctx)
    if not question.text.strip():
        raise UserError(
            "Who are you looking for? For example: `experts school food` or `experts --cross-border digital mental health`.",
            hint="Options: --cross-border (people in other countries first), --sector X, country:XX, theme:X.",
        )
    cross_border = "cross-border" in question.flags
    people, answer = await rank_people(ctx, service, question.text, question.filters, cross_border=cross_border)
    shown = safe_text(answer.query, 60)
    if not people:
        raise UserError("\n".join([*_notes(answer), f"I found no experts for “{shown}”."]), hint="Try other words or fewer filters.")
    sections = [_person_section(ctx, person, answer.query) for person in people]
    if answer.weak:
        return _nothing_fits(answer, sections, shown)
    notes = _notes(answer)
    order = "people from other organisations first"
    if cross_border:
        order += ", then other countries"
    notes.append(f"Experts for “{shown}” ({order}):")
    if ctx.member.organisation_id is None:
        sections.append(Section(context="Tip: `profile set organisation <name>` lets me put people from other organisations first."))
    return Reply(text="\n".join(notes), sections=sections)


def _person_section(ctx: CommandContext, person: Person, query: str) -> Section:
    section = _document_section(
        ctx, person.doc, person.passage, person.shared, query=query, snippet=person.snippet,
        via_pilot=person.via_pilot, contact=person.contact,
    )
    section.title = person.doc.title
    if person.same_organisation:
        section.context = (section.context or "") + " (Your own organisation.)"
    return section


async def match_reply(ctx: CommandContext) -> Reply:
    service = await _service(ctx)
    member = ctx.member
    interests = list(member.interests or []) or list(member.expertise or [])
    if not interests:
        raise UserError(
            "I match on your profile's interests, and you have none yet.",
            hint="Add some, for example: `profile set interests school food, digital mental health`, then `match me`.",
        )
    text = ", ".join(interests)
    # Knowledge transfer is the point: people and pilots from elsewhere come first.
    people, answer = await rank_people(ctx, service, text, Filters(), cross_border=True, other_sectors=True)
    own = await _own_profile_ids(service, member.id)
    other = await _search(service, text, Filters(kinds=frozenset({"pilot", "report", "tool"})), limit=MAX_RESULTS, exclude=own)
    other.results.sort(key=lambda r: _shares_with(member, r.doc))
    # Alternate people and pilots/documents, best first, so both kinds show on the first page.
    sections: list[Section] = []
    people_sections = [_person_section(ctx, p, text) for p in people[:12]]
    other_sections = [
        _document_section(ctx, r.doc, r.passage, r.shared, query=text, snippet=r.snippet) for r in other.results[:13]
    ]
    for i in range(max(len(people_sections), len(other_sections))):
        if i < len(people_sections):
            sections.append(people_sections[i])
        if i < len(other_sections):
            sections.append(other_sections[i])
    if not sections:
        raise UserError("Nothing in the knowledge base matches your interests yet.", hint="Try `find <question>`.")
    source = "interests" if member.interests else "expertise (you have no interests set)"
    text = f"People, pilots and documents for your {source}: {safe_text(text, 120)}"
    order = "Those from other organisations, countries and sectors than yours come first."
    return Reply(text=f"{text}\n{order}", sections=sections[:MAX_RESULTS])


def _shares_with(member: Member, doc: DocInfo) -> tuple[bool, bool, bool]:
    """Whether a pilot or document involves the member's own organisation, country and sector (sorts last)."""
    own = organisation_key(member.organisation.name) if member.organisation else None
    return (
        bool(own) and own in {organisation_key(name) for name in doc.organisations},
        bool(member.country) and member.country in doc.countries,
        bool(member.sector) and member.sector in doc.sectors,
    )


__all__ = ["Result", "experts_reply", "find_reply", "match_reply", "rank_people"]
