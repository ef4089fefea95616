"""Reading a knowledge folder: Markdown with YAML front matter, YAML, JSON and CSV files.

Every file becomes zero or more `SourceDocument`s (pilots, expert profiles, reports, tools) and, for
organisation lists, `SourceOrganisation`s. A problem is reported as a `SourceError` naming the file (and
the item, for files that hold several) and the reason; the rest of the folder is still read.

Files come from whoever maintains the folder, so reading one is bounded (`ReadLimits`): its size, how
deeply its YAML or JSON nests, how many values it holds once YAML aliases are expanded (a "billion
laughs" file is refused while it is being read, before it takes any memory), and the length of one CSV
field. A file over a limit is skipped with the limit it broke; it never stops the rest of the folder.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.records import (
    LIST_FIELDS,
    SourceDocument,
    SourceError,
    SourceOrganisation,
    parse_document,
    parse_organisation,
)

SUFFIXES = {".md", ".markdown", ".yaml", ".yml", ".json", ".csv"}
# Keys of structured records that are prose, in the order they are joined into the body.
PROSE_FIELDS = ("summary", "description", "abstract", "text", "body", "findings", "recommendations")

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class ReadLimits:
    """What one knowledge file may hold; a file over any limit is skipped with the reason."""

    max_file_bytes: int = 10 * MEGABYTE  # LIGHTHOUSE_INGEST_MAX_FILE_MB
    # Levels of lists and mappings in a YAML or JSON file (records need 3 or 4).
    max_depth: int = 32
    # Values (scalars, lists, mappings) in one YAML or JSON file, counting every expansion of a YAML alias.
    max_values: int = 200_000
    max_csv_field_chars: int = 1_000_000
    # Passages of one document (about 130 new words each): 2,000 is a book of some 260,000 words. A file
    # within the size limit that is one long run of text would otherwise hold the ingest for an hour of
    # embedding (a 9 MB file of one repeated word is 7,500 passages) and flood every search with itself.
    max_passages: int = 2_000
    # Passages to embed from one file, all its documents together: a CSV of 150,000 one-line records (9.5 MB)
    # would otherwise take hours to store.
    max_file_passages: int = 5_000

    @classmethod
    def with_max_file_mb(cls, megabytes: float) -> ReadLimits:
        return cls(max_file_bytes=int(megabytes * MEGABYTE))


DEFAULT_LIMITS = ReadLimits()

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass
class FileContent:
    documents: list[SourceDocument] = field(default_factory=list)
    organisations: list[SourceOrganisation] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)


def source_files(root: Path) -> Iterator[Path]:
    """Files to ingest under `root` (or `root` itself), in a stable order; hidden files and README are skipped."""
    if root.is_file():
        yield root
        return
    yield from (path for path in sorted(root.rglob("*")) if _is_source_file(path, root))


def _is_source_file(path: Path, root: Path) -> bool:
    """A knowledge file: not hidden (no part of its path under `root` starts with "." or "_"), of a kind
    ingest reads, and not a README."""
    if any(part.startswith((".", "_")) for part in path.relative_to(root).parts):
        return False
    return path.is_file() and path.suffix.lower() in SUFFIXES and path.stem.lower() != "readme"


def path_text(path: Path | str) -> str:
    """`path` as text any database takes: the bytes of a file name that are not UTF-8 (a name written on
    a Latin-1 system, say) as `\\xe9`, where Python holds them as lone surrogates that no database stores.
    The same name gives the same text every time, so its documents are found unchanged by the next ingest."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_inside(path: Path, root: Path) -> bool:
    """Whether `path`, with every symbolic link followed, is `root` or lies under it."""
    real, real_root = path.resolve(), root.resolve()
    return real == real_root or real_root in real.parents


def read_file(path: Path, relative: str, limits: ReadLimits = DEFAULT_LIMITS) -> FileContent:
    """Everything one file holds. Never raises for bad content: problems come back in `errors`."""
    try:
        with path.open("rb") as file:
            raw = file.read(limits.max_file_bytes + 1)  # never more than the limit, whatever the file claims
    except OSError as exc:
        return FileContent(errors=[SourceError(relative, f"cannot be read ({exc.strerror or exc})")])
    if len(raw) > limits.max_file_bytes:
        size = max(_file_size(path), len(raw))
        return FileContent(errors=[SourceError(
            relative,
            f"skipped: larger than the {limits.max_file_bytes / MEGABYTE:g} MB limit for one file "
            f"(LIGHTHOUSE_INGEST_MAX_FILE_MB): {size:,} bytes",
        )])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return FileContent(errors=[SourceError(relative, "not UTF-8 text")])
    del raw
    suffix = path.suffix.lower()
    try:
        if suffix in {".md", ".markdown"}:
            return FileContent(documents=[_markdown_document(text, relative, limits)])
        records = _records(text, suffix, limits)
    except SourceError as exc:
        exc.path = relative
        return FileContent(errors=[SourceError(relative, exc.reason, exc.item)])
    return _records_content(records, relative)


def _records(text: str, suffix: str, limits: ReadLimits) -> list[Any]:
    """The records of a YAML, JSON or (any other suffix) CSV file."""
    if suffix in {".yaml", ".yml"}:
        return _yaml_records(text, limits)
    if suffix == ".json":
        return _json_records(text, limits)
    return _csv_records(text, limits)


# --- Markdown ------------------------------------------------------------------------------------------


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _markdown_document(text: str, relative: str, limits: ReadLimits = DEFAULT_LIMITS) -> SourceDocument:
    match = _FRONT_MATTER.match(text)
    if not match:
        raise SourceError(relative, "no YAML front matter (a '---' block with at least `kind`) at the top")
    # One blank line for the opening "---": a problem's line number is then the file's.
    front = _front_matter("\n" + match.group(1), relative, limits)
    body = text[match.end():].strip()
    heading = _H1.search(body)
    if heading and not (front.get("title") or front.get("name")):
        front["title"] = heading.group(1)
    if heading and body[: heading.start()].strip() == "":
        body = body[heading.end():].strip()  # the title is stored apart; don't index it twice as a heading
    return parse_document(front, body, relative, None)


def _front_matter(text: str, relative: str, limits: ReadLimits) -> dict[str, Any]:
    from knowledge.yaml_reading import load_yaml, yaml_problem  # PyYAML: only where a file is read

    front = _parsed(
        lambda: load_yaml(text, limits), limits, "front matter is not valid YAML", yaml_problem, over="its front matter"
    ) or {}
    if not isinstance(front, dict):
        raise SourceError(relative, "front matter must be a mapping of `key: value` lines")
    return front


def _parsed(
    parse: Callable[[], Any], limits: ReadLimits, invalid: str, problem: Callable[[Exception], str] = str,
    over: str = "it",
) -> Any:
    """What `parse` makes of one file's content. Whatever the parser raises is that file's problem,
    `invalid (problem(error))`: parsers raise more than their own errors on bad content (json a ValueError
    for an integer of 5,000 digits), and one file must never stop the rest of the folder. Content over
    `limits` is skipped, `over` naming what is over them."""
    try:
        return parse()
    except SourceError:
        raise
    except _OverLimit as exc:
        raise SourceError("", f"skipped: {over} {exc.reason}") from None
    except RecursionError:  # nested deeper than the parser goes: far over the limit
        raise SourceError("", f"skipped: {over} {_too_deep(limits).reason}") from None
    except Exception as exc:  # noqa: BLE001 - only the parser runs here: anything it raises is the content's fault
        raise SourceError("", f"{invalid} ({problem(exc) or exc.__class__.__name__})") from None


class _OverLimit(Exception):
    """A YAML or JSON file over one of the `ReadLimits`, found while it was being read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _too_deep(limits: ReadLimits) -> _OverLimit:
    return _OverLimit(f"is nested more than {limits.max_depth} levels deep")


def _too_many(limits: ReadLimits) -> _OverLimit:
    return _OverLimit(
        f"holds more than {limits.max_values:,} values once its aliases are expanded "
        "(an alias bomb such as “billion laughs”?)"
    )


def _check_shape(data: Any, limits: ReadLimits) -> None:
    """Depth and number of values of parsed JSON, walked without recursion."""
    values = 0
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        values += 1
        if values > limits.max_values:
            raise _too_many(limits)
        if depth > limits.max_depth:
            raise _too_deep(limits)
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


# --- YAML, JSON, CSV -----------------------------------------------------------------------------------


def _yaml_records(text: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Any]:
    from knowledge.yaml_reading import load_yaml, yaml_problem

    return _as_record_list(_parsed(lambda: load_yaml(text, limits), limits, "not valid YAML", yaml_problem))


def _json_records(text: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[Any]:
    def load() -> Any:
        data = json.loads(text)
        _check_shape(data, limits)
        return data

    return _as_record_list(_parsed(load, limits, "not valid JSON", _json_problem))


def _json_problem(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}"
    return str(exc)


def _as_record_list(data: Any) -> list[Any]:
    if data is None:
        return []
    if isinstance(data, dict):
        return _dict_records(data)
    if isinstance(data, list):
        return data
    raise SourceError("", "expected a list of records (or one record)")


def _dict_records(data: dict) -> list[Any]:
    # A single record, or {"documents": [...]} / {"organisations": [...]}.
    lists = [value for key, value in data.items() if isinstance(value, list) and key != "kind" and key not in LIST_FIELDS]
    if "kind" not in data and len(lists) == 1:
        return lists[0]
    return [data]


def _csv_records(text: str, limits: ReadLimits = DEFAULT_LIMITS) -> list[dict[str, Any]]:
    return _parsed(lambda: _read_csv(text, limits), limits, "not valid CSV")


def _read_csv(text: str, limits: ReadLimits) -> list[dict[str, Any]]:
    # The csv module's limit is process-wide; every read sets it to this file's limit.
    csv.field_size_limit(limits.max_csv_field_chars)
    records = []
    # Strict: a quote that is never closed is an error, not a field that swallows the rest of the file
    # (every later row lost inside one record's value, without a word).
    reader = csv.DictReader(io.StringIO(text), strict=True)
    row_start = 1
    try:
        if not reader.fieldnames:
            return []
        row_start = reader.line_num + 1
        for row in reader:
            if None in row:
                raise SourceError("", f"row {reader.line_num} has more values than the header has columns")
            record = _csv_record(row)
            if record:
                records.append(record)
            row_start = reader.line_num + 1
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise SourceError("", f"skipped: a field is longer than {limits.max_csv_field_chars:,} characters") from None
        if "unexpected end of data" in str(exc):
            raise SourceError("", f"not valid CSV (a quote in the row on line {row_start} is never closed)") from None
        if "expected after" in str(exc):
            raise SourceError("", (
                f"not valid CSV (in the row on line {row_start}, a quoted value goes on after its closing quote; "
                'a quote inside a quoted value is written twice: "")'
            )) from None
        raise SourceError("", f"not valid CSV ({exc} in the row on line {row_start})") from None
    return records


def _csv_record(row: dict[str | None, Any]) -> dict[str, Any]:
    """A row's filled columns; list columns split at ";"."""
    record: dict[str, Any] = {}
    for key, value in row.items():
        key = (key or "").strip()
        value = (value or "").strip()
        if not key or value == "":
            continue
        record[key] = _list_cell(value) if key in LIST_FIELDS else value
    return record


def _list_cell(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _records_content(records: list[Any], relative: str) -> FileContent:
    content = FileContent()
    for number, record in enumerate(records, start=1):
        try:
            _add_record(content, record, relative, number)
        except SourceError as exc:
            content.errors.append(SourceError(relative, exc.reason, number))
    return content


def _add_record(content: FileContent, record: object, relative: str, number: int) -> None:
    """One record as an organisation (a name and no kind) or a document, added to `content`."""
    if not isinstance(record, dict):
        raise SourceError(relative, "is not a mapping of fields", number)
    if "kind" not in record and "name" in record:
        content.organisations.append(parse_organisation(record, relative, number))
    else:
        body = "\n\n".join(str(record[key]).strip() for key in PROSE_FIELDS if record.get(key))
        content.documents.append(parse_document(record, body, relative, number))
