"""Knowledge files that broke a whole ingest, or were read wrong: values PyYAML cannot build (`2024-02-30`),
file names that are not UTF-8, a folder moved or copied before a file was deleted from it, and a CSV quote
that is never closed.

Each bad file is reported on its own with the reason; every good file beside it is stored.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge import cli
from knowledge.ingest import IngestReport, ingest
from knowledge.service import KnowledgeService
from storage.database import Database
from storage.models import Document
from tests.knowledge_fakes import FakeEncoder, small_knowledge_base

KNOWLEDGE_BASE_IDS = {
    "pilot-school-meals", "pilot-peer-support", "pilot-teach-back", "expert-anna-holm", "expert-bo-berg",
    "expert-carla-diaz", "expert-dan-eriksson", "report-food-synthesis", "eval-peer-chat", "tool-pocket-card",
}


async def stored(db: Database) -> dict[str, Document]:
    async with db.session() as session:
        return {d.source_id: d for d in (await session.execute(select(Document))).scalars()}


def problems(report: IngestReport) -> dict[str, str]:
    return {error.path: error.reason for error in report.errors}


# --- Values PyYAML cannot build ------------------------------------------------------------------------

UNBUILDABLE = [
    ("feb30.md", "---\nkind: pilot\ntitle: Feb thirty\nstart: 2024-02-30\n---\nText\n",
     "front matter is not valid YAML (“2024-02-30” on line 4 is not a valid date: day is out of range for month)"),
    ("feb30.yaml", "kind: report\ntitle: Feb thirty\ndate: 2024-02-30\n",
     "not valid YAML (“2024-02-30” on line 3 is not a valid date: day is out of range for month)"),
    ("month13.md", "---\nkind: pilot\ntitle: Month thirteen\nend: 2020-13-45\n---\nText\n", "month must be in 1..12"),
    ("not-int.yaml", "- kind: report\n  title: Fine\n- kind: report\n  title: Count\n  pages: !!int abc\n",
     "“abc” on line 5 is not a valid whole number"),
    ("hour25.yaml", "kind: report\ntitle: Late\ndate: 2024-01-01T25:00:00\n", "hour must be in 0..23"),
    ("maybe.md", "---\nkind: tool\ntitle: Maybe\nfree: !!bool maybe\n---\nText\n", "“maybe” on line 4 is not a valid yes/no value"),
    ("digits.json", '[{"kind": "report", "title": "Digits", "pages": ' + "7" * 5000 + "}]", "not valid JSON (Exceeds the limit"),
]


@pytest.mark.parametrize(("name", "text", "reason"), UNBUILDABLE, ids=[case[0] for case in UNBUILDABLE])
async def test_a_value_the_parser_cannot_build_is_that_files_problem(core, tmp_path, name, text, reason):
    folder = small_knowledge_base(tmp_path / "kb")
    (folder / name).write_text(text, encoding="utf-8")
    report = await ingest(core.db, folder, FakeEncoder())
    assert list(problems(report)) == [name]
    assert reason in problems(report)[name]
    assert set(await stored(core.db)) == KNOWLEDGE_BASE_IDS


async def test_the_ingest_command_lists_a_bad_date_and_stores_the_rest(settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "get_encoder", lambda name: FakeEncoder())
    folder = small_knowledge_base(tmp_path / "kb")
    (folder / "feb30.md").write_text("---\nkind: pilot\ntitle: Feb thirty\nstart: 2024-02-30\n---\nText\n", encoding="utf-8")
    assert await cli.run_ingest(settings, folder) == 1
    out, err = capsys.readouterr()
    assert "feb30.md: front matter is not valid YAML" in " ".join(err.split())
    assert "added" in out and "10" in out


async def test_a_bad_date_does_not_stop_the_first_load(core, tmp_path, caplog):
    folder = small_knowledge_base(tmp_path / "kb")
    (folder / "reports" / "feb30.yaml").write_text("kind: report\ntitle: Feb thirty\ndate: 2024-02-30\n", encoding="utf-8")
    core.settings.knowledge_dir = folder
    core.settings.ingest_demo_on_empty = True
    knowledge = KnowledgeService(core.db, core.settings, encoder=FakeEncoder(), check_interval=0)
    await knowledge.fill_when_empty()
    assert set(await stored(core.db)) == KNOWLEDGE_BASE_IDS
    assert "reports/feb30.yaml: not valid YAML" in caplog.text


# --- File names that are not UTF-8 ---------------------------------------------------------------------


def latin1_name(folder: Path, name: bytes) -> Path:
    """A path whose last part is `name`, bytes that are not UTF-8 (as a Latin-1 system writes "café")."""
    return folder / os.fsdecode(name)


async def test_a_file_name_that_is_not_utf8_is_stored_with_its_bytes_escaped(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    cafe = latin1_name(folder / "pilots", b"caf\xe9.md")
    cafe.write_text("---\nkind: pilot\nid: pilot-cafe\ntitle: Cafe talks\n---\nNeighbours meet over coffee.\n", encoding="utf-8")
    encoder = FakeEncoder()
    first = await ingest(core.db, folder, encoder)
    assert first.errors == [] and len(first.added) == 11
    assert (await stored(core.db))["pilot-cafe"].source_path == "pilots/caf\\xe9.md"

    again = await ingest(core.db, folder, encoder)
    assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], 11)
    cafe.unlink()
    assert (await ingest(core.db, folder, encoder)).removed == ["pilot-cafe"]


async def test_a_folder_whose_name_is_not_utf8_is_ingested_and_kept_in_step(core, tmp_path):
    folder = small_knowledge_base(latin1_name(tmp_path, b"r\xe9seau"))
    encoder = FakeEncoder()
    assert len((await ingest(core.db, folder, encoder)).added) == 10
    one_file = await ingest(core.db, folder / "pilots" / "school-meals.md", encoder)
    assert one_file.unchanged == 1 and one_file.added == []  # still known as a file of that folder
    (folder / "pilots" / "teach-back.md").unlink()
    assert (await ingest(core.db, folder, encoder)).removed == ["pilot-teach-back"]


# --- A folder moved or copied ----------------------------------------------------------------------------


async def test_a_file_deleted_from_a_copied_folder_is_removed(core, tmp_path):
    first = small_knowledge_base(tmp_path / "kb")
    encoder = FakeEncoder()
    await ingest(core.db, first, encoder)
    copy = Path(shutil.copytree(first, tmp_path / "kb2"))
    assert (await ingest(core.db, copy, encoder)).unchanged == 10

    (copy / "pilots" / "teach-back.md").unlink()
    report = await ingest(core.db, copy, encoder)
    assert report.removed == ["pilot-teach-back"] and report.unchanged == 9
    assert {d.meta["root"] for d in (await stored(core.db)).values()} == {str(copy)}


async def test_a_document_belongs_to_the_folder_that_last_found_it(core, tmp_path):
    """The same files in two folders ingested in turn: a file deleted from one folder is kept while the
    other folder was the last to find it, and removed when this one was (the other brings it back)."""
    one = small_knowledge_base(tmp_path / "one")
    two = Path(shutil.copytree(one, tmp_path / "two"))
    encoder = FakeEncoder()
    await ingest(core.db, one, encoder)
    await ingest(core.db, two, encoder)

    (one / "pilots" / "teach-back.md").unlink()
    kept = await ingest(core.db, one, encoder)  # found last by `two`, which still has it
    assert kept.removed == [] and "pilot-teach-back" in await stored(core.db)

    (one / "pilots" / "school-meals.md").unlink()
    removed = await ingest(core.db, one, encoder)  # found last by `one`
    assert removed.removed == ["pilot-school-meals"]
    assert (await ingest(core.db, two, encoder)).added == ["pilot-school-meals"]
    assert set(await stored(core.db)) == KNOWLEDGE_BASE_IDS


async def test_ingesting_one_copied_file_moves_only_that_document(core, tmp_path):
    first = small_knowledge_base(tmp_path / "kb")
    encoder = FakeEncoder()
    await ingest(core.db, first, encoder)
    copy = Path(shutil.copytree(first, tmp_path / "kb2"))
    assert (await ingest(core.db, copy / "pilots" / "school-meals.md", encoder)).errors == []
    roots = {source_id: d.meta["root"] for source_id, d in (await stored(core.db)).items()}
    assert roots.pop("pilot-school-meals") == str(copy / "pilots")
    assert set(roots.values()) == {str(first)}


# --- CSV quotes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ('tool,tool-b,"Card B,Never closed\n', "not valid CSV (a quote in the row on line 3 is never closed)"),
        ('tool,tool-b,"Card "B" plus",Fine\n', "in the row on line 3, a quoted value goes on after its closing quote"),
    ],
    ids=["unterminated", "text-after-closing-quote"],
)
async def test_a_csv_with_a_broken_quote_is_that_files_problem(core, tmp_path, row, reason):
    folder = small_knowledge_base(tmp_path / "kb")
    (folder / "tools" / "more.csv").write_text(
        "kind,id,title,summary\ntool,tool-a,Card A,Fine\n" + row + "tool,tool-c,Card C,More\n", encoding="utf-8"
    )
    report = await ingest(core.db, folder, FakeEncoder())
    assert list(problems(report)) == ["tools/more.csv"]
    assert reason in problems(report)["tools/more.csv"]
    assert set(await stored(core.db)) == KNOWLEDGE_BASE_IDS


async def test_quotes_written_the_csv_way_still_read(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    (folder / "tools" / "more.csv").write_text(
        'kind,id,title,summary\ntool,tool-q,"The ""Ask me"" card","Two lines,\nwith a comma"\n', encoding="utf-8"
    )
    report = await ingest(core.db, folder, FakeEncoder())
    assert report.errors == []
    assert (await stored(core.db))["tool-q"].title == 'The "Ask me" card'
