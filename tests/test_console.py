"""The console adapter end to end: `python main.py` with piped stdin, as a new user would run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from adapters.console import render, rich_reply, save_attachment
from bot.reply import Attachment, Button, Field, Link, Reply, Section

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


def test_piped_blank_lines_get_the_hint_to_type_help(tmp_path):
    result = run_main(tmp_path, "\n   \nprofile set sector hospital\n\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Type `help` to see what I can do.") == 3
    assert "Saved: sector = Hospital." in result.stdout and "Error" not in result.stdout


def test_as_option_chats_as_another_member(tmp_path):
    run_main(tmp_path, "profile set country Kenya\n", "--as", "wanjiru")
    assert "Country: Kenya" in run_main(tmp_path, "profile\n", "--as", "wanjiru").stdout
    assert "Country: —" in run_main(tmp_path, "profile\n", "--as", "someone-else").stdout


def test_an_empty_as_is_refused_with_one_line_and_creates_nobody(tmp_path):
    for name in ("", "   "):
        for args in (("--as", name), ("run", "--as", name)):
            result = run_main(tmp_path, "profile\n", *args)
            assert result.returncode == 2
            assert "--as needs a name" in result.stderr and "Traceback" not in result.stderr
            assert result.stdout == ""  # no chat was started, as `me` or anyone
    assert not (tmp_path / "chat.db").exists()


def test_an_empty_console_user_setting_means_the_default_member(tmp_path):
    from config.platform_settings import ConsoleSettings

    assert ConsoleSettings(user="  ").user == "me"
    assert ConsoleSettings(user=" wanjiru ").user == "wanjiru"


def test_bad_configuration_fails_with_one_line_naming_the_setting(tmp_path):
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": "mysql://nope"}
    result = subprocess.run(
        [sys.executable, "main.py"], input="", cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "LIGHTHOUSE_DATABASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_starting_the_bot_imports_neither_the_command_line_library_nor_pyyaml(tmp_path):
    """`python main.py` alone starts the bot without typer (nothing to parse); `--console` still parses."""
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    env["LIGHTHOUSE_INGEST_DEMO_ON_EMPTY"] = "false"

    def imported(*args: str) -> set[str]:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "main.py", *args], input="help\n", cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}

    alone = imported()
    assert "typer" not in alone and "yaml" not in alone and "adapters.console" in alone
    assert "typer" in imported("--console")


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


def test_piped_attachments_are_saved_in_the_current_folder_or_the_downloads_folder(tmp_path):
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}"}
    env["LIGHTHOUSE_INGEST_DEMO_ON_EMPTY"] = "false"
    here, downloads = tmp_path / "here", tmp_path / "downloads"
    here.mkdir(), downloads.mkdir()

    def export_twice(**extra: str) -> str:
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--as", "alice"], input="privacy export\nprivacy export\n",
            cwd=here, env={**env, **extra}, capture_output=True, text=True, timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    shown = export_twice()
    (first, second) = sorted(here.glob("*.json"), key=lambda p: len(p.name))
    assert second.name == first.name.replace(".json", "-2.json")  # the second never overwrites the first
    assert f"saved {first.name}" in shown and str(first) in shown and str(second) in shown
    assert f"saved {second.name}" in shown  # named as it was saved, not as the attachment was called
    assert json.loads(first.read_text(encoding="utf-8"))

    shown = export_twice(LIGHTHOUSE_CONSOLE_DOWNLOADS=str(downloads))
    assert len(list(downloads.glob("*.json"))) == 2 and str(downloads / first.name) in shown
    assert len(list(here.glob("*.json"))) == 2


def test_attachments_never_overwrite_or_leave_the_folder(tmp_path):
    first = save_attachment(Attachment("../../etc/passwd", b"one"), tmp_path)
    second = save_attachment(Attachment("../../etc/passwd", b"two"), tmp_path)
    assert first == tmp_path / "passwd" and second == tmp_path / "passwd-2"
    assert first.read_bytes() == b"one" and second.read_bytes() == b"two"
    assert save_attachment(Attachment(".hidden.ics", b"x"), tmp_path).name == "hidden.ics"


def test_terminal_rendering_shows_markdown_lists_and_keeps_line_breaks():
    reply = Reply(
        text="Intro with **bold** words\nsecond line\n• `help` — the list\n• `profile` — yours\nafter the list",
        sections=[Section(title="Title", fields=[Field("Sector", "Hospital")], link=Link("Source", "https://x.org/a"))],
        buttons=[Button("More (2/3)", "more abc 2")],
        tone="success",
    )
    out = Console(width=40, record=True, force_terminal=True, color_system="standard")
    out.print(rich_reply(reply))
    text = out.export_text(clear=False)
    lines = [line.strip() for line in text.splitlines()]
    assert "Intro with bold words" in lines and "second line" in lines  # ** is rendered, the break is kept
    assert "• help — the list" in lines and "• profile — yours" in lines and "after the list" in lines
    assert "Sector: Hospital" in lines and "Source: https://x.org/a" in lines
    assert "[More (2/3) → more abc 2]" in lines
    assert "\x1b[1m" in out.export_text(styles=True)  # bold really is bold


def test_terminal_rendering_wraps_at_word_boundaries():
    out = Console(width=30, record=True)
    out.print(rich_reply(Reply(text="knowledge transfer across borders between municipalities and hospitals")))
    words = set("knowledge transfer across borders between municipalities and hospitals".split())
    for line in out.export_text().splitlines():
        assert all(word in words for word in line.split()), line


def test_piped_ask_the_community_to_edit_shows_the_question(tmp_path):
    question = "how should a small municipality start a falls prevention programme with the hospital next door?"
    result = run_main(tmp_path, f"community ask --edit {question}\n")
    assert result.returncode == 0, result.stderr
    assert question in result.stdout  # the form cannot open here: the question must not be dropped
    assert "community ask" in result.stdout
