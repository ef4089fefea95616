"""`python main.py report`: CSV files and the page from the stored hand-computed fixture, and bad input."""

import csv
import os
import subprocess
import sys
from pathlib import Path

from tests.test_indicators_values import store_fixture

ROOT = Path(__file__).resolve().parent.parent


def run_report(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": database_url, "LIGHTHOUSE_INGEST_DEMO_ON_EMPTY": "false"}
    return subprocess.run(
        [sys.executable, "main.py", "report", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def value(path: Path, period: str, breakdown: str = "all", group: str = "") -> str:
    (row,) = [r for r in rows(path) if (r["period"], r["breakdown"], r["group"]) == (period, breakdown, group)]
    return row["value"]


async def test_report_for_the_fixture_week_writes_the_hand_computed_numbers(core, settings, tmp_path):
    await store_fixture(core)
    out = tmp_path / ("a-folder-name-long-enough-to-pass-the-width-of-a-terminal-" * 2) / "out"
    result = run_report(settings.database_url, "--from", "2026-11-02", "--to", "2026-11-08", "--period", "week",
                        "--out", str(out))
    assert result.returncode == 0, result.stderr
    # The whole path on one line, as a script reading the output (or a member copying it) needs it.
    assert str(out / "report.html") in result.stdout.splitlines()[0]
    assert value(out / "exchanges.csv", "2026-W45") == "6"
    assert value(out / "exchanges.csv", "total") == "6"
    assert value(out / "exchanges.csv", "2026-W45", "country", "NO") == "1"
    assert value(out / "exchanges.csv", "2026-W45", "sector", "research") == "3"
    assert value(out / "cross_border_share.csv", "2026-W45") == "0.6667"
    assert value(out / "median_hours_to_accept.csv", "2026-W45") == "39.5000"
    assert value(out / "new_ties.csv", "2026-W45") == "3" and value(out / "repeat_ties.csv", "2026-W45") == "1"
    assert value(out / "acceptance_rate.csv", "2026-W45", "sector", "research") == "0.0000"
    assert rows(out / "exchanges.csv")[0] == {
        "indicator": "exchanges", "period": "2026-W45", "period_start": "2026-11-02", "period_end": "2026-11-09",
        "breakdown": "all", "group": "", "value": "6",
    }
    # Each cell: the week's exchanges with a side from that country and sector (see the fixture's comments).
    matrix = {(r["country"], r["sector"]): int(r["exchanges"]) for r in rows(out / "country_sector_matrix.csv")}
    assert matrix == {
        ("DK", "municipality"): 4,  # #1, #2, #3, #6
        ("DK", "digital_developer"): 3,  # #3, #4, #6
        ("DK", "unknown"): 1,  # #5
        ("NO", "hospital"): 1,  # #1
        ("SE", "research"): 3,  # #2, #4, #5
    }
    ties = {(r["organisation_a"], r["organisation_b"]): (r["exchanges"], r["cross_border"])
            for r in rows(out / "organisation_ties.csv")}
    assert ties == {
        ("Kilo Apps", "Nordhavn Municipality"): ("2", "no"),
        ("Kilo Apps", "Sund University"): ("1", "yes"),
        ("Nordhavn Municipality", "Sund University"): ("1", "yes"),
        ("Nordhavn Municipality", "Vestfjord Hospital"): ("1", "yes"),
    }
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "from 6 exchanges and 6 introductions" in page


async def test_an_empty_range_writes_a_page_that_says_so(core, settings, tmp_path):
    await store_fixture(core)
    out = tmp_path / "empty"
    result = run_report(settings.database_url, "--from", "2027-01-01", "--to", "2027-01-31", "--out", str(out))
    assert result.returncode == 0, result.stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "No exchanges or introductions were recorded between 1 January 2027 and 31 January 2027" in page
    assert [r["value"] for r in rows(out / "exchanges.csv") if r["breakdown"] == "all"] == ["0"] * 6  # 5 weeks + total
    assert {r["value"] for r in rows(out / "acceptance_rate.csv")} == {""}


def test_bad_report_options_fail_with_one_clear_line(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import main

    monkeypatch.setenv("LIGHTHOUSE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bad.db'}")
    cases = {
        ("--from", "2026-12-01", "--to", "2026-11-01"): "--from must not be after --to",
        ("--from", "1 Nov", "--to", "2026-11-30"): "--from wants a date like 2026-11-30",
        ("--from", "2026-11-01", "--to", "2026-11-31"): "--to wants a date",
        ("--from", "2026-11-01", "--to", "2026-11-30", "--period", "fortnight"): "--period must be one of",
        ("--from", "1900-01-01", "--to", "2026-11-30", "--period", "week"): "too many for one report",
    }
    for args, message in cases.items():
        result = CliRunner().invoke(main.app, ["report", *args, "--out", str(tmp_path / "never")])
        assert result.exit_code == 2, (args, result.output)
        assert message in " ".join(result.stderr.split()) and "Traceback" not in result.stderr, args
    assert not (tmp_path / "never").exists()
