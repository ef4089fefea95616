"""How fast the interactive console ends: `quit`, Ctrl-C at the prompt, and Ctrl-C while a search waits
for the model. Drives `python main.py` through a pseudo-terminal (pexpect) and prints the time from the
key to the end of the process (pexpect's own send and close delays, about 0.15 s, included), with the
exit status.

    python bench/console_exit.py [--database-url URL]

The search case needs a knowledge base: the default database after its first start (the demo ingest),
or any URL given here.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
PROMPT = re.compile(r"\x1b\[\?2004h(?:\x1b\[[0-9;?]*[A-Za-z])*you>")  # a fresh prompt, not a redraw
CTRL_C = "\x03"
CASES = (
    # (label, what to type first, text to wait for before Ctrl-C; None: the typed keys end the chat)
    ("quit at the prompt", "quit\r", None),
    ("Ctrl-C at the prompt", CTRL_C, None),
    ("Ctrl-C while a search waits for the model", "pilots school obesity\r", "Working on it"),
)


def measure(env: dict[str, str], keys: str, wait_for: str | None) -> tuple[float, int | None]:
    child = pexpect.spawn(sys.executable, [str(ROOT / "main.py")], env=env, dimensions=(40, 120), encoding="utf-8", timeout=300)
    child.expect(PROMPT)
    child.send(keys)
    if wait_for is not None:
        child.expect_exact(wait_for)  # the spinner: the answer is still being computed
        child.send(CTRL_C)
    started = time.perf_counter()
    child.expect(pexpect.EOF)
    child.close()
    return time.perf_counter() - started, child.exitstatus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="a database with a knowledge base (default: the user's own)")
    options = parser.parse_args()
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "LIGHTHOUSE_INGEST_DEMO_ON_EMPTY": "false"}
    if options.database_url:
        env["LIGHTHOUSE_DATABASE_URL"] = options.database_url
    for label, keys, wait_for in CASES:
        seconds, status = measure(env, keys, wait_for)
        print(f"{label:45} {seconds * 1000:8.0f} ms   exit status {status}")


if __name__ == "__main__":
    main()
