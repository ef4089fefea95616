"""The shipped list of common English words that other languages' glossaries cover
(knowledge/english_lookalikes.py) is what scripts/english_lookalikes.py makes of today's glossary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_shipped_english_lookalikes_are_current_with_the_glossary():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "english_lookalikes.py"), "--check"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
