"""Command-line mistakes get one line naming the problem and exit status 2, never a traceback."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

import main


@pytest.fixture
def invoke(tmp_path, monkeypatch):
    monkeypatch.setenv("LIGHTHOUSE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("LIGHTHOUSE_INGEST_DEMO_ON_EMPTY", "false")
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str):
        result = CliRunner().invoke(main.app, list(args))
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        return result.exit_code, lines, result

    return run


def assert_one_line(outcome, *mentions: str) -> None:
    code, lines, result = outcome
    assert code == 2, result.output
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for text in mentions:
        assert text in lines[0]


def test_export_ics_to_a_folder(invoke, tmp_path):
    assert_one_line(invoke("export-ics", "--out", str(tmp_path)), "is a folder; give a file name")


def test_export_ics_into_a_missing_folder(invoke, tmp_path):
    assert_one_line(invoke("export-ics", "--out", str(tmp_path / "nope" / "e.ics")), "does not exist")
    assert not (tmp_path / "nope").exists()


def test_export_ics_writes_the_file(invoke, tmp_path):
    code, lines, result = invoke("export-ics", "--out", str(tmp_path / "e.ics"))
    assert code == 0, result.output
    assert (tmp_path / "e.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")


REPORT = ("report", "--from", "2026-11-01", "--to", "2026-11-30")


def test_report_into_an_existing_file(invoke, tmp_path):
    (tmp_path / "taken").write_text("x")
    assert_one_line(invoke(*REPORT, "--out", str(tmp_path / "taken")), "is a file; give a folder")
    assert (tmp_path / "taken").read_text() == "x"


def test_report_below_a_file(invoke, tmp_path):
    (tmp_path / "taken").write_text("x")
    assert_one_line(invoke(*REPORT, "--out", str(tmp_path / "taken" / "sub")), "is a file, not a folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes everywhere, whatever the mode")
def test_report_into_a_read_only_folder(invoke, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert_one_line(invoke(*REPORT, "--out", str(locked / "out")), "permission denied")
    finally:
        locked.chmod(0o755)


def test_report_where_the_folder_cannot_be_made(invoke, monkeypatch, tmp_path):
    # The same for runs as root (who may write anywhere): creating the folder fails.
    from pathlib import Path

    out, mkdir = tmp_path / "out", Path.mkdir

    def refuse(self, *args, **kwargs):
        if self == out:
            raise PermissionError(13, "Permission denied", str(self))
        return mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    assert_one_line(invoke(*REPORT, "--out", str(out)), "cannot write there (Permission denied)")


def test_help_shows_flags_without_type_names():
    result = CliRunner().invoke(main.app, ["--help"])
    assert result.exit_code == 0
    assert "--console" in result.stdout and "--as NAME" in result.stdout
    assert "<bool>" not in result.stdout and "<str>" not in result.stdout
    run_help = CliRunner().invoke(main.app, ["run", "--help"]).stdout
    assert "--console" in run_help and "<bool>" not in run_help


@pytest.mark.parametrize(
    "args",
    [("ingest", "."), ("export-ics", "--out", "-"), (*REPORT, "--out", "out")],
    ids=["ingest", "export-ics", "report"],
)
def test_a_database_that_does_not_answer(invoke, monkeypatch, tmp_path, args):
    from tests.test_startup_errors import free_port

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LIGHTHOUSE_DATABASE_URL", f"postgresql+asyncpg://lighthouse@127.0.0.1:{free_port()}/lighthouse")
    assert_one_line(invoke(*args), "LIGHTHOUSE_DATABASE_URL", "cannot connect")
