"""Small SVG charts drawn in Python, so a report page needs no script and no network to show them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

SERIES_COLOURS = ("#1f6fb2", "#d9730d", "#2f9e44", "#ae3ec9", "#c92a2a", "#5c7cfa")
# One colour per sector, told apart at a glance: every two of them (and the grey of an unknown sector) are at
# least 30 apart in CIELAB (ΔE*76; a just-noticeable difference is about 2), checked by the tests.
SECTOR_COLOURS = {
    "municipality": "#1f77b4",  # blue
    "region": "#009e73",  # bluish green
    "hospital": "#d62728",  # red
    "research": "#2ca02c",  # green
    "sme": "#ff7f0e",  # orange
    "large_company": "#9467bd",  # purple
    "digital_developer": "#bcbd22",  # olive
    "patient_organisation": "#ff9da7",  # pink
    "other": "#8c564b",  # brown
}
UNKNOWN_COLOUR = "#adb5bd"


def axis(highest: float, *, whole: bool) -> tuple[float, float]:
    """(top, step) for a value axis from 0: at most five steps of 1, 2, 2.5 or 5 times a power of ten."""
    if highest <= 0:
        return 1.0, 1.0
    power = 10 ** math.floor(math.log10(highest / 5))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * power
        if whole and not float(step).is_integer():
            continue
        if highest <= 5 * step:
            break
    step = max(step, 1.0) if whole else step
    return step * math.ceil(highest / step - 1e-9), step


def _number(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.0f}%"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


@dataclass(frozen=True)
class _Plot:
    """Where a line chart's values are drawn: `count` periods across, 0 to `top_value` upwards."""

    left: int
    top: int
    width: int
    height: int
    count: int
    top_value: float

    def x(self, index: int) -> float:
        return self.left + (self.width / 2 if self.count == 1 else self.width * index / (self.count - 1))

    def y(self, value: float) -> float:
        return self.top + self.height * (1 - value / self.top_value)


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | int | None]]],
    *,
    percent: bool = False,
    whole: bool = True,
    y_max: float | None = None,
    width: int = 720,
    height: int = 260,
) -> str:
    """A trend chart: one line per series over the period labels; gaps where a value is undefined."""
    left, right, top, bottom = 56, 44, 16, 44
    values = [v for _, points in series for v in points if v is not None]
    top_value, step = axis(y_max if y_max is not None else max(values, default=0), whole=whole)
    plot = _Plot(left, top, width - left - right, height - top - bottom, len(labels), top_value)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
        *_grid(plot, step, width - right, percent),
        *_period_labels(plot, labels, height - bottom + 18),
    ]
    for number, (name, points) in enumerate(series):
        parts.extend(_series_marks(plot, name, points, labels, SERIES_COLOURS[number % len(SERIES_COLOURS)], percent))
    parts.append("</svg>")
    legend = "".join(
        f'<span class="key"><span class="swatch" style="background:{SERIES_COLOURS[n % len(SERIES_COLOURS)]}">'
        f"</span>{escape(name)}</span>"
        for n, (name, _) in enumerate(series)
    )
    caption = f"<figcaption>{escape(title)}</figcaption>"
    return f'<figure>{caption}{"".join(parts)}<div class="legend">{legend}</div></figure>'


def _grid(plot: _Plot, step: float, grid_right: int, percent: bool) -> list[str]:
    """A horizontal line and a value at every step of the axis."""
    parts: list[str] = []
    left, y = plot.left, plot.y
    for tick in range(round(plot.top_value / step) + 1):
        value = step * tick
        parts.append(f'<line x1="{left}" x2="{grid_right}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" class="tick">'
                     f"{_number(value, percent)}</text>")
    return parts


def _period_labels(plot: _Plot, labels: Sequence[str], label_y: int) -> list[str]:
    """At most about twelve period labels along the bottom, always the last one."""
    count = plot.count
    every = max(1, math.ceil(count / 12))
    return [
        f'<text x="{plot.x(index):.1f}" y="{label_y}" text-anchor="middle" class="tick">{escape(label)}</text>'
        for index, label in enumerate(labels)
        if index % every == 0 or index == count - 1
    ]


def _series_marks(
    plot: _Plot,
    name: str,
    points: Sequence[float | int | None],
    labels: Sequence[str],
    colour: str,
    percent: bool,
) -> list[str]:
    """One series: a line through each run of defined values, and a dot with its value at each of them."""
    x, y = plot.x, plot.y
    parts: list[str] = []
    run: list[str] = []
    for index, value in enumerate([*points, None]):
        if value is not None:
            run.append(f"{x(index):.1f},{y(value):.1f}")
            continue
        if len(run) > 1:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        run = []
    parts.extend(
        f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}">'
        f"<title>{escape(name)}, {escape(labels[index])}: {_number(value, percent)}</title></circle>"
        for index, value in enumerate(points)
        if value is not None
    )
    return parts


@dataclass(frozen=True)
class Node:
    name: str
    sector: str | None
    country: str | None
    exchanges: int


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    exchanges: int
    cross_border: bool
    periods_active: int = 1


# Network labels: 11 px text, wrapped at spaces into lines of this many characters (never cut).
LABEL_FONT_PX = 11
LABEL_LINE_CHARS = 30
LABEL_LINE_PX = 13
# Generous widths per character, in ems of the label's font, so the room reserved for a label is never less
# than a browser draws with a system sans-serif font.
_WIDE, _NARROW = set("MWmw@%&"), set("iljtfrI.,:;|!'()[] ")


def label_lines(text: str, width: int = LABEL_LINE_CHARS) -> list[str]:
    """`text` in lines of at most `width` characters, broken at spaces; a longer word keeps a line to itself."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _em(char: str) -> float:
    if char in _WIDE or not char.isascii():
        return 1.0
    if char in _NARROW:
        return 0.4
    return 0.75 if char.isupper() else 0.62


def label_width(line: str) -> float:
    """How wide `line` may be drawn, in pixels (an upper bound)."""
    return LABEL_FONT_PX * sum(_em(char) for char in line)


def network(nodes: Sequence[Node], edges: Sequence[Edge], *, size: int = 720) -> str:
    """Organisations on a circle, grouped by sector; a line per tie, thicker with more exchanges,
    dashed when it crosses a border. Every label is shown whole (wrapped, never cut) and the picture's
    view box grows to hold it."""
    if not nodes:
        return '<p class="empty">No ties between organisations in this range.</p>'
    ordered = sorted(nodes, key=lambda n: (n.sector or "~", n.name.lower()))
    place = _circle_places(ordered, size)
    heaviest = max((e.exchanges for e in edges), default=1)
    busiest = max(n.exchanges for n in nodes) or 1
    drawn = [_edge_line(edge, place, heaviest) for edge in edges if edge.a in place and edge.b in place]
    nodes_drawn, box = _nodes_drawn(ordered, place, busiest, size)
    return _network_svg([*drawn, *nodes_drawn], *box)


def _nodes_drawn(
    ordered: Sequence[Node], place: dict[str, tuple[float, float, float]], busiest: int, size: int
) -> tuple[list[str], tuple[float, float, float, float]]:
    """Each node's circle and label, and the (left, top, right, bottom) that holds the picture and every label."""
    drawn: list[str] = []
    left, top, right, bottom = 0.0, 0.0, float(size), float(size)
    for node in ordered:
        x, y, angle = place[node.name]
        r = 5 + 11 * math.sqrt(node.exchanges / busiest)
        drawn.append(_node_circle(node, x, y, r))
        label, (l_edge, t_edge, r_edge, b_edge) = _node_label(node, x, y, r, angle)
        drawn.append(label)
        left, top, right, bottom = min(left, l_edge), min(top, t_edge), max(right, r_edge), max(bottom, b_edge)
    return drawn, (left, top, right, bottom)


def _circle_places(ordered: Sequence[Node], size: int) -> dict[str, tuple[float, float, float]]:
    """(x, y, angle) of each organisation, evenly on a circle starting at the top."""
    centre, radius = size / 2, size / 2 - 150
    place = {}
    for index, node in enumerate(ordered):
        angle = 2 * math.pi * index / len(ordered) - math.pi / 2
        place[node.name] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle), angle)
    return place


def _edge_line(edge: Edge, place: dict[str, tuple[float, float, float]], heaviest: int) -> str:
    (x1, y1, _), (x2, y2, _) = place[edge.a], place[edge.b]
    width = 1 + 5 * edge.exchanges / heaviest
    dash = ' stroke-dasharray="6 4"' if edge.cross_border else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#495057" stroke-opacity="0.55" '
        f'stroke-width="{width:.1f}"{dash}><title>{escape(edge.a)} – {escape(edge.b)}: '
        f"{edge.exchanges} exchange{'s' if edge.exchanges != 1 else ''}</title></line>"
    )


def _node_circle(node: Node, x: float, y: float, r: float) -> str:
    colour = SECTOR_COLOURS.get(node.sector or "", UNKNOWN_COLOUR)
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" stroke="#fff" stroke-width="1.5">'
        f"<title>{escape(node.name)}: {node.exchanges} exchanges</title></circle>"
    )


def _node_label(
    node: Node, x: float, y: float, r: float, angle: float
) -> tuple[str, tuple[float, float, float, float]]:
    """The node's wrapped label beside its circle, and the (left, top, right, bottom) it may reach."""
    lines = label_lines(node.name + (f" ({node.country})" if node.country else ""))
    anchor = "start" if math.cos(angle) >= 0 else "end"
    lx = x + (r + 6) * math.cos(angle)
    # The block of lines is centred on the node's direction: above the circle it grows upwards.
    block = LABEL_LINE_PX * len(lines)
    ly = y + (r + 6) * math.sin(angle) + 4 - (block - LABEL_LINE_PX) * (1 - math.sin(angle)) / 2
    widest = max(label_width(line) for line in lines)
    extent = (
        lx - widest if anchor == "end" else lx,
        ly - LABEL_FONT_PX,
        lx + widest if anchor == "start" else lx,
        ly + block - LABEL_LINE_PX + 4,
    )
    spans = "".join(
        f'<tspan x="{lx:.1f}" dy="{0 if n == 0 else LABEL_LINE_PX}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    text = (f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="{LABEL_FONT_PX}" '
            f'class="node">{spans}</text>')
    return text, extent


def _network_svg(drawn: list[str], left: float, top: float, right: float, bottom: float) -> str:
    margin = 8
    left, top = math.floor(left - margin), math.floor(top - margin)
    width, height = math.ceil(right + margin) - left, math.ceil(bottom + margin) - top
    return "".join(
        [
            f'<svg class="network" role="img" viewBox="{left} {top} {width} {height}" width="{width}" '
            f'height="{height}">',
            "<title>Ties between organisations</title>",
            *drawn,
            "</svg>",
        ]
    )


def shade(value: int, highest: int) -> str:
    """A blue background for a heat-map cell, stronger with higher counts."""
    if value <= 0 or highest <= 0:
        return "#ffffff"
    strength = 0.12 + 0.78 * value / highest
    return f"rgba(31, 111, 178, {strength:.2f})"
