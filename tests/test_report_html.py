"""The HTML report in a real headless Chromium: it renders, offline, with no console errors."""

from datetime import UTC, datetime

from bot.indicators.report import build_report, render_html, write_report
from bot.indicators.service import Dataset
from tests.chromium import visit
from tests.report_support import community

GENERATED = datetime(2026, 11, 25, tzinfo=UTC)
PROBE = """({
    charts: document.querySelectorAll('svg.chart').length,
    networks: document.querySelectorAll('svg.network').length,
    nodes: document.querySelectorAll('svg.network circle').length,
    ties: document.querySelectorAll('svg.network line').length,
    matrixRows: document.querySelectorAll('#matrix tbody tr').length,
    countryRows: document.querySelectorAll('#by-country tbody tr').length,
    chartWidth: (document.querySelector('svg.chart') || {getBoundingClientRect: () => ({width: 0})})
        .getBoundingClientRect().width,
    injected: document.querySelectorAll('together').length,
    text: document.body.innerText,
    empty: !!document.getElementById('empty'),
})"""


def populated(tmp_path):
    report = build_report(community(), datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 11, 24, tzinfo=UTC),
                          period="auto", generated_at=GENERATED)
    return report, write_report(report, tmp_path / "report")[0]


async def test_the_report_renders_in_chromium_without_errors_or_network(tmp_path):
    report, page = populated(tmp_path)
    seen = await visit(page, PROBE)
    assert seen.errors == []
    assert seen.requests == [page.resolve().as_uri()]  # nothing but the file itself
    assert seen.title == "Knowledge transfer, 1 September 2026 to 23 November 2026"
    facts = seen.facts
    assert facts["charts"] == 5 and facts["networks"] == 1  # four trends and mean usefulness
    assert facts["nodes"] == 10 and facts["ties"] == len(report.edges) > 10
    assert facts["chartWidth"] > 300  # drawn, not collapsed
    assert facts["matrixRows"] == facts["countryRows"] == 6  # DK, EE, FI, DE, NO, SE
    assert facts["injected"] == 0 and "Patients <Together> & Co" in facts["text"]
    assert "Immediate value" in facts["text"] and "Realised value" in facts["text"]
    assert not facts["empty"]
    assert seen.screenshot.startswith(b"\x89PNG") and len(seen.screenshot) > 50_000


async def test_an_empty_range_gives_a_page_that_says_so(tmp_path):
    report = build_report(Dataset(), datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC),
                          period="auto", generated_at=GENERATED)
    page = write_report(report, tmp_path / "empty")[0]
    seen = await visit(page, PROBE)
    assert seen.errors == [] and seen.facts["empty"]
    expected = "No exchanges or introductions were recorded between 1 December 2026 and 31 December 2026"
    assert expected in seen.facts["text"]
    assert seen.facts["charts"] == 0 and "Definitions" in seen.facts["text"]


async def test_the_browser_check_does_catch_errors_and_network_use(tmp_path):
    # The same check on a broken page must fail, or the tests above prove nothing.
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><title>broken</title></head><body>'
        '<img src="http://127.0.0.1:9/logo.png"><script>console.error("chart failed"); missing();</script>'
        "</body></html>",
        encoding="utf-8",
    )
    seen = await visit(page, PROBE)
    assert any("chart failed" in e for e in seen.errors)
    assert any("missing is not defined" in e for e in seen.errors)
    assert "http://127.0.0.1:9/logo.png" in seen.requests


def test_the_page_is_self_contained():
    report = build_report(community(), datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC),
                          period="month", generated_at=GENERATED)
    page = render_html(report)
    assert "http://" not in page and "https://" not in page and "<script" not in page and "<link" not in page
    assert "@import" not in page and "url(" not in page
    assert "Patients &lt;Together&gt; &amp; Co" in page
    assert [p.label for p in report.periods] == ["2026-09", "2026-10", "2026-11"]


def test_without_chromium_the_browser_tests_skip_but_fail_on_ci(monkeypatch):
    import pytest

    from tests import chromium

    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setattr(chromium.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        chromium.chromium_path()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        chromium.chromium_path()
