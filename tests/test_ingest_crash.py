"""Crash safety: an ingest killed with SIGKILL midway leaves a consistent database, and a re-run completes it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.knowledge_fakes import pilot

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = 400


def knowledge_folder(folder: Path) -> Path:
    for n in range(DOCUMENTS):
        sections = "\n\n".join(
            f"## Part {part}\nPilot {n} part {part} tested community nutrition work with {n % 7} schools "
            f"and {part * 3} clinics; the learning was about shared care and follow-up in region {n % 11}."
            for part in range(4)
        )
        pilot(folder, f"p{n:04d}", f"Pilot number {n}", f"# Pilot number {n}\n\n{sections}", themes=["obesity"])
    return folder


def start_ingest(database: Path, folder: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "LIGHTHOUSE_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    return subprocess.Popen(
        [sys.executable, "main.py", "ingest", str(folder)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def count(database: Path, sql: str) -> int:
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql).fetchone()[0]


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun(tmp_path):
    folder = knowledge_folder(tmp_path / "kb")
    database = tmp_path / "crash.db"
    process = start_ingest(database, folder)
    try:
        deadline = time.monotonic() + 240
        stored = 0
        while time.monotonic() < deadline and process.poll() is None:
            if database.exists():
                try:
                    stored = count(database, "SELECT count(*) FROM documents")
                except sqlite3.OperationalError:  # tables not created yet
                    stored = 0
            if stored >= 5:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the ingest finished before it could be interrupted"
        assert 0 < stored < DOCUMENTS
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    # One transaction per document: none is left without its chunks or its pilot facts.
    assert count(database, "SELECT count(*) FROM documents d WHERE NOT EXISTS "
                           "(SELECT 1 FROM chunks c WHERE c.document_id = d.id)") == 0
    assert count(database, "SELECT count(*) FROM documents d WHERE d.kind = 'pilot' AND NOT EXISTS "
                           "(SELECT 1 FROM pilots p WHERE p.document_id = d.id)") == 0
    assert count(database, "SELECT count(*) FROM chunks WHERE embedding IS NULL") == 0
    before = count(database, "SELECT count(*) FROM documents")

    rerun = start_ingest(database, folder)
    output, _ = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, output
    assert count(database, "SELECT count(*) FROM documents") == DOCUMENTS > before
    assert count(database, "SELECT count(DISTINCT source_id) FROM documents") == DOCUMENTS
    chunks = count(database, "SELECT count(*) FROM chunks")
    assert count(database, "SELECT count(*) FROM (SELECT document_id, ordinal FROM chunks "
                           "GROUP BY document_id, ordinal HAVING count(*) > 1)") == 0

    third = start_ingest(database, folder)  # nothing left to do: no duplicates appear
    output, _ = third.communicate(timeout=600)
    assert third.returncode == 0, output
    assert count(database, "SELECT count(*) FROM chunks") == chunks
