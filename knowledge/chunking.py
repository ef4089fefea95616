"""Splitting a document into passages that follow its headings, with overlap inside long sections.

Passages stay under the embedding model's input limit (all-MiniLM-L6-v2 reads 256 word pieces, about
180 English words) so nothing is silently cut off when it is embedded. A first "facts" passage states the
document's structured fields in words, so a question about a place, an organisation or a tag finds it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from config.vocabulary import SECTORS, THEMES, country_name
from knowledge.sources import SourceDocument

OVERVIEW_HEADING = "Overview"
MAX_WORDS = 160
OVERLAP_WORDS = 30
# Bump when chunking changes, so every document is re-chunked (it is part of the content hash).
CHUNKER_VERSION = "1"

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9*-])")


@dataclass(frozen=True)
class Passage:
    heading: str | None
    text: str


def embedding_text(title: str, heading: str | None, text: str) -> str:
    """What is embedded and keyword-indexed for a passage: its document title and heading give context."""
    return f"{title}. {heading}. {text}" if heading else f"{title}. {text}"


def passages(document: SourceDocument, *, max_words: int = MAX_WORDS, overlap: int = OVERLAP_WORDS) -> list[Passage]:
    result = [Passage(OVERVIEW_HEADING, facts_text(document))]
    for heading, text in sections(document.body):
        for piece in split_words(text, max_words=max_words, overlap=overlap):
            result.append(Passage(heading, piece))
    return result


def facts_text(document: SourceDocument) -> str:
    themes = ", ".join(THEMES.get(t, t) for t in document.themes)
    countries = ", ".join(country_name(c) for c in document.countries)
    sectors = ", ".join(SECTORS.get(s, s) for s in document.sectors)
    if document.kind == "expert":
        parts = _person_facts(document, themes, countries, sectors)
    else:
        parts = _document_facts(document, themes, countries, sectors)
    return " ".join(parts)


def _person_facts(document: SourceDocument, themes: str, countries: str, sectors: str) -> list[str]:
    meta = document.meta
    role = meta.get("job_title")
    where = ", ".join(document.organisations)
    intro = document.title + (f", {role}" if role else "") + (f" at {where}" if where else "")
    parts = [intro + (f" ({sectors}, {countries})." if sectors and countries else ".")]
    if meta.get("expertise"):
        parts.append("Expertise: " + ", ".join(meta["expertise"]) + ".")
    if themes:
        parts.append(f"Themes: {themes}.")
    if meta.get("languages"):
        parts.append("Languages: " + ", ".join(meta["languages"]) + ".")
    return parts


def _document_facts(document: SourceDocument, themes: str, countries: str, sectors: str) -> list[str]:
    meta = document.meta
    label = {"pilot": "Pilot", "report": "Report", "tool": "Tool", "answer": "Community answer"}.get(
        document.kind, document.kind.title()
    )
    parts = [f"{label}: {document.title}."]
    if themes:
        parts.append(f"Themes: {themes}.")
    if countries:
        parts.append(f"Countries: {countries}.")
    if document.organisations:
        parts.append("Organisations: " + ", ".join(document.organisations) + (f" ({sectors})." if sectors else "."))
    if meta.get("status"):
        parts.append(f"Status: {meta['status']}.")
    if meta.get("tags"):
        parts.append("Tags: " + ", ".join(meta["tags"]) + ".")
    return parts


def sections(body: str) -> list[tuple[str | None, str]]:
    """(heading path, text) for each part of a Markdown body; sub-headings read "Results > Year one"."""
    found: list[tuple[str | None, str]] = []
    stack: list[tuple[int, str]] = []
    lines: list[str] = []
    in_code = False

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            found.append((" > ".join(title for _, title in stack) or None, text))
        lines.clear()

    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match:
            flush()
            level = len(match.group(1))
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, match.group(2).strip()[:120]))
        else:
            lines.append(line)
    flush()
    return found


def split_words(text: str, *, max_words: int = MAX_WORDS, overlap: int = OVERLAP_WORDS) -> list[str]:
    """Pieces of at most `max_words` words, cut between sentences where possible; consecutive pieces
    share about `overlap` words so a thought that straddles a cut is whole in one of them."""
    if len(text.split()) <= max_words:
        return [text.strip()]
    pieces: list[str] = []
    current: list[list[str]] = []
    for unit in _sentence_units(text, max_words):
        if current and sum(map(len, current)) + len(unit) > max_words:
            pieces.append(_joined(current))
            current = _carried(current, unit, max_words, overlap)
        current.append(unit)
    if current:
        pieces.append(_joined(current))
    return pieces


def _sentence_units(text: str, max_words: int) -> list[list[str]]:
    """The text's sentences as lists of words; a sentence longer than a whole piece is cut into word runs."""
    units: list[list[str]] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for sentence in _SENTENCE_END.split(paragraph.strip()):
            words = sentence.split()
            units.extend(words[start : start + max_words] for start in range(0, len(words), max_words))
    return units


def _carried(current: list[list[str]], unit: list[str], max_words: int, overlap: int) -> list[list[str]]:
    """The trailing sentences of a finished piece (up to `overlap` words) that start the next one, or the
    last sentence's last words when it alone is too long."""
    carried: list[list[str]] = []
    carried_size = 0
    for previous in reversed(current):
        if carried_size + len(previous) > overlap or carried_size + len(previous) + len(unit) > max_words:
            break
        carried.insert(0, previous)
        carried_size += len(previous)
    if not carried and overlap > 0:
        tail = current[-1][-overlap:]
        if len(tail) + len(unit) <= max_words and len(tail) < len(current[-1]):
            carried = [tail]
    return carried


def _joined(units: list[list[str]]) -> str:
    return " ".join(" ".join(u) for u in units)
