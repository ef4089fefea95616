"""A question as typed: free text plus filters (`country:DK`, `--theme obesity`, `since:2024`) and flags,
without the mentions it may contain."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from bot.sanitize import links_as_text, without_emoji_codes, without_mentions
from bot.search.errors import NoTopic
from bot.search.listing import KIND_ALIASES, listing_named
from config.errors import UserError
from config.vocabulary import QUOTES, require_country, require_sector, require_theme, unquoted
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
FILTER_HELP = (
    "Filters: kind:pilot|expert|report|tool, theme:obesity, country:DK, sector:hospital, since:2024, until:2025-06 "
    "(a pilot counts from its start to its end, or on while it runs; a report on its date); "
    'a value of several words in quotes or with _ between its words: country:"United Kingdom", country:United_Kingdom.'
)
# The filters of a command that searches one kind: `pilots` takes no kind, `experts` neither kind nor dates.
_FILTERS_OF_KIND = {
    "pilot": ("theme:obesity", "country:DK", "sector:hospital", "since:2024", "until:2025-06"),
    "expert": ("theme:obesity", "country:DK", "sector:hospital"),
}


def filter_help(fixed_kind: str | None = None, flags: tuple[str, ...] = ()) -> str:
    """The filters (and flags) a command takes, for its hints: all of them for `find`."""
    if fixed_kind not in _FILTERS_OF_KIND:
        return FILTER_HELP
    taken = ", ".join([*_FILTERS_OF_KIND[fixed_kind], *(f"--{flag}" for flag in flags)])
    return f"Filters: {taken}; {FILTER_HELP.split('; ', 1)[1]}"


def _option_names(fixed_kind: str | None) -> tuple[str, ...]:
    if fixed_kind not in _FILTERS_OF_KIND:
        return ("kind", "theme", "country", "sector", "since", "until")
    return tuple(example.split(":")[0] for example in _FILTERS_OF_KIND[fixed_kind])
SEVERAL_WORDS = 'A name of several words goes in quotes or with _ between its words: country:"United Kingdom", country:United_Kingdom.'
_INLINE = re.compile(r"^([a-z]+):(.+)$", re.IGNORECASE)
# A filter typed with a space before its value (`country: Denmark`): only the filters' own names, since the
# aliases begin sentences too ("from: a nurse", "topic: school meals").
_SPACED = re.compile(r"^(kind|theme|country|sector|since|until):$", re.IGNORECASE)


@dataclass
class Question:
    text: str
    filters: Filters
    flags: set[str] = field(default_factory=set)
    has_filters: bool = False  # the asker typed filters (a command's own fixed kind does not count)
    listing_only: bool = False  # the question named only what to list (`pilots in Sweden`): read as filters

    @property
    def lists(self) -> bool:
        """Whether there are filters to list by, with no question to search: typed, or named in words."""
        return not self.text.strip() and (self.has_filters or self.listing_only)

    @property
    def named_listing(self) -> bool:
        """Whether the filters are only those the question named in words (`latest reports`)."""
        return self.listing_only and not self.has_filters


def parse_question(args_text: str, *, flags: tuple[str, ...] = (), fixed_kind: str | None = None) -> Question:
    """Split the words after a command into question text, filters and flags (errors list valid values).

    Mentions (`@channel`, `<!here>`, `<@U123>`, `@ana`) are no part of the question: they are left out of
    what is searched, and so of what the answer echoes and its "Ask the community" button carries; nor are
    emoji written as codes (Slack's `:pizza:`, Discord's `<:party:123>`), nor a link's address (its text
    stays)."""
    spoken = without_mentions(links_as_text(args_text))
    without_codes = without_emoji_codes(spoken)
    typed = _scan(_words(without_codes), flags, fixed_kind)
    if without_codes != spoken and not typed.text_words and not typed.values:
        raise NoTopic()  # only emoji: a question, with no word to search by
    has_filters = bool(typed.values)
    named = listing_named(" ".join(typed.text_words), fixed_kind)
    if named is not None:
        typed.text_words = []
        for country in named.countries:
            typed.add("country", country)
        for kind in named.kinds:
            typed.add("kind", kind)
    filters = _filters(typed.values, _kinds(typed.values, fixed_kind))
    if filters.since and filters.until and filters.since > filters.until:
        raise UserError("`since` is after `until`, so nothing can match.", hint="For example: since:2024 until:2025-06.")
    return Question(" ".join(typed.text_words), filters, typed.flags, has_filters=has_filters, listing_only=named is not None)


# What may come before a quoted filter value: `country:"United Kingdom"`, `--country="United Kingdom"`.
_VALUE_PREFIX = re.compile(r"(?:[a-z]+:|--[a-z-]+=)?", re.IGNORECASE)


def _words(text: str) -> list[str]:
    """`text` split at whitespace, except that a quoted filter value stays one word with its filter
    (`country:"United Kingdom"`, `--country 'United Kingdom'`), quotes and all: `_split` takes them off."""
    words: list[str] = []
    at = 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        after_option = bool(words) and (words[-1].startswith("--") and "=" not in words[-1] or bool(_SPACED.match(words[-1])))
        end = _word_end(text, at, after_option=after_option)
        words.append(text[at:end])
        at = end
    return words


def _word_end(text: str, start: int, *, after_option: bool) -> int:
    """Where the word at `start` ends: at the next whitespace, or, for a filter value in quotes that close,
    at the first whitespace after the closing quote."""
    prefix = _VALUE_PREFIX.match(text, start).end()
    if (prefix > start or after_option) and prefix < len(text) and text[prefix] in QUOTES:
        closing = text.find(QUOTES[text[prefix]], prefix + 1)
        if closing != -1:
            start = closing
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    return end


@dataclass
class _Typed:
    """The words of a question sorted: free text, filter values by filter name, flags."""

    text_words: list[str] = field(default_factory=list)
    values: dict[str, list[str]] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def add(self, name: str, value: str) -> None:
        self.values.setdefault(FILTER_NAMES[name.lower()], []).append(value)


def _scan(words: list[str], flags: tuple[str, ...], fixed_kind: str | None) -> _Typed:
    typed = _Typed()
    rest = iter(words)  # shared with _read_option: `--theme obesity` takes the next word as its value
    for word in rest:
        inline = _INLINE.match(word)
        if word.startswith("--") and len(word) > 2:
            _read_option(word[2:], rest, flags, fixed_kind, typed)
        elif inline and inline.group(1).lower() in FILTER_NAMES:
            typed.add(inline.group(1), inline.group(2))
        elif spaced := _SPACED.match(word):
            value = next(rest, "")
            if not value or value.startswith("--"):  # the next option is no value ("theme: --country DK")
                raise UserError(f"`{word.lower()}` needs a value.", hint=filter_help(fixed_kind, flags))
            typed.add(spaced.group(1), value)
        else:
            typed.text_words.append(word)
    return typed


def _read_option(option: str, rest: Iterator[str], flags: tuple[str, ...], fixed_kind: str | None, typed: _Typed) -> None:
    name, _, value = option.partition("=")
    name = name.lower()
    if name in flags:
        typed.flags.add(name)
        return
    if name not in FILTER_NAMES:
        options = [f"--{f}" for f in flags] + [f"--{n}" for n in _option_names(fixed_kind)]
        raise UserError(f"I don't know the option `--{name[:30]}`.", hint="Valid options: " + ", ".join(options) + ".")
    if not value:
        value = next(rest, "")
        if not value or value.startswith("--"):  # `--theme --country DK`: the next option is no value
            raise UserError(f"`--{name}` needs a value.", hint=filter_help(fixed_kind, flags))
    typed.add(name, value)


def _each(values: dict[str, list[str]], name: str) -> list[str]:
    """Every value given for the filter `name`, comma-separated lists split."""
    return [value for raw in values.get(name, []) for value in _split(raw)]


def _kinds(values: dict[str, list[str]], fixed_kind: str | None) -> set[str]:
    kinds = {_kind(value) for value in _each(values, "kind")}
    if fixed_kind is None:
        return kinds
    if kinds and kinds != {fixed_kind}:
        raise UserError(f"This command only searches {fixed_kind}s; use `find` to search other kinds.")
    return {fixed_kind}


def _filters(values: dict[str, list[str]], kinds: set[str]) -> Filters:
    return Filters(
        kinds=frozenset(kinds),
        themes=frozenset(require_theme(value) for value in _each(values, "theme")),
        countries=frozenset(
            require_country(value, examples="country:Denmark, country:Sverige, country:DK, country:SWE", more=SEVERAL_WORDS)
            for value in _each(values, "country")
        ),
        sectors=frozenset(require_sector(value) for value in _each(values, "sector")),
        since=_date(values["since"][-1], end=False) if values.get("since") else None,
        until=_date(values["until"][-1], end=True) if values.get("until") else None,
    )


# One value of a comma-separated list: quoted parts may hold commas (`country:"Korea, Republic of",DK`).
_LIST_PART = re.compile("(?:" + "|".join(f"{re.escape(o)}[^{re.escape(c)}]*{re.escape(c)}" for o, c in QUOTES.items()) + "|[^,])+")


def _split(raw: str) -> list[str]:
    # "country:DK,SE", multi-word values in quotes ('country:"United Kingdom"') or joined with "_" or "-"
    # ("sector:large_company", "country:United_Kingdom").
    parts = (unquoted(part).replace("_", " ").strip() for part in _LIST_PART.findall(raw))
    return [part for part in parts if part]


def _kind(value: str) -> str:
    kind = KIND_ALIASES.get(value.lower())
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


# A word that only leads into a topic after a command (`pilots for telepsychiatry`, `experts on literacy`).
_LEAD_INS = frozenset("for on about in with of regarding around".split())


def topic_words(question: str) -> str:
    """The question as an answer quotes it: without a leading "for", "on" or "about" before its topic."""
    first, _, rest = question.strip().partition(" ")
    return rest.strip() if first.lower() in _LEAD_INS and rest.strip() else question
