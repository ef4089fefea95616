"""Plain-text tables: a header and one line per row, columns padded to line up.

They line up in a terminal and in any monospace view, and still read row by row in a chat client's
proportional font; every platform renders plain text, so no adapter needs to know about tables.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_CELL_CHARS = 48
GAP = "  "


def _cell(value: object, *, last: bool) -> str:
    text = " ".join(str(value).split())  # a line break inside a cell would break the row
    return text if last or len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def text_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """`header` and `rows` as aligned columns; the last column is neither padded nor cut (it may be long)."""
    cells = [[_cell(value, last=i == len(row) - 1) for i, value in enumerate(row)] for row in [header, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header) - 1)]
    lines = []
    for row in cells:
        padded = [value.ljust(width) for value, width in zip(row, widths, strict=False)]
        lines.append(GAP.join([*padded, row[-1]]).rstrip())
    return "\n".join(lines)
