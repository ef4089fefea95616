"""The console adapter end to end: `python main.py` with piped stdin, as a new user would run it."""

import os
import subprocess
import sys
from pathlib import Path

from adapters.console import render
from bot.reply import Button, Field, Reply, Section

ROOT = Path(__file__).resolve().parent.parent


def run_main(tmp_path: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    env["LIGHTHOUSE_INGEST_DEMO_ON_EMPTY"] = "false"
    return subprocess.run(
        [sys.executable, "main.py", *args], input=stdin, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def test_piped_session_shows_help_saves_and_persists_the_profile(tmp_path):
    first = run_main(tmp_path, "help\nprofile set sector hospital\nprofile\n")
    assert first.returncode == 0, first.stderr
    assert "Commands" in first.stdout and "profile" in first.stdout
    assert "Saved: sector = Hospital." in first.stdout
    assert first.stdout.count("Sector: Hospital") == 1  # `profile set` answers with the change only
    second = run_main(tmp_path, "profile\n")
    assert "Sector: Hospital" in second.stdout


def test_as_option_chats_as_another_member(tmp_path):
    run_main(tmp_path, "profile set country Kenya\n", "--as", "wanjiru")
    assert "Country: Kenya" in run_main(tmp_path, "profile\n", "--as", "wanjiru").stdout
    assert "Country: —" in run_main(tmp_path, "profile\n", "--as", "someone-else").stdout


def test_bad_configuration_fails_with_one_line_naming_the_setting(tmp_path):
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": "mysql://nope"}
    result = subprocess.run(
        [sys.executable, "main.py"], input="", cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "LIGHTHOUSE_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_command(tmp_path):
    result = run_main(tmp_path, "", "db", "upgrade")
    assert result.returncode == 0 and "revision" in result.stdout


def test_render_shows_buttons_as_the_commands_they_send():
    reply = Reply(
        text="Hello",
        sections=[Section(title="T", text="body", fields=[Field("A", "1")], buttons=[Button("Go", "more x 2")])],
    )
    out = render(reply)
    assert "== T ==" in out and "A: 1" in out and "[Go → more x 2]" in out
