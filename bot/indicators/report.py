"""The indicators report: a CSV per indicator and one self-contained HTML page (no script, no network).

`build_report` computes everything from a `Dataset`; `write_report` writes the files. Periods are calendar
weeks, months or quarters clipped to the range; breakdowns follow the rule of `bot.indicators.service`.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from bot.indicators import charts
from bot.indicators.community import COMMUNITY_INDICATORS, CommunityReport
from bot.indicators.measures import format_value
from bot.indicators.periods import Period, periods
from bot.indicators.service import (
    GROUPS,
    INDICATORS,
    Dataset,
    ExchangeRecord,
    compute,
    organisation_profiles,
)
from config.vocabulary import SECTORS, country_name

MAX_PERIODS = 400
MAX_NETWORK_NODES = 40
BREAKDOWN_KEYS = ("exchanges", "cross_border_share", "cross_sector_share", "new_ties", "intros_accepted", "intros_met")
DIMENSIONS = ("country", "sector")
TRENDS = (
    ("Exchanges and ties", ("exchanges", "new_ties", "repeat_ties"), False),
    ("Cross-border and cross-sector share of exchanges", ("cross_border_share", "cross_sector_share"), True),
    ("Introductions", ("intros_requested", "intros_accepted", "intros_met"), False),
    ("Network reach", ("reach_organisations", "reach_sectors", "reach_countries"), False),
)
UNKNOWN = "unknown"

Value = float | int | None


def auto_period(start: datetime, end: datetime) -> str:
    days = (end - start).days
    return "week" if days <= 92 else "month" if days <= 731 else "quarter"


@dataclass
class Report:
    start: datetime
    end: datetime  # exclusive: the day after the last day asked for
    period: str
    generated_at: datetime
    periods: list[Period]
    series: dict[str, list[Value]]  # indicator -> value per period
    totals: dict[str, Value]  # indicator -> value over the whole range
    # dimension -> group value -> indicator -> (per period, whole range)
    breakdowns: dict[str, dict[str, dict[str, tuple[list[Value], Value]]]] = field(default_factory=dict)
    matrix: dict[tuple[str, str], int] = field(default_factory=dict)  # (country, sector) -> exchanges
    nodes: list[charts.Node] = field(default_factory=list)  # the busiest organisations with ties
    edges: list[charts.Edge] = field(default_factory=list)  # every tie in the range
    exchange_count: int = 0
    introduction_count: int = 0
    # Asking the community (bot.indicators.community), when loaded: written as community.csv and a section.
    community: CommunityReport | None = None

    @property
    def empty(self) -> bool:
        return self.exchange_count == 0 and self.introduction_count == 0

    @property
    def last_day(self) -> datetime:
        return self.end - timedelta(days=1)


def build_report(data: Dataset, start: datetime, end: datetime, *, period: str, generated_at: datetime) -> Report:
    if period == "auto":
        period = auto_period(start, end)
    windows = periods(start, end, period)
    if len(windows) > MAX_PERIODS:
        raise ValueError(f"{len(windows)} {period}s is too many for one report; choose a longer period")
    per_period = [compute(data, p.start, p.end) for p in windows]
    report = Report(
        start=start,
        end=end,
        period=period,
        generated_at=generated_at,
        periods=windows,
        series={i.key: [values[i.key] for values in per_period] for i in INDICATORS},
        totals=compute(data, start, end),
    )
    inside = [e for e in data.exchanges if start <= e.occurred_at < end]
    report.exchange_count = len(inside)
    report.introduction_count = _introduction_count(data, start, end)
    for dimension in DIMENSIONS:
        report.breakdowns[dimension] = _breakdown(data, dimension, start, end, windows)
    report.matrix = country_sector_matrix(inside)
    report.nodes, report.edges = organisation_network(inside, windows)
    return report


def _introduction_count(data: Dataset, start: datetime, end: datetime) -> int:
    """Introductions with a step (requested, accepted, declined, expired or met) in the range."""
    return sum(
        1
        for i in data.introductions
        if any(m is not None and start <= m < end for m in (i.requested_at, i.accepted_at, i.declined_at,
                                                               i.expired_at, i.met_at))
    )


def _breakdown(
    data: Dataset, dimension: str, start: datetime, end: datetime, windows: list[Period]
) -> dict[str, dict[str, tuple[list[Value], Value]]]:
    """Per group of the dimension: each indicator's values per period and over the whole range."""
    groups: dict[str, dict[str, tuple[list[Value], Value]]] = {}
    for value in data.values(dimension, start, end):
        subset = data.touching(dimension, value)
        rows = [compute(subset, p.start, p.end) for p in windows]
        total = compute(subset, start, end)
        groups[value] = {i.key: ([r[i.key] for r in rows], total[i.key]) for i in INDICATORS}
    return groups


def country_sector_matrix(exchanges: list[ExchangeRecord]) -> dict[tuple[str, str], int]:
    """Exchanges with at least one side from the country and sector of the cell (counted once per cell)."""
    cells: Counter[tuple[str, str]] = Counter()
    for e in exchanges:
        for cell in {(s.country or UNKNOWN, s.sector or UNKNOWN) for s in (e.a, e.b)}:
            cells[cell] += 1
    return dict(cells)


def organisation_network(
    exchanges: list[ExchangeRecord], windows: list[Period]
) -> tuple[list[charts.Node], list[charts.Edge]]:
    """The busiest organisations (for the picture) and every tie, with the number of periods it was active in."""
    # Labelled and coloured by the country and sector of most of its exchanges (the brokers' rule).
    profile = organisation_profiles(exchanges)
    involvement = _involvement(exchanges)
    ties, border, active = _ties(exchanges, windows)
    linked = {name for pair in ties for name in pair}
    kept = [name for name, _ in sorted(involvement.items(), key=lambda kv: (-kv[1], kv[0])) if name in linked]
    kept = kept[:MAX_NETWORK_NODES]
    nodes = [charts.Node(n, profile[n].sector, profile[n].country, involvement[n]) for n in kept]
    edges = [charts.Edge(a, b, count, border[(a, b)], len(active[(a, b)])) for (a, b), count in sorted(ties.items())]
    return nodes, edges


def _involvement(exchanges: list[ExchangeRecord]) -> Counter[str]:
    """Exchanges per organisation (an exchange within one organisation counts once)."""
    involvement: Counter[str] = Counter()
    for e in exchanges:
        for organisation in {s.organisation for s in (e.a, e.b) if s.organisation}:
            involvement[organisation] += 1
    return involvement


def _ties(
    exchanges: list[ExchangeRecord], windows: list[Period]
) -> tuple[Counter[tuple[str, str]], dict[tuple[str, str], bool], dict[tuple[str, str], set[int]]]:
    """Per pair of organisations: its exchanges, whether any crossed a border, and the periods it was active in."""
    ties: Counter[tuple[str, str]] = Counter()
    border: dict[tuple[str, str], bool] = {}
    active: dict[tuple[str, str], set[int]] = {}
    for e in sorted(exchanges, key=lambda e: e.occurred_at):
        if e.tie is not None:
            pair = tuple(sorted(e.tie))
            ties[pair] += 1
            border[pair] = border.get(pair, False) or e.cross_border
            active.setdefault(pair, set()).update(n for n, w in enumerate(windows) if w.start <= e.occurred_at < w.end)
    return ties, border, active


# --- CSV ------------------------------------------------------------------------------------------------


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def write_csvs(report: Report, out: Path) -> list[Path]:
    written = []
    for indicator in INDICATORS:
        path = out / f"{indicator.key}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["indicator", "period", "period_start", "period_end", "breakdown", "group", "value"])
            for breakdown, group, per_period, total in _scopes(report, indicator.key):
                for window, value in zip(report.periods, per_period, strict=True):
                    writer.writerow([indicator.key, window.label, window.start.date().isoformat(),
                                     window.end.date().isoformat(), breakdown, group, _csv_value(value)])
                writer.writerow([indicator.key, "total", report.start.date().isoformat(),
                                 report.end.date().isoformat(), breakdown, group, _csv_value(total)])
        written.append(path)
    matrix_path = out / "country_sector_matrix.csv"
    with matrix_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["country", "sector", "exchanges"])
        for (country, sector), count in sorted(report.matrix.items()):
            writer.writerow([country, sector, count])
    ties_path = out / "organisation_ties.csv"
    with ties_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["organisation_a", "organisation_b", "exchanges", "cross_border", "periods_active"])
        for edge in report.edges:
            writer.writerow([edge.a, edge.b, edge.exchanges, "yes" if edge.cross_border else "no", edge.periods_active])
    extra = [write_community_csv(report, out)] if report.community is not None else []
    return [*written, matrix_path, ties_path, *extra]


def _scopes(report: Report, key: str) -> list[tuple[str, str, list[Value], Value]]:
    """(breakdown, group, values per period, total): the whole community first, then each group."""
    scopes: list[tuple[str, str, list[Value], Value]] = [("all", "", report.series[key], report.totals[key])]
    for dimension in DIMENSIONS:
        for value, numbers in report.breakdowns[dimension].items():
            per_period, total = numbers[key]
            scopes.append((dimension, value, per_period, total))
    return scopes


def write_community_csv(report: Report, out: Path) -> Path:
    """community.csv: each community indicator per period and over the whole range."""
    assert report.community is not None
    path = out / "community.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["indicator", "period", "period_start", "period_end", "value"])
        for indicator in COMMUNITY_INDICATORS:
            for window, value in zip(report.periods, report.community.series[indicator.key], strict=True):
                writer.writerow([indicator.key, window.label, window.start.date().isoformat(),
                                 window.end.date().isoformat(), _csv_value(value)])
            writer.writerow([indicator.key, "total", report.start.date().isoformat(), report.end.date().isoformat(),
                             _csv_value(report.community.totals[indicator.key])])
    return path


def _community_section(report: Report) -> list[str]:
    if report.community is None:
        return []
    head = "".join(f"<th>{escape(p.label)}</th>" for p in report.periods)
    rows = []
    for indicator in COMMUNITY_INDICATORS:
        cells = "".join(
            f'<td class="num">{escape(format_value(indicator.unit, v))}</td>'
            for v in report.community.series[indicator.key]
        )
        total = escape(format_value(indicator.unit, report.community.totals[indicator.key]))
        rows.append(f'<tr><th title="{escape(indicator.definition)}">{escape(indicator.label)}</th>{cells}'
                    f'<td class="num"><strong>{total}</strong></td></tr>')
    return [
        "<h2>Asking the community</h2>",
        '<p class="note">Questions members asked each other, their answers, and answers kept as knowledge '
        "(definitions in docs/indicators.md; hover a row for its definition).</p>",
        f'<table id="community"><thead><tr><th></th>{head}<th>Whole range</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>",
    ]


# --- HTML -----------------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 1000px;
       padding: 24px; color: #212529; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 2em; border-bottom: 1px solid #dee2e6; padding-bottom: 0.2em; }
.meta, .note { color: #6c757d; font-size: 0.92em; }
.empty { background: #fff3bf; border: 1px solid #ffd43b; padding: 12px 16px; border-radius: 6px; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { border: 1px solid #dee2e6; padding: 4px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.groups { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.card { border: 1px solid #dee2e6; border-radius: 8px; padding: 10px 14px; }
.card h3 { font-size: 0.95em; margin: 0 0 6px; }
.card dl { margin: 0; display: grid; grid-template-columns: 1fr auto; gap: 2px 12px; font-size: 0.92em; }
.card dd { margin: 0; text-align: right; font-weight: 600; }
figure { margin: 1em 0 2em; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg { max-width: 100%; height: auto; } svg .grid { stroke: #e9ecef; }
svg .tick { font-size: 11px; fill: #6c757d; } svg .node { font-size: 11px; fill: #343a40; }
.legend { font-size: 0.88em; } .key { margin-right: 14px; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 5px;
          vertical-align: -1px; }
"""


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _country(code: str) -> str:
    return "Unknown" if code == UNKNOWN else country_name(code)


def _sector(code: str) -> str:
    return "Unknown" if code == UNKNOWN else SECTORS.get(code, code)


def _units() -> dict[str, str]:
    return {i.key: i.unit for i in INDICATORS}


def _summary(report: Report) -> str:
    cards = []
    for group, title in GROUPS.items():
        rows = "".join(
            f"<dt>{escape(i.label)}</dt><dd>{escape(format_value(i.unit, report.totals[i.key]))}</dd>"
            for i in INDICATORS
            if i.group == group
        )
        if group == "applied":
            recurring = sum(edge.periods_active >= 2 for edge in report.edges)
            rows += f"<dt>Ties active in two or more {escape(report.period)}s of the range</dt><dd>{recurring:,}</dd>"
        cards.append(f'<div class="card"><h3>{escape(title)}</h3><dl>{rows}</dl></div>')
    return f'<div class="groups">{"".join(cards)}</div>'


def _trends(report: Report) -> str:
    labels = [p.label + ("*" if p.partial else "") for p in report.periods]
    by_key = {i.key: i for i in INDICATORS}
    figures = [_trend_chart(report, labels, by_key, title, keys, percent) for title, keys, percent in TRENDS]
    ratings = report.series["mean_usefulness"]
    if any(v is not None for v in ratings):
        figures.append(charts.line_chart("Mean usefulness (1-5)", labels, [("Mean usefulness", ratings)], y_max=5))
    if any(p.partial for p in report.periods):
        figures.append('<p class="note">* A period cut short by the range: fewer days, so lower counts.</p>')
    return "".join(figures)


def _trend_chart(
    report: Report, labels: list[str], by_key: dict, title: str, keys: tuple[str, ...], percent: bool
) -> str:
    series = [(by_key[k].label, report.series[k]) for k in keys]
    return charts.line_chart(title, labels, series, percent=percent, whole=not percent,
                             y_max=1.0 if percent else None)


def _matrix(report: Report) -> str:
    countries = sorted({c for c, _ in report.matrix}, key=lambda c: (c == UNKNOWN, _country(c)))
    sectors = _matrix_sectors(report.matrix)
    highest = max(report.matrix.values(), default=0)
    head = "".join(f"<th>{escape(_sector(s))}</th>" for s in sectors)
    rows = [
        f"<tr><th>{escape(_country(country))}</th>"
        f"{''.join(_matrix_cell(report.matrix.get((country, sector), 0), highest) for sector in sectors)}</tr>"
        for country in countries
    ]
    return (f'<table id="matrix"><thead><tr><th>Country / sector</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _matrix_sectors(matrix: dict[tuple[str, str], int]) -> list[str]:
    """The known sectors in their usual order, then unknown, then any other sector found, alphabetically."""
    sectors = [s for s in [*SECTORS, UNKNOWN] if any(key[1] == s for key in matrix)]
    return sectors + sorted({s for _, s in matrix} - set(sectors))


def _matrix_cell(count: int, highest: int) -> str:
    colour = "#fff" if count > highest * 0.6 else "#212529"
    return f'<td class="num" style="background:{charts.shade(count, highest)};color:{colour}">{count or ""}</td>'


def _breakdown_table(report: Report, dimension: str) -> str:
    groups = report.breakdowns.get(dimension, {})
    if not groups:
        return '<p class="note">Nothing to break down.</p>'
    units = _units()
    labels = {i.key: i.label for i in INDICATORS}
    head = "".join(f"<th>{escape(labels[k])}</th>" for k in BREAKDOWN_KEYS)
    name = _country if dimension == "country" else _sector
    rows = []
    for value, numbers in sorted(groups.items(), key=lambda kv: name(kv[0])):
        cells = "".join(f'<td class="num">{escape(format_value(units[k], numbers[k][1]))}</td>' for k in BREAKDOWN_KEYS)
        rows.append(f"<tr><th>{escape(name(value))}</th>{cells}</tr>")
    return (f'<table id="by-{dimension}"><thead><tr><th></th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _definitions() -> str:
    rows = "".join(
        f"<tr><td>{escape(GROUPS[i.group].split(':')[0])}</td><td>{escape(i.label)}</td>"
        f"<td><code>{escape(i.key)}</code></td><td>{escape(i.definition)}</td></tr>"
        for i in INDICATORS
    )
    return ("<table><thead><tr><th>Group</th><th>Indicator</th><th>CSV</th><th>Definition</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def render_html(report: Report) -> str:
    title = f"Knowledge transfer, {_day(report.start)} to {_day(report.last_day)}"
    meta = (
        f"Generated {report.generated_at:%Y-%m-%d %H:%M} UTC from {report.exchange_count:,} exchanges and "
        f"{report.introduction_count:,} introductions. Periods: calendar {report.period}s (UTC), the first and "
        "last clipped to the range."
    )
    body = [f"<h1>{escape(title)}</h1>", f'<p class="meta">{escape(meta)}</p>']
    if report.empty:
        body.append(
            f'<p class="empty" id="empty">No exchanges or introductions were recorded between '
            f"{escape(_day(report.start))} and {escape(_day(report.last_day))}. "
            "Try a wider range, or check that the bot is logging exchanges.</p>"
        )
    else:
        body += [
            "<h2>Summary for the whole range</h2>", _summary(report),
            "<h2>Trends</h2>", _trends(report),
            "<h2>Exchanges by country and sector</h2>",
            '<p class="note">Each cell counts the exchanges with at least one side from that country and sector.</p>',
            _matrix(report),
            "<h2>Network of organisations</h2>",
            '<p class="note">Organisations with ties in the range (at most '
            f"{MAX_NETWORK_NODES}, the busiest), coloured by sector and sized by exchanges. A line is a tie; "
            "dashed lines cross a border.</p>",
            charts.network(report.nodes, report.edges),
            _sector_legend(report),
            "<h2>By country</h2>",
            '<p class="note">Each row counts what has that country on at least one side.</p>',
            _breakdown_table(report, "country"),
            "<h2>By sector</h2>", _breakdown_table(report, "sector"),
        ]
    body += _community_section(report)
    body += ["<h2>Definitions</h2>", _definitions()]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body>{"".join(body)}</body></html>\n'
    )


def _sector_legend(report: Report) -> str:
    present = sorted({n.sector or UNKNOWN for n in report.nodes}, key=_sector)
    keys = "".join(
        f'<span class="key"><span class="swatch" style="background:'
        f'{charts.SECTOR_COLOURS.get(s, charts.UNKNOWN_COLOUR)}"></span>{escape(_sector(s))}</span>'
        for s in present
    )
    return f'<div class="legend">{keys}</div>' if keys else ""


def write_report(report: Report, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    page = out / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    return [page, *write_csvs(report, out)]
