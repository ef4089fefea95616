"""A question as typed: free text plus filters (`country:DK`, `--theme obesity`, `since:2024`) and flags."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from config.errors import UserError
from config.vocabulary import require_country, require_sector, require_theme
from knowledge.records import KINDS
from knowledge.search import Filters

FILTER_NAMES = {
    "kind": "kind", "type": "kind",
    "theme": "theme", "topic": "theme",
    "country": "country",
    "sector": "sector",
    "since": "since", "from": "since", "after": "since",
    "until": "until", "to": "until", "before": "until",
}
FILTER_HELP = "Filters: kind:pilot|expert|report|tool, theme:obesity, country:DK, sector:hospital, since:2024, until:2025-06."
_KIND_ALIASES = {**{k: k for k in KINDS}, **{f"{k}s": k for k in KINDS}, "people": "expert", "person": "expert", "document": "report", "documents": "report"}
_INLINE = re.compile(r"^([a-z]+):(.+)$", re.IGNORECASE)


@dataclass
class Question:
    text: str
    filters: Filters
    flags: set[str] = field(default_factory=set)
    has_filters: bool = False  # the asker typed filters (a command's own fixed kind does not count)


def parse_question(args_text: str, *, flags: tuple[str, ...] = (), fixed_kind: str | None = None) -> Question:
    """Split the words after a command into question text, filters and flags (errors list valid values)."""
    words = args_text.split()
    text_words: list[str] = []
    values: dict[str, list[str]] = {}
    found_flags: set[str] = set()
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("--") and len(word) > 2:
            name, _, inline_value = word[2:].partition("=")
            name = name.lower()
            if name in flags:
                found_flags.add(name)
            elif name in FILTER_NAMES:
                value = inline_value
                if not value:
                    if i + 1 >= len(words):
                        raise UserError(f"`--{name}` needs a value.", hint=FILTER_HELP)
                    i += 1
                    value = words[i]
                values.setdefault(FILTER_NAMES[name], []).append(value)
            else:
                options = [f"--{f}" for f in flags] + [f"--{n}" for n in ("kind", "theme", "country", "sector", "since", "until")]
                raise UserError(f"I don't know the option `--{name[:30]}`.", hint="Valid options: " + ", ".join(options) + ".")
        else:
            inline = _INLINE.match(word)
            if inline and inline.group(1).lower() in FILTER_NAMES:
                values.setdefault(FILTER_NAMES[inline.group(1).lower()], []).append(inline.group(2))
            else:
                text_words.append(word)
        i += 1

    kinds = {_kind(v) for raw in values.get("kind", []) for v in _split(raw)}
    if fixed_kind is not None:
        if kinds and kinds != {fixed_kind}:
            raise UserError(f"This command only searches {fixed_kind}s; use `find` to search other kinds.")
        kinds = {fixed_kind}
    filters = Filters(
        kinds=frozenset(kinds),
        themes=frozenset(require_theme(v) for raw in values.get("theme", []) for v in _split(raw)),
        countries=frozenset(require_country(v, examples="country:DK, country:Sweden, country:KE") for raw in values.get("country", []) for v in _split(raw)),
        sectors=frozenset(require_sector(v) for raw in values.get("sector", []) for v in _split(raw)),
        since=_date(values["since"][-1], end=False) if values.get("since") else None,
        until=_date(values["until"][-1], end=True) if values.get("until") else None,
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise UserError("`since` is after `until`, so nothing can match.", hint="For example: since:2024 until:2025-06.")
    return Question(" ".join(text_words), filters, found_flags, has_filters=bool(values))


def _split(raw: str) -> list[str]:
    # "country:DK,SE" and multi-word values joined with "_" or "-" ("sector:large_company").
    return [part.strip().replace("_", " ") for part in raw.split(",") if part.strip()]


def _kind(value: str) -> str:
    kind = _KIND_ALIASES.get(value.lower())
    if kind is None:
        raise UserError(f"“{value[:30]}” is not a kind I know.", hint="Valid kinds: " + ", ".join(KINDS) + ".")
    return kind


def _date(value: str, *, end: bool) -> date:
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 12, 31) if end else date(int(text), 1, 1)
        if re.fullmatch(r"\d{4}-\d{1,2}", text):
            year, month = (int(p) for p in text.split("-"))
            return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(
            f"“{text[:30]}” is not a date.", hint="Use a year, a month or a day: since:2024, until:2025-06, since:2024-03-15."
        ) from None
