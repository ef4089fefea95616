"""The report's network of organisations: sector colours that can be told apart, labels shown whole and
inside the picture, and each organisation labelled with the country of most of its exchanges."""

import itertools
import math
import re
from datetime import UTC, datetime, timedelta

from bot.indicators import charts
from bot.indicators.report import build_report, organisation_network, write_report
from bot.indicators.periods import Period
from bot.indicators.service import Dataset, ExchangeRecord, Side
from config.vocabulary import SECTORS
from tests.chromium import visit

START = datetime(2026, 11, 2, tzinfo=UTC)
WEEK = [Period(START, START + timedelta(days=7), "2026-W45")]
LONG = "Regional Centre for Patient Involvement and Digital Health Literacy of Southern Denmark"


def lab(colour: str) -> tuple[float, float, float]:
    """sRGB hex to CIELAB (D65)."""
    red, green, blue = (int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = linear(red), linear(green), linear(blue)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def test_every_two_sector_colours_are_clearly_different():
    assert set(charts.SECTOR_COLOURS) == set(SECTORS)
    colours = {**charts.SECTOR_COLOURS, "unknown": charts.UNKNOWN_COLOUR}
    closest = min(
        (math.dist(lab(a), lab(b)), first, second)
        for (first, a), (second, b) in itertools.combinations(colours.items(), 2)
    )
    assert closest[0] >= 30, closest  # ΔE*76; the old SME and digital developer oranges were 13 apart
    assert lab("#d9730d") != lab("#f08c00") and math.dist(lab("#d9730d"), lab("#f08c00")) < 30  # the check bites


def test_an_organisation_is_labelled_with_the_country_of_most_of_its_exchanges():
    oslo, lund = Side("Oslo Hub", "research", "NO"), Side("Lund Lab", "research", "SE")
    moved = Side("Nordic Care", "hospital", "NO")  # one member's profile says Norway, and is the latest
    rows = [ExchangeRecord("thread_reply", START + timedelta(hours=h), Side("Nordic Care", "hospital", "DK"), other)
            for h, other in ((1, oslo), (2, lund), (3, oslo))]
    rows.append(ExchangeRecord("thread_reply", START + timedelta(hours=4), moved, lund))
    nodes, _ = organisation_network(rows, WEEK)
    by_name = {node.name: node for node in nodes}
    assert by_name["Nordic Care"].country == "DK"  # 3 of its 4 exchanges
    svg = charts.network(nodes, [])
    assert "Nordic Care (DK)" in svg


def test_long_labels_are_whole_and_the_picture_makes_room_for_them():
    sides = [Side(LONG, "patient_organisation", "DK"), Side("Oslo Hub", "research", "NO"),
             Side("An Organisation With A Rather Long Name Too", "sme", "FI"), Side("Kilo", "sme", "DK")]
    rows = [ExchangeRecord("thread_reply", START + timedelta(hours=n), a, b)
            for n, (a, b) in enumerate(itertools.combinations(sides, 2))]
    nodes, edges = organisation_network(rows, WEEK)
    svg = charts.network(nodes, edges)
    assert "…" not in svg
    words = " ".join(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg))
    assert LONG in words  # wrapped into lines, in order, nothing dropped
    left, top, width, height = map(float, re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    for match in re.finditer(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)"[^>]*>(.*?)</text>', svg):
        x, y, anchor = float(match.group(1)), float(match.group(2)), match.group(3)
        lines = re.findall(r">([^<]*)</tspan>", match.group(4))
        widest = max(charts.label_width(line) for line in lines)
        start, end = (x - widest, x) if anchor == "end" else (x, x + widest)
        assert left <= start and end <= left + width
        assert top <= y - charts.LABEL_FONT_PX and y + charts.LABEL_LINE_PX * (len(lines) - 1) <= top + height


PROBE = """(() => {
    const svg = document.querySelector('svg.network');
    const box = svg.viewBox.baseVal;
    const outside = [...svg.querySelectorAll('text')].filter(t => {
        const b = t.getBBox();
        return b.x < box.x || b.y < box.y || b.x + b.width > box.x + box.width || b.y + b.height > box.y + box.height;
    }).map(t => t.textContent);
    return {outside, labels: [...svg.querySelectorAll('text')].map(t => t.textContent)};
})()"""


async def test_in_a_browser_no_label_leaves_the_picture(tmp_path):
    sides = [Side(LONG, "patient_organisation", "DK"), Side("Oslo Hub", "research", "NO"),
             Side("WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW Wide Letters Incorporated", "large_company", "DE"),
             Side("Kilo", "sme", "DK"), Side("Tartu Clinic", "hospital", "EE")]
    rows = [ExchangeRecord("thread_reply", START + timedelta(hours=n), a, b)
            for n, (a, b) in enumerate(itertools.combinations(sides, 2))]
    report = build_report(Dataset(rows, []), START, START + timedelta(days=7), period="week", generated_at=START)
    page = write_report(report, tmp_path / "report")[0]
    seen = await visit(page, PROBE)
    assert seen.errors == []
    assert seen.facts["outside"] == [], seen.facts
    # Lines of one label are separate <tspan>s: their text runs together without the spaces between them.
    assert f"{LONG} (DK)".replace(" ", "") in [label.replace(" ", "") for label in seen.facts["labels"]]
