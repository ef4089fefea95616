"""Numbers members type: row ids (`event show 12`, `intro accept #7`) and small counts, read the same way by
every command. Only ASCII digits count (`str.isdigit` also accepts "²", which `int()` cannot read), and an id
beyond what the database's integer holds names no row, so it is "there is no …" rather than a failure."""

from __future__ import annotations

from config.errors import UserError

MAX_ROW_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is larger, but no row gets such an id


def is_plain_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts "²" and other digits `int()` cannot read."""
    return text.isascii() and text.isdigit()


def parse_id(text: str | None, *, what: str, example: str, listing: str) -> int:
    """The id in `12` or `#12`. Anything else is a UserError asking for the number (`example` shows the
    command, `listing` where to find ids); an id no row can have is "There is no <what> #<id>"."""
    raw = (text or "").strip().removeprefix("#")
    if not is_plain_number(raw):
        shown = f"“{text[:20]}” is not {_article(what)} {what} number." if text else f"Which {what}? Give its number."
        raise UserError(shown, hint=f"For example `{example}`; {listing}")
    number = int(raw)
    if not 1 <= number <= MAX_ROW_ID:
        raise UserError(f"There is no {what} #{raw[:20]}.", hint=listing[:1].upper() + listing[1:])
    return number


def parse_count(text: str | None) -> int | None:
    """A whole number typed in ASCII digits (at most 9 of them), or None."""
    raw = (text or "").strip()
    return int(raw) if is_plain_number(raw) and len(raw) <= 9 else None


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"
