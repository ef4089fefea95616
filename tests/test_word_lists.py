"""The word lists shipped from word frequencies (knowledge/english_lookalikes.py, bot/app/command_lookalikes.py)
are what scripts/word_lists.py makes of today's glossary and commands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_word_lists_are_current_with_the_glossary_and_the_commands():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "word_lists.py"), "--check"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
