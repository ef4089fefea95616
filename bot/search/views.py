"""How search results read in chat: each with its source and why it matches, people with an "Introduce me"
button, and what to try when nothing (or nothing good) was found. Shared by `find`, `pilots`, `experts`
and `match`; the searching itself is `bot.search.service`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from bot.intros.service import MAX_REASON_CHARS
from bot.reply import BUTTON_COMMAND_CHARS, INLINE_COMMAND_CHARS, Button, Field, Link, Reply, Section
from bot.sanitize import markdown_links_as_text, without_mentions
from bot.search import listing
from bot.search.errors import NoInterests, NothingToSearch, NoTopic, SearchRefused, SearchUnavailable
from bot.search.query import Question, filter_help, topic_words
from bot.search.service import MAX_RESULTS, Browsed, Matches, Person
from config.errors import RefusalWording, UserError, WordedError
from config.vocabulary import SECTORS, THEMES, country_name
from knowledge.chunking import OVERVIEW_HEADING
from knowledge.directory import Contact
from knowledge.index import Answer, Passage
from knowledge.search import DocInfo
from storage.models import Member

SNIPPET_CHARS = 280
BUTTON_LIMIT = INLINE_COMMAND_CHARS
KIND_LABELS = {"pilot": "Pilot", "expert": "Expert", "report": "Report", "tool": "Tool", "answer": "Community answer"}
# `match me` alternates up to this many people with up to this many pilots and documents.
MATCHED_PEOPLE, MATCHED_DOCUMENTS = 12, 13

# When even the best match is weak (Answer.weak), only this many closest results are shown, with a caveat.
WEAK_MATCH_SHOWN = 3
# Results between the two cuts of the confidence calibration (knowledge/confidence.py: Match.UNSURE).
PARTLY_ANSWERS_NOTE = "These may only partly answer your question. If none does, the members may know:"
NOTHING_FITS_HINT = (
    "Try asking the community (`community ask <question>`): someone may know, and their answer can become "
    "knowledge for the next person. "
    "If you have a report or pilot write-up on this, an admin can add it with `python main.py ingest PATH`."
)
WARMING_UP_NOTE = "I had only just started and was still loading the language model, so this answer took a moment longer."
STILL_LOADING_NOTE = "I am still loading part of the knowledge base, so results may improve shortly."


def safe_text(text: str, limit: int = 80) -> str:
    """User text fit to echo: no mentions or markup that could ping anyone, cut at a word boundary. A word
    typed in angle brackets ("<kids>") is no mention: it stays, without its brackets; a Markdown link
    ("[click](https://…)") is its text alone, so no platform shows it as a link."""
    cleaned = re.sub(r"[@`*_~|<>]", "", markdown_links_as_text(without_mentions(text)))
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        cleaned = cleaned[:limit].rsplit(" ", 1)[0] + "…"
    return cleaned


def _notes(answer: Answer) -> list[str]:
    notes = [WARMING_UP_NOTE] if answer.waited_for_warm_up else []
    if answer.still_loading:
        notes.append(STILL_LOADING_NOTE)
    if answer.corrected:
        notes.append(f"Searched as “{safe_text(topic_words(answer.corrected), 60)}”, the spelling the knowledge base uses.")
    if answer.truncated:
        words = len(answer.query.split())
        cut = (f"searched with its first {words} words (the most the language model reads at once)" if words > 1
               else "cut it to what the language model reads at once")  # one overlong word has no "first words"
        notes.append(f"Your question was long, so I {cut}.")
    return notes


def counted(count: int, plural: str) -> str:
    """ "1 pilot", "2 pilots": `plural` is a regular plural ("pilots", "results")."""
    return f"{count} {plural.removesuffix('s') if count == 1 else plural}"


def ask_what_to_find(example: str, fixed_kind: str | None = None) -> UserError:
    return UserError(f"What should I look for? For example: `{example}`", hint=filter_help(fixed_kind))


# --- find / pilots ------------------------------------------------------------------------------------------


def browsed(found: Browsed, asker: Member, question: Question, *, what: str) -> Reply:
    """Everything the filters match, newest first; for a question that only named what to list (`pilots in
    Sweden`, `latest reports`), said as such, with how to search a topic among them (bot.search.listing)."""
    named = question.named_listing
    what = listing.what_is_listed(question.filters, what) if named else what
    if not found.docs:
        said, hint = listing.nothing_listed(question.filters, what) if named else (f"No {what} match those filters.", "Try fewer filters.")
        raise UserError(said, hint=hint)
    sections = [
        _document_section(asker, doc, None, [], query="", contact=found.contacts.get(doc.member_id))
        for doc in found.docs
    ]
    # The list stops at MAX_RESULTS: then it is the newest so many, not all of them.
    newest_only = len(found.docs) >= MAX_RESULTS
    shown = f"The {len(found.docs)} newest {what}" if newest_only else counted(len(found.docs), what)
    text = listing.heading(shown, question.filters, newest_only=newest_only) if named else f"{shown} matching your filters:"
    return Reply(text=text, sections=sections)


def found(answer: Answer, asker: Member, question: Question, *, what: str) -> Reply:
    results = answer.results
    shown = safe_text(topic_words(answer.query), 60)
    # The filters typed, said beside the question: "nothing for obesity" is not "nothing for obesity in France".
    within = _filters_said(question, kinds=what == "results")
    if not results:
        hint = "Try other words" + (", or fewer filters." if question.has_filters else ".")
        raise UserError("\n".join([*_notes(answer), f"I found no {what} for “{shown}”{within}."]), hint=hint)
    sections = [
        _document_section(asker, r.doc, r.passage, r.shared, query=_asked(answer), snippet=r.snippet, contact=r.contact)
        for r in results
    ]
    if answer.weak:
        return _nothing_fits(answer, sections, shown, within)
    text = "\n".join([*_notes(answer), f"Best matches for “{shown}”{within}:"])
    return Reply(text=text, sections=[*_unsure_note(answer), *sections], unsure=answer.unsure, topic=shown)


def _filters_said(question: Question, *, kinds: bool = True) -> str:
    """" (country: Denmark, Sweden; theme: Obesity; since 2024-01-01)", or "" without typed filters (`kinds`:
    whether the kind was the member's, not the command's)."""
    if not (question.has_filters or question.listing_only):
        return ""
    chosen = question.filters
    parts = [
        f"{label}: {', '.join(sorted(name(value) for value in values))}"
        for label, values, name in (
            ("kind", chosen.kinds if kinds else (), str),
            ("theme", chosen.themes, lambda value: THEMES.get(value, value)),
            ("country", chosen.countries, country_name),
            ("sector", chosen.sectors, lambda value: SECTORS.get(value, value)),
        )
        if values
    ]
    parts += [f"{word} {day.isoformat()}" for word, day in (("since", chosen.since), ("until", chosen.until)) if day]
    return f" ({'; '.join(parts)})" if parts else ""


def _asked(answer: Answer) -> str:
    """The question as searched, for an "Introduce me" reason: marked "…" where it was cut to what the model reads."""
    return f"{answer.query}…" if answer.truncated else answer.query


def _unsure_note(answer: Answer) -> list[Section]:
    """For results that may only partly answer the question: first, a note saying so with the "Ask the
    community" button (at the top: a member who finds nothing on the first page should not have to page on)."""
    if not answer.unsure:
        return []
    return [Section(context=PARTLY_ANSWERS_NOTE, buttons=_ask_button(answer.query))]


def _nothing_fits(answer: Answer, sections: list[Section], shown: str, within: str = "") -> Reply:
    """The reply when even the best result matches poorly: say so, show a few, and point elsewhere. They come
    without "Introduce me": asking someone for an introduction on a topic they do not match misleads both."""
    closest = [replace(section, buttons=[]) for section in sections[:WEAK_MATCH_SHOWN]]
    text = "\n".join([
        *_notes(answer),
        f"Nothing in the knowledge base matches this well: “{shown}”{within}. "
        + ("The closest, in case it still helps:" if len(closest) == 1 else
           f"The {len(closest)} closest, in case one still helps:"),
    ])
    return Reply(
        text=text,
        sections=[*closest, Section(context=NOTHING_FITS_HINT, buttons=_ask_button(answer.query))],
        weak=True,
        topic=shown,
    )


def _ask_button(question: str) -> list[Button]:
    """"Ask the community": the weak answer's question, sent on as `community ask`; a longer one opens the form
    with the question filled in (`community ask --edit`), to shorten or change before it is posted."""
    text = " ".join(question.split())
    command = f"community ask {text}"
    if len(command) > BUTTON_LIMIT:
        command = f"community ask --edit {text}"[:BUTTON_COMMAND_CHARS].rstrip()
    return [Button("Ask the community", command, "primary")]


def _document_section(
    asker: Member,
    doc: DocInfo,
    passage: Passage | None,
    shared: list[str],
    *,
    query: str,
    snippet: Passage | None = None,
    via_pilot: DocInfo | None = None,
    contact: Contact | None = None,
    matched_to: str = "your question",
) -> Section:
    fields = _fields(doc)
    section = Section(
        title=f"{KIND_LABELS.get(doc.kind, doc.kind.title())} · {doc.title}", fields=fields, source_id=doc.source_id
    )
    if snippet is not None and snippet.text:
        section.text = _snippet(snippet.text)
    if doc.url:
        section.link = Link("Source", doc.url)
    else:
        fields.append(Field("Source", f"`{doc.source_path}`"))
    if passage is not None:
        section.context = _why(passage, shared, via_pilot, matched_to)
    if doc.kind == "expert":
        button = _intro_button(contact, asker, query or ", ".join(asker.interests))
        if button:
            section.buttons.append(button)
    return section


def _fields(doc: DocInfo) -> list[Field]:
    if doc.kind == "expert":
        return _expert_fields(doc)
    fields = _shared_fields(doc)
    if doc.kind == "pilot":
        fields.extend(_pilot_fields(doc.meta))
    elif doc.published_on:
        fields.append(Field("Date", doc.published_on.isoformat()))
    return fields


def _expert_fields(doc: DocInfo) -> list[Field]:
    meta = doc.meta
    shown = [
        ("Role", meta.get("job_title") or None),
        ("Organisation", doc.organisations[0] if doc.organisations else None),
        ("Sector", SECTORS.get(doc.sectors[0], doc.sectors[0]) if doc.sectors else None),
        ("Country", country_name(doc.countries[0]) if doc.countries else None),
        ("Expertise", ", ".join(meta["expertise"][:5]) if meta.get("expertise") else None),
    ]
    return [Field(label, value) for label, value in shown if value is not None]


def _shared_fields(doc: DocInfo) -> list[Field]:
    """Who answered (an answer), themes, countries and organisations, of every kind but experts."""
    fields: list[Field] = []
    if doc.kind == "answer" and doc.meta.get("answered_by"):
        fields.append(Field("Answered by", doc.meta["answered_by"]))
    if doc.themes:
        fields.append(Field("Themes", ", ".join(THEMES.get(t, t) for t in doc.themes)))
    if doc.countries:
        fields.append(Field("Countries", ", ".join(country_name(c) for c in doc.countries)))
    if doc.organisations:
        label = "Partners" if doc.kind == "pilot" else "Organisations"
        fields.append(Field(label, ", ".join(doc.organisations[:4]) + (" …" if len(doc.organisations) > 4 else "")))
    return fields


def _pilot_fields(meta: dict) -> list[Field]:
    fields: list[Field] = []
    status = meta.get("status")
    period = meta.get("start", "")[:7] + (f" – {meta['end'][:7]}" if meta.get("end") else "")
    if status or period.strip():
        fields.append(Field("Status", " · ".join(p for p in (status, period.strip()) if p)))
    if meta.get("contact"):
        fields.append(Field("Contact", meta["contact"]))
    return fields


# Source Markdown, which chat would show literally (or in its own dialect): line marks and inline markup.
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_QUOTE = re.compile(r"^\s*>\s?")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# One `*` or `_` around words, not inside a word (snake_case, 2*3) nor a lone star.
# The mark is matched before what precedes it is checked (the same rule, but tried only where a mark is: the
# check first, at every position of every snippet, was most of the time a search spent on its reply's text).
_EMPHASIS = re.compile(r"\*(?<![\w*]\*)(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|_(?<![\w_]_)(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")


def plain_passage(text: str) -> str:
    """A passage's words without its Markdown: headings, quotes, emphasis and link syntax go, a link keeps its
    text. A heading, a paragraph and each list item (without its bullet) start a line; wrapped lines run on."""
    lines: list[str] = []
    starts_line = True
    # Each pattern runs only where its mark can be (they are anchored, or need a character the text lacks):
    # a reply makes 25 snippets, and running all six on every line was most of their time.
    for raw in text.splitlines():
        heading = _HEADING.match(raw) is not None
        line = _HEADING.sub("", raw) if heading else raw
        if ">" in line:
            line = _QUOTE.sub("", line)
        item = _LIST_ITEM.match(line) is not None
        line = " ".join((_LIST_ITEM.sub("", line) if item else line).split())
        if not line:
            starts_line = True  # a blank line ends a paragraph or list
        elif starts_line or heading or item:
            lines.append(line)
            starts_line = heading
        else:
            lines[-1] += " " + line
    joined = markdown_links_as_text("\n".join(lines))
    if "**" in joined or "__" in joined:
        joined = _STRONG.sub(lambda m: m.group(2), joined)
    if "*" in joined or "_" in joined:
        joined = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), joined)
    return joined


def _plain_beginning(text: str, chars: int) -> str:
    """`plain_passage(text)` as far as its first `chars` characters, from as few paragraphs as give them (no
    markup spans a blank line, so the paragraphs before one read the same alone)."""
    end = text.find("\n\n", chars)
    while end != -1:
        plain = plain_passage(text[:end])
        if len(plain) >= chars:
            return plain
        end = text.find("\n\n", end + 2)
    return plain_passage(text)


def _snippet(text: str) -> str:
    plain = _plain_beginning(text, SNIPPET_CHARS + 1)
    if len(plain) <= SNIPPET_CHARS:
        return plain
    return re.sub(r"\s+\S*$", "", plain[: SNIPPET_CHARS + 1]) + " …"


def _why(passage: Passage, shared: list[str], via_pilot: DocInfo | None, matched_to: str = "your question") -> str:
    if passage.heading == OVERVIEW_HEADING:
        where = "its title, tags and facts"
    else:
        where = f"the “{passage.heading}” passage" if passage.heading else "the best passage"
    if via_pilot is not None:
        where = f"their {'answer to “' if via_pilot.kind == 'answer' else 'pilot “'}{via_pilot.title}”"
    plural = where.startswith("its")  # "its title, tags and facts"
    if not shared:  # a match in meaning alone: say so, rather than that the words match
        return f"Why: {where} {'are' if plural else 'is'} close in meaning to {matched_to}, with no shared keywords."
    return f"Why: {where} match{'' if plural else 'es'} {matched_to}; shared terms: {', '.join(shared)}."


def _intro_button(contact: Contact | None, asker: Member, question: str) -> Button | None:
    if contact is None or contact.member_id == asker.id or not contact.consent_introductions:
        return None
    command = f"intro member:{contact.member_id} {intro_reason(question)}"
    return Button("Introduce me", command[:BUTTON_COMMAND_CHARS], style="primary")


# A question of up to this many words, with no sentence's punctuation, is a topic ("school food evaluation") that
# reads well inside a sentence; anything longer is the member's own question, quoted.
TOPIC_WORDS = 4
# How much of a question the quoted form holds: the whole reason stays within what an introduction request
# accepts (intros' MAX_REASON_CHARS), and so within what a button command holds on every platform.
QUOTED_QUESTION_CHARS = MAX_REASON_CHARS - 60


def intro_reason(question: str) -> str:
    """The reason an "Introduce me" button sends, as the expert reads it: "I'd like to learn about school food
    from you." for a topic; for a sentence or more, the question quoted, cut at a word boundary."""
    topic = safe_text(question, QUOTED_QUESTION_CHARS).strip()
    if not topic:
        return "I'd like to learn about your work."
    if len(topic.split()) <= TOPIC_WORDS and not re.search(r"[.?!;:]", topic):
        return f"I'd like to learn about {topic} from you."
    return f"I'd like to learn from you about my question: ‘{topic}’"


# --- experts / match ------------------------------------------------------------------------------------------


def ask_whom_to_find() -> UserError:
    return UserError(
        "Who are you looking for? For example: `experts school food` or `experts --cross-border digital mental health`.",
        hint="Options: --cross-border (people in other countries first), --sector X, country:XX, theme:X.",
    )


def experts(people: list[Person], answer: Answer, asker: Member, *, cross_border: bool) -> Reply:
    shown = safe_text(topic_words(answer.query), 60)
    if not people:
        raise UserError("\n".join([*_notes(answer), f"I found no experts for “{shown}”."]), hint="Try other words or fewer filters.")
    sections = [_person_section(asker, person, _asked(answer)) for person in people]
    if answer.weak:
        return _nothing_fits(answer, sections, shown)
    notes = _notes(answer)
    order = "people from other organisations first"
    if cross_border:
        order += ", then other countries"
    notes.append(f"Experts for “{shown}” ({order}):")
    sections[:0] = _unsure_note(answer)
    tips = [
        *(["`profile set organisation <name>` lets me put people from other organisations first"] if asker.organisation_id is None else []),
        *(["`profile set country <name>` lets `--cross-border` put people from other countries first"]
          if cross_border and not asker.country else []),
    ]
    if tips:
        sections.append(Section(context=f"Tip: {'; '.join(tips)}."))
    return Reply(text="\n".join(notes), sections=sections, unsure=answer.unsure, topic=shown)


def _person_section(asker: Member, person: Person, query: str, matched_to: str = "your question") -> Section:
    section = _document_section(
        asker, person.doc, person.passage, person.shared, query=query, snippet=person.snippet,
        via_pilot=person.via_pilot, contact=person.contact, matched_to=matched_to,
    )
    section.title = person.doc.title
    if person.same_organisation:
        section.context = (section.context or "") + " (Your own organisation.)"
    return section


def matches(found: Matches, member: Member) -> Reply:
    text = found.searched
    matched_to = "your interests" if found.from_interests else "your expertise"  # there was no question
    # Alternate people and pilots/documents, best first, so both kinds show on the first page.
    sections: list[Section] = []
    people_sections = [_person_section(member, p, text, matched_to) for p in found.people[:MATCHED_PEOPLE]]
    other_sections = [
        _document_section(member, r.doc, r.passage, r.shared, query=text, snippet=r.snippet, matched_to=matched_to)
        for r in found.documents.results[:MATCHED_DOCUMENTS]
    ]
    for i in range(max(len(people_sections), len(other_sections))):
        if i < len(people_sections):
            sections.append(people_sections[i])
        if i < len(other_sections):
            sections.append(other_sections[i])
    if not sections:
        raise UserError("Nothing in the knowledge base matches your interests yet.", hint="Try `find <question>`.")
    source = "interests" if found.from_interests else "expertise (you have no interests set)"
    text = f"People, pilots and documents for your {source}: {safe_text(text, 120)}"
    order = "Those from other organisations, countries and sectors than yours come first."
    # Personal, like `profile`: it names the member's interests or expertise.
    return Reply(text=f"{text}\n{order}", sections=sections[:MAX_RESULTS], private=True)


# --- what a search could not answer ----------------------------------------------------------------------

EMPTY_KNOWLEDGE_BASE = (
    "The knowledge base is empty, so there is nothing to search yet. An admin can load a folder of pilots, "
    "expert profiles, reports and tools with `python main.py ingest PATH` (the demo: `python main.py ingest data/demo`)."
)
STILL_LOADING = "I am still loading the knowledge base (this is my first start): ask again in a few seconds."
NO_TOPIC_HINT = "Ask about a topic in a word or a few, for example: `pilots school obesity` or `experts school food procurement`."
_REFUSAL_WORDING: dict[type[SearchRefused], RefusalWording] = {
    NothingToSearch: lambda e: (STILL_LOADING if e.still_loading else EMPTY_KNOWLEDGE_BASE, None),
    NoTopic: lambda _e: (
        "Your question has no word I can search by: only common words, numbers, symbols or single letters.",
        NO_TOPIC_HINT,
    ),
    SearchUnavailable: lambda e: (e.reason, None),
    NoInterests: lambda _e: (
        "I match on your profile's interests, and you have none yet.",
        "Add some, for example: `profile set interests school food, digital mental health`, then `match me`.",
    ),
}


REFUSALS: Mapping[type[WordedError], RefusalWording] = _REFUSAL_WORDING
