"""The interactive console through a pseudo-terminal, as a person at a keyboard meets it (pexpect).

The fast tests keep the model unloaded (no demo ingest, no search): paging, arrow-key history, attachments,
the console's form, quit and Ctrl-C. The slow one loads the real model to ingest a small folder and search.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parent.parent


def fresh_prompt(text: str) -> re.Pattern[str]:
    """A new prompt starting with `text` (prompt_toolkit switches bracketed paste on for each new prompt;
    its redraws while a line is typed do not), so an echo of typed text never matches."""
    return re.compile(r"\x1b\[\?2004h(?:\x1b\[[0-9;?]*[A-Za-z])*" + re.escape(text))


PROMPT = fresh_prompt("you>")
UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_D = "\x04"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


def plain(text: str) -> str:
    return ANSI.sub("", text)


class Terminal:
    """`python main.py` in a pseudo-terminal; `say` types a line and returns what came back before the prompt."""

    def __init__(self, tmp_path: Path, **settings: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTHOUSE_")}
        env.update(
            XDG_DATA_HOME=str(tmp_path / "data"),  # the history file goes here, never to the real home
            TERM="xterm",
            PROMPT_TOOLKIT_NO_CPR="1",  # pexpect does not answer cursor-position requests
            LIGHTHOUSE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
            LIGHTHOUSE_INGEST_DEMO_ON_EMPTY="false",
            LIGHTHOUSE_ADMINS="console:me",
        )
        env.update({f"LIGHTHOUSE_{name.upper()}": value for name, value in settings.items()})
        self.child = pexpect.spawn(
            sys.executable, [str(ROOT / "main.py")], cwd=str(tmp_path), env=env, dimensions=(40, 120),
            encoding="utf-8", timeout=120,
        )
        self.banner = self.wait()

    def wait(self) -> str:
        self.child.expect(PROMPT)
        return plain(self.child.before)

    def say(self, line: str) -> str:
        self.child.send(line + "\r")
        return self.wait()

    def exit_status(self, keys: str) -> int:
        """Send `keys` and wait for the process to end (a hang fails the test at the timeout)."""
        self.child.send(keys)
        self.child.expect(pexpect.EOF, timeout=20)
        self.child.close()
        return self.child.exitstatus


def days_ahead(days: int) -> str:
    """A date the real clock of the process under test still sees as the future."""
    return (date.today() + timedelta(days=days)).isoformat()


def test_paging_history_attachments_and_ctrl_c(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    term = Terminal(tmp_path, results_per_page="1", console_downloads=str(downloads))
    assert "Database: " + str(tmp_path / "chat.db") in " ".join(term.banner.split())
    for day in (3, 4, 5):
        start = f"{days_ahead(day)} 14:00 Europe/Copenhagen"
        assert "New event" in term.say(f'event add title="Event {day}" start="{start}"')

    first = term.say("event list")
    assert "(page 1 of 3)" in first and "Event 3" in first and "Event 4" not in first
    second = term.say("more")
    assert "(page 2 of 3)" in second and "Event 4" in second
    third = term.say("next")
    assert "(page 3 of 3)" in third and "Event 5" in third
    past_the_end = term.say("more")
    assert "No more results" in past_the_end and "expired" not in past_the_end

    # Up arrow brings back the line typed before (`more`), and Enter sends it again.
    term.child.send(UP)
    assert "No more results" in term.say("")

    saved = term.say("event ics 1")
    assert "saved lighthouse-event-1.ics" in saved
    assert (downloads / "lighthouse-event-1.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert "lighthouse-event-1-2.ics" in term.say("event ics 1")  # never over an earlier file

    assert term.exit_status(CTRL_C) == 130
    history = (tmp_path / "data" / "lighthouse-bot" / "console-history").read_text(encoding="utf-8")
    assert "+event list" in history and "+next" in history


def test_history_is_kept_between_sessions(tmp_path):
    term = Terminal(tmp_path)
    term.say("profile set country Kenya")
    assert term.exit_status("quit\r") == 0

    term = Terminal(tmp_path)
    term.child.send(UP + UP)  # `quit`, then the line before it
    # The recalled line runs again: the profile already says Kenya.
    assert "Your country was already Kenya" in term.say("")
    assert term.exit_status(CTRL_D) == 0


def test_an_empty_line_gets_the_hint_to_type_help(tmp_path):
    term = Terminal(tmp_path)
    for line in ("", "   "):
        assert "Type help to see what I can do." in term.say(line)
    assert term.exit_status(CTRL_D) == 0


@pytest.mark.parametrize("word", ["quit", "exit", "QUIT"])
def test_quit_and_exit_end_the_chat(tmp_path, word):
    term = Terminal(tmp_path)
    assert term.exit_status(word + "\r") == 0


def test_event_add_alone_asks_the_form_field_by_field(tmp_path):
    term = Terminal(tmp_path)

    def answer(field: str, value: str) -> str:
        term.child.expect(fresh_prompt(field))
        term.child.send(value + "\r")
        return plain(term.child.before)

    term.child.send("event add\r")
    answer("Title", "Obesity in schools")
    answer("Start", "")  # required: asked again
    assert "Start: date, time and time zone is required" in answer("Start", f"{days_ahead(3)} 14:00 Europe/Copenhagen")
    answer("Duration (optional)", "90m")
    answer("Place or link (optional)", "")
    answer("Description (optional)", "")
    created = term.wait()
    assert "New event #1: Obesity in schools" in created and "14:00–15:30" in created

    term.child.send("event add\r")
    term.child.expect(fresh_prompt("Title"))
    term.child.send(CTRL_D)
    assert "Form cancelled" in term.wait()
    assert term.exit_status(CTRL_C) == 130
    history = (tmp_path / "data" / "lighthouse-bot" / "console-history").read_text(encoding="utf-8")
    assert "+event add" in history and "Obesity in schools" not in history  # answers are not commands


def test_a_command_typed_into_a_form_is_run_only_when_the_member_says_so(tmp_path):
    term = Terminal(tmp_path)
    term.child.send("event add\r")
    term.child.expect(fresh_prompt("Title"))
    term.child.send("profile set country Kenya\r")
    term.child.expect("looks like a command. Leave the form and run it instead")
    term.child.send("n\r")
    term.child.expect(fresh_prompt("Title"))  # asked again: nothing was run, nothing taken as the title
    term.child.send("profile set country Kenya\r")
    term.child.expect("looks like a command")
    term.child.send("y\r")
    assert "Saved: country = Kenya" in term.wait()
    assert term.exit_status(CTRL_C) == 130


def test_a_form_of_one_field_echoes_the_command_as_it_would_be_typed(tmp_path):
    term = Terminal(tmp_path)
    term.child.send("community ask --edit how do we keep walking group volunteers motivated all winter\r")
    term.child.expect(fresh_prompt("Your question"))
    term.child.send("\r")  # the question as it was filled in
    asked = term.wait()
    assert "→ community ask how do we keep walking group volunteers motivated all winter" in asked
    assert "question=" not in asked and "Asked the community (question #1)" in asked
    assert term.exit_status(CTRL_C) == 130


@pytest.mark.slow
def test_ctrl_c_after_a_search_with_the_real_model(tmp_path):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "data" / "demo" / "pilots", knowledge)
    term = Terminal(tmp_path, ingest_demo_on_empty="true", knowledge_dir=str(knowledge))
    # The first start's ingest runs in the background behind a live prompt; the search waits for it, and
    # normal start-up news is never a warning.
    found = term.say("pilots school obesity")
    assert "WARNING" not in term.banner + found
    assert "page 1 of" in found or "Result" in found or "pilot" in found.lower()
    assert term.exit_status(CTRL_C) == 130

    # Ctrl-C typed while an answer is still being computed ends the process the same way.
    term = Terminal(tmp_path, ingest_demo_on_empty="true", knowledge_dir=str(knowledge))
    term.child.send("find healthy school meals for children in municipalities\r")
    assert term.exit_status(CTRL_C) == 130
