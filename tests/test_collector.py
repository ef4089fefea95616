"""The garbage collector's pauses (knowledge/collector.py): the start-up's and a model load's, in either order."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge import collector


@pytest.fixture(autouse=True)
def collector_restored():
    assert gc.isenabled() and not collector.is_paused()
    yield
    collector.start_up_ends()
    gc.enable()


@pytest.mark.parametrize("start_up_ends_first", [True, False])
def test_the_collector_runs_again_once_the_last_pause_ends(start_up_ends_first):
    collector.start_up_begins()
    collector.start_up_begins()  # once: a second call changes nothing
    assert not gc.isenabled()
    load = collector.paused()
    load.__enter__()
    ends = [collector.start_up_ends, lambda: load.__exit__(None, None, None)]
    if not start_up_ends_first:
        ends.reverse()
    ends[0]()
    assert not gc.isenabled() and collector.is_paused()
    ends[1]()
    assert gc.isenabled() and not collector.is_paused()
    assert gc.get_freeze_count() > 0  # what was built meanwhile is left out of later full collections
    gc.unfreeze()


def test_without_a_start_up_pause_its_end_changes_nothing():
    collector.start_up_ends()
    assert gc.isenabled() and not collector.is_paused()
    with collector.paused():
        assert not gc.isenabled()
        collector.start_up_ends()  # another program's start: the model load's pause stands
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.unfreeze()


def test_the_command_line_pauses_the_collector_only_to_start_the_bot(tmp_path):
    """`python main.py <command>` other than the bot itself runs with the collector on."""
    code = (
        "import gc, runpy, sys\n"
        "import knowledge.collector as collector\n"
        "seen = []\n"
        "ends = collector.start_up_ends\n"
        "collector.start_up_ends = lambda: (seen.append(gc.isenabled()), ends(), seen.append(gc.isenabled()))\n"
        "sys.argv = ['main.py', 'export-ics', '--out', sys.argv[1]]\n"
        "try:\n"
        "    runpy.run_path('main.py', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(seen)\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTHOUSE_")}
    env["LIGHTHOUSE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "events.ics")], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[False, True]"
