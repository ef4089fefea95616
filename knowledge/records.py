"""One record of a knowledge file (a Markdown file's front matter, or an item of a YAML, JSON or CSV file)
checked and turned into a `SourceDocument` or a `SourceOrganisation`.

Each kind of document has one model (`KIND_MODELS`): `DocumentRecord` holds the rules every kind shares
(title, id, themes, countries, sectors, organisations, date, facts, url), which is all a pilot, a report
or a tool needs; `ExpertRecord` adds a person's own (their name is the title, one organisation, sector and
country, a job title and the member they are). A field that breaks a rule is reported as a `SourceError`
naming the file, the item and the reason; the first broken rule, in the order of the fields above, is
the one reported.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from config.settings import PLATFORMS
from config.vocabulary import SECTORS, THEMES, parse_country, parse_sector, parse_theme

KINDS: dict[str, str] = {"pilot": "Pilot", "expert": "Expert", "report": "Report", "tool": "Tool"}
# List-valued fields; in CSV files their values are separated by ";".
LIST_FIELDS = {
    "themes", "countries", "sectors", "organisations", "tags", "expertise", "languages", "pilots", "partners",
}
MAX_TITLE_CHARS = 300
MAX_ID_CHARS = 200
# Facts kept as they are written (dates checked), whatever the kind: status, contact, tags, start, end
# describe pilots; expertise, languages, pilots describe experts.
FACT_FIELDS = ("status", "contact", "tags", "expertise", "languages", "pilots", "start", "end")
DATE_FACTS = {"start", "end"}

_SLUG = re.compile(r"[^a-z0-9]+")
_DATE_FORMATS = ((r"\d{4}-\d{2}-\d{2}", ""), (r"\d{4}-\d{2}", "-01"), (r"\d{4}", "-01-01"))


class SourceError(Exception):
    """A file (or one item of it) that cannot be read, with the reason in plain words."""

    def __init__(self, path: str, reason: str, item: int | None = None) -> None:
        self.path = path
        self.reason = reason
        self.item = item
        where = f"{path} (item {item})" if item is not None else path
        super().__init__(f"{where}: {reason}")


@dataclass
class SourceDocument:
    source_id: str
    source_path: str  # relative to the ingested folder, with "/" separators
    kind: str
    title: str
    body: str  # Markdown text (headings are kept: chunking follows them)
    url: str | None = None
    themes: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    published_on: date | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self, salt: str = "") -> str:
        """Content hash of everything that ends up in the database; `salt` adds e.g. the model name."""
        payload = json.dumps(
            {
                "id": self.source_id, "path": self.source_path, "kind": self.kind, "title": self.title,
                "body": self.body, "url": self.url, "themes": self.themes, "countries": self.countries,
                "sectors": self.sectors, "organisations": self.organisations,
                "published_on": self.published_on.isoformat() if self.published_on else None,
                "meta": self.meta, "salt": salt,
            },
            sort_keys=True, ensure_ascii=False, default=str,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class SourceOrganisation:
    name: str
    sector: str | None = None
    country: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Fields:
    """A record's raw fields, read with the shared vocabulary; problems name where the record is."""

    raw: dict[str, Any]
    path: str
    item: int | None

    def error(self, reason: str) -> SourceError:
        return SourceError(self.path, reason, self.item)

    def has(self, key: str) -> bool:
        return bool(self.raw.get(key))

    def words(self, key: str) -> str:
        """The field as one line of text, spaces collapsed."""
        return " ".join(str(self.raw.get(key) or "").split())

    def text(self, key: str) -> str:
        return str(self.raw[key]).strip()

    def values(self, key: str) -> list[Any]:
        return as_list(self.raw.get(key))

    def themes(self) -> list[str]:
        return unique([self.theme(raw) for raw in self.values("themes")])

    def theme(self, value: Any) -> str:
        theme = parse_theme(str(value))
        if theme is None:
            raise self.error(f"unknown theme “{str(value)[:40]}”; use one of {', '.join(THEMES)}")
        return theme

    def country(self, value: Any) -> str:
        code = parse_country(str(value))
        if code is None:
            raise self.error(f"“{str(value)[:40]}” is not an ISO 3166 country name or code")
        return code

    def sector(self, value: Any) -> str:
        sector = parse_sector(str(value))
        if sector is None:
            raise self.error(f"unknown sector “{str(value)[:40]}”; use one of {', '.join(SECTORS)}")
        return sector

    def date(self, value: Any, name: str) -> date | None:
        if value in (None, ""):
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        parsed = _parsed_date(text)
        if parsed is None:
            raise self.error(f"{name} “{text[:30]}” is not a date (use YYYY-MM-DD)")
        return parsed

    def path_id(self) -> str:
        stem = _SLUG.sub("-", self.path.rsplit(".", 1)[0].lower()).strip("-")
        return f"{stem}-{self.item}" if self.item is not None else stem


@dataclass
class DocumentRecord:
    """A pilot, report or tool: the rules every kind of document shares."""

    kind: str
    source_id: str
    title: str
    themes: list[str]
    countries: list[str]
    sectors: list[str]
    organisations: list[str]
    published_on: date | None
    meta: dict[str, Any]
    url: str | None

    title_fields: ClassVar[tuple[str, ...]] = ("title", "name")

    @classmethod
    def read(cls, kind: str, fields: Fields) -> DocumentRecord:
        title = cls._title(fields)
        source_id = _source_id(fields)
        themes = fields.themes()
        countries = [fields.country(value) for value in fields.values("countries")]
        sectors = [fields.sector(value) for value in fields.values("sectors")]
        organisations = [" ".join(str(value).split()) for value in fields.values("organisations") if str(value).strip()]
        record = cls(
            kind=kind, source_id=source_id, title=title, themes=themes, countries=countries, sectors=sectors,
            organisations=organisations, published_on=None, meta={}, url=None,
        )
        record._read_own(fields)
        record.published_on = fields.date(fields.raw.get("date") or fields.raw.get("published") or fields.raw.get("start"), "date")
        record.meta.update(_facts(fields))
        record.url = fields.text("url") if fields.has("url") else None
        return record

    @classmethod
    def _title(cls, fields: Fields) -> str:
        title = next((fields.words(key) for key in cls.title_fields if fields.has(key)), "")
        if not title:
            raise fields.error("no title (or name)")
        if len(title) > MAX_TITLE_CHARS:
            raise fields.error(f"the title is {len(title)} characters; the limit is {MAX_TITLE_CHARS}")
        return title

    def _read_own(self, fields: Fields) -> None:
        """The kind's own fields (none for pilots, reports and tools)."""

    def document(self, path: str, body: str) -> SourceDocument:
        return SourceDocument(
            source_id=self.source_id, source_path=path, kind=self.kind, title=self.title, body=body.strip(),
            url=self.url, themes=self.themes, countries=unique(self.countries), sectors=unique(self.sectors),
            organisations=unique(self.organisations), published_on=self.published_on, meta=self.meta,
        )


@dataclass
class ExpertRecord(DocumentRecord):
    """A person's profile: their name is the title, and the one organisation, sector and country it names
    double as the document's facets; their job title and the member they are (`member:`) are kept."""

    title_fields: ClassVar[tuple[str, ...]] = ("name", "title")

    def _read_own(self, fields: Fields) -> None:
        self._read_facets(fields)
        for field_name, key in (("title", "job_title"), ("member", "member")):
            if fields.has(field_name):
                self.meta[key] = fields.text(field_name)
        if "member" in self.meta:
            _check_member(fields, self.meta["member"])

    def _read_facets(self, fields: Fields) -> None:
        """The one organisation, sector and country, where the plural fields named none."""
        if fields.has("organisation"):
            self.organisations = self.organisations or [fields.words("organisation")]
        if fields.has("sector"):
            self.sectors = self.sectors or [fields.sector(fields.raw["sector"])]
        if fields.has("country"):
            self.countries = self.countries or [fields.country(fields.raw["country"])]


def _check_member(fields: Fields, member: str) -> None:
    """`member:` names a chat account as platform:user-id (`slack:U012AB3CD`, `console:anna-holm`)."""
    platform, _, user_id = member.partition(":")
    if platform.strip().lower() not in PLATFORMS or not user_id.strip():
        raise fields.error(
            f"member “{member[:60]}” should look like platform:user-id, with platform one of {', '.join(PLATFORMS)}"
            " (for example slack:U012AB3CD)"
        )


KIND_MODELS: dict[str, type[DocumentRecord]] = {
    "pilot": DocumentRecord, "expert": ExpertRecord, "report": DocumentRecord, "tool": DocumentRecord,
}


def parse_document(raw: dict[str, Any], body: str, path: str, item: int | None) -> SourceDocument:
    """A document from its fields and its Markdown body (SourceError when a field breaks a rule)."""
    fields = Fields(raw, path, item)
    kind = str(raw.get("kind") or "").strip().lower()
    if kind not in KIND_MODELS:
        shown = f"“{kind[:30]}”" if kind else "missing"
        raise fields.error(f"kind is {shown}; use one of {', '.join(KINDS)}")
    return KIND_MODELS[kind].read(kind, fields).document(path, body)


def parse_organisation(raw: dict[str, Any], path: str, item: int) -> SourceOrganisation:
    fields = Fields(raw, path, item)
    name = fields.words("name")
    if not name:
        raise fields.error("organisation without a name")
    sector = fields.sector(raw["sector"]) if fields.has("sector") else None
    country = fields.country(raw["country"]) if fields.has("country") else None
    description = fields.text("description") if fields.has("description") else None
    return SourceOrganisation(name=name[:200], sector=sector, country=country, description=description)


def _source_id(fields: Fields) -> str:
    source_id = str(fields.raw.get("id") or "").strip() or fields.path_id()
    if len(source_id) > MAX_ID_CHARS:
        raise fields.error(f"the id is longer than {MAX_ID_CHARS} characters")
    return source_id


def _parsed_date(text: str) -> date | None:
    """`text` as a date when it has one of the date formats (a year or a month means its first day)."""
    for pattern, fill in _DATE_FORMATS:
        if re.fullmatch(pattern, text):
            try:
                return date.fromisoformat(text + fill)
            except ValueError:
                return None
    return None


def _facts(fields: Fields) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    for key in FACT_FIELDS:
        value = fields.raw.get(key)
        if value in (None, "", []):
            continue
        facts[key] = _fact(fields, key, value)
    return facts


def _fact(fields: Fields, key: str, value: Any) -> object:
    """One fact as stored: a date as YYYY-MM-DD, a list field as its items, anything else as text."""
    if key in DATE_FACTS:
        parsed = fields.date(value, key)
        return parsed.isoformat() if parsed else None
    if key in LIST_FIELDS:
        return [str(v).strip() for v in as_list(value) if str(v).strip()]
    return str(value).strip()


def as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]
    return [value]


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
