"""How fast the interactive console ends: `quit`, Ctrl-C at the prompt, and Ctrl-C while a search waits
for the model. Drives `python main.py` through a pseudo-terminal (pexpect) and prints seconds from the key
to the end of the process, with its exit status.

    python bench/console_exit.py [--database-url URL]

The search case needs a knowledge base (the default database after the demo ingest, or any URL).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
PROMPT = re.compile(r"\x1b\[\?2004h(?:\x1b\[[0-9;?]*[A-Za-z])*you>")


def start(env: dict[str, str]) -> pexpect.spawn:
    child = pexpect.spawn(sys.executable, [str(ROOT / "main.py")], env=env, dimensions=(40, 120), encoding="utf-8", timeout=300)
    child.expect(PROMPT)
    return child


def ends(child: pexpect.spawn, keys: str, *, wait_for: str | None = None) -> tuple[float, int | None]:
    child.send(keys)
    if wait_for:
        child.expect_exact(wait_for)
    started = time.perf_counter()
    child.send("\x03") if wait_for else None
    child.expect(pexpect.EOF, timeout=300)
    child.close()
    return time.perf_counter() - started, child.exitstatus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", help="a database with a knowledge base (default: the user's)")
    options = parser.parse_args()
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "LIGHTHOUSE_INGEST_DEMO_ON_EMPTY": "false"}
    if options.database_url:
        env["LIGHTHOUSE_DATABASE_URL"] = options.database_url
    with tempfile.TemporaryDirectory() as scratch:
        env["XDG_DATA_HOME"] = env.get("XDG_DATA_HOME", scratch) if options.database_url else env.get("XDG_DATA_HOME", "")
        if not env["XDG_DATA_HOME"]:
            del env["XDG_DATA_HOME"]
        for label, keys, wait_for in (
            ("quit at the prompt", "quit\r", None),
            ("Ctrl-C at the prompt", "\x03", None),
            ("Ctrl-C while a search waits for the model", "pilots school obesity\r", "Working on it"),
        ):
            child = start(env)
            started = time.perf_counter()
            if wait_for is None:
                child.send(keys)
                child.expect(pexpect.EOF, timeout=300)
                child.close()
                seconds, status = time.perf_counter() - started, child.exitstatus
            else:
                seconds, status = ends(child, keys, wait_for=wait_for)
            print(f"{label:45} {seconds * 1000:8.0f} ms   exit status {status}")


if __name__ == "__main__":
    main()
