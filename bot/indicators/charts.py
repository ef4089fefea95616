"""Small SVG charts drawn in Python, so a report page needs no script and no network to show them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

SERIES_COLOURS = ("#1f6fb2", "#d9730d", "#2f9e44", "#ae3ec9", "#c92a2a", "#5c7cfa")
SECTOR_COLOURS = {
    "municipality": "#1f6fb2",
    "region": "#4dabf7",
    "hospital": "#c92a2a",
    "research": "#2f9e44",
    "sme": "#d9730d",
    "large_company": "#ae3ec9",
    "digital_developer": "#f08c00",
    "patient_organisation": "#0ca678",
    "other": "#868e96",
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
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, points in series for v in points if v is not None]
    top_value, step = axis(y_max if y_max is not None else max(values, default=0), whole=whole)
    count = len(labels)

    def x(index: int) -> float:
        return left + (plot_w / 2 if count == 1 else plot_w * index / (count - 1))

    def y(value: float) -> float:
        return top + plot_h * (1 - value / top_value)

    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(round(top_value / step) + 1):
        value = step * tick
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end" class="tick">'
                     f"{_number(value, percent)}</text>")
    every = max(1, math.ceil(count / 12))
    for index, label in enumerate(labels):
        if index % every == 0 or index == count - 1:
            parts.append(f'<text x="{x(index):.1f}" y="{height - bottom + 18}" text-anchor="middle" class="tick">'
                         f"{escape(label)}</text>")
    for number, (name, points) in enumerate(series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        run: list[str] = []
        for index, value in enumerate([*points, None]):
            if value is not None:
                run.append(f"{x(index):.1f},{y(value):.1f}")
                continue
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
            run = []
        for index, value in enumerate(points):
            if value is not None:
                parts.append(
                    f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="3.5" fill="{colour}">'
                    f"<title>{escape(name)}, {escape(labels[index])}: {_number(value, percent)}</title></circle>"
                )
    parts.append("</svg>")
    legend = "".join(
        f'<span class="key"><span class="swatch" style="background:{SERIES_COLOURS[n % len(SERIES_COLOURS)]}">'
        f"</span>{escape(name)}</span>"
        for n, (name, _) in enumerate(series)
    )
    caption = f"<figcaption>{escape(title)}</figcaption>"
    return f'<figure>{caption}{"".join(parts)}<div class="legend">{legend}</div></figure>'


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


def network(nodes: Sequence[Node], edges: Sequence[Edge], *, size: int = 720) -> str:
    """Organisations on a circle, grouped by sector; a line per tie, thicker with more exchanges,
    dashed when it crosses a border."""
    if not nodes:
        return '<p class="empty">No ties between organisations in this range.</p>'
    ordered = sorted(nodes, key=lambda n: (n.sector or "~", n.name.lower()))
    centre, radius = size / 2, size / 2 - 150
    place = {}
    for index, node in enumerate(ordered):
        angle = 2 * math.pi * index / len(ordered) - math.pi / 2
        place[node.name] = (centre + radius * math.cos(angle), centre + radius * math.sin(angle), angle)
    heaviest = max((e.exchanges for e in edges), default=1)
    busiest = max(n.exchanges for n in nodes) or 1
    parts = [
        f'<svg class="network" role="img" viewBox="0 0 {size} {size}" width="{size}" height="{size}">',
        "<title>Ties between organisations</title>",
    ]
    for edge in edges:
        if edge.a not in place or edge.b not in place:
            continue
        (x1, y1, _), (x2, y2, _) = place[edge.a], place[edge.b]
        width = 1 + 5 * edge.exchanges / heaviest
        dash = ' stroke-dasharray="6 4"' if edge.cross_border else ""
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#495057" stroke-opacity="0.55" '
            f'stroke-width="{width:.1f}"{dash}><title>{escape(edge.a)} – {escape(edge.b)}: '
            f"{edge.exchanges} exchange{'s' if edge.exchanges != 1 else ''}</title></line>"
        )
    for node in ordered:
        x, y, angle = place[node.name]
        r = 5 + 11 * math.sqrt(node.exchanges / busiest)
        colour = SECTOR_COLOURS.get(node.sector or "", UNKNOWN_COLOUR)
        anchor = "start" if math.cos(angle) >= 0 else "end"
        lx, ly = x + (r + 6) * math.cos(angle), y + (r + 6) * math.sin(angle) + 4
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" stroke="#fff" stroke-width="1.5">'
            f"<title>{escape(node.name)}: {node.exchanges} exchanges</title></circle>"
        )
        label = node.name if len(node.name) <= 28 else node.name[:27] + "…"
        country = f" ({escape(node.country)})" if node.country else ""
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" class="node">{escape(label)}{country}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def shade(value: int, highest: int) -> str:
    """A blue background for a heat-map cell, stronger with higher counts."""
    if value <= 0 or highest <= 0:
        return "#ffffff"
    strength = 0.12 + 0.78 * value / highest
    return f"rgba(31, 111, 178, {strength:.2f})"
