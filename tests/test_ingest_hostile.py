"""Hostile knowledge files: alias bombs, deep nesting, huge files and fields, links out of the folder.

Each bad file is skipped with its path and the limit it broke; every good file beside it is stored.
"""

from __future__ import annotations

import resource
from pathlib import Path

import pytest
from sqlalchemy import select

from knowledge.ingest import ingest
from knowledge.sources import MEGABYTE, ReadLimits, read_file
from storage.models import Document
from tests.knowledge_fakes import FakeEncoder, pilot


def laughs(levels: int, fanout: int = 9) -> str:
    """A YAML alias bomb: each level names the previous one `fanout` times (`fanout ** levels` values)."""
    lines = ['lol0: &lol0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * fanout) + "]")
    return "\n".join(lines) + "\n"


async def stored_ids(core) -> set[str]:  # noqa: ANN001
    async with core.db.session() as session:
        return set((await session.execute(select(Document.source_id))).scalars())


def good_files(folder: Path) -> set[str]:
    pilot(folder, "meals", "School meals", "## Summary\nHot meals for pupils.", themes=["obesity"])
    pilot(folder, "chat", "Peer chat", "## Summary\nVolunteers answer teenagers.", themes=["mental_health"])
    (folder / "tools.csv").write_text("kind,id,title,summary\ntool,tool-card,Pocket card,Phrases to check understanding\n")
    return {"pilot-meals", "pilot-chat", "tool-card"}


def problems(report) -> dict[str, str]:  # noqa: ANN001
    return {error.path: error.reason for error in report.errors}


async def test_alias_bombs_are_skipped_and_the_rest_is_stored(core, tmp_path):
    folder = tmp_path / "kb"
    expected = good_files(folder)
    # 9 ** 6 = 531,441 values once expanded: over the budget, yet small enough to expand without the limit.
    (folder / "bomb.yaml").write_text(laughs(6) + "kind: report\ntitle: Bomb\nsummary: *lol6\n", encoding="utf-8")
    (folder / "front.md").write_text("---\n" + laughs(6) + "kind: pilot\ntitle: *lol6\n---\nText\n", encoding="utf-8")
    report = await ingest(core.db, folder, FakeEncoder())
    found = problems(report)
    assert set(found) == {"bomb.yaml", "front.md"}
    assert found["bomb.yaml"].startswith("skipped:") and "billion laughs" in found["bomb.yaml"]
    assert "front matter" in found["front.md"] and "billion laughs" in found["front.md"]
    assert await stored_ids(core) == expected


def test_a_billion_laughs_is_refused_while_it_is_read(tmp_path):
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text(laughs(9) + "kind: report\ntitle: Laughs\nsummary: *lol9\n", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    content = read_file(bomb, "laughs.yaml")
    assert content.documents == [] and "billion laughs" in content.errors[0].reason
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024  # KiB: no expansion


def test_anchors_within_the_budget_still_work(tmp_path):
    path = tmp_path / "reports.yaml"
    path.write_text(
        "- &base\n  kind: report\n  id: r1\n  title: First\n  themes: [obesity]\n  summary: One.\n"
        "- <<: *base\n  id: r2\n  title: Second\n",
        encoding="utf-8",
    )
    content = read_file(path, "reports.yaml")
    assert content.errors == []
    assert [(d.source_id, d.themes, d.body) for d in content.documents] == [
        ("r1", ["obesity"], "One."), ("r2", ["obesity"], "One.")
    ]


def test_a_recursive_alias_is_refused(tmp_path):
    path = tmp_path / "loop.yaml"
    path.write_text("kind: report\ntitle: Loop\nsummary: &me [*me]\n", encoding="utf-8")
    (error,) = read_file(path, "loop.yaml").errors
    assert error.reason.startswith("skipped:") and "recursive" in error.reason


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("deep.json", "[" * 100_000 + "]" * 100_000),
        ("deep.yaml", "[" * 100_000 + "]" * 100_000),
        ("deep.md", "---\nkind: pilot\ntitle: Deep\ntags: " + "[" * 100_000 + "]" * 100_000 + "\n---\nText\n"),
        ("hundred.json", '{"kind": "report", "title": "Deep", "summary": ' + "[" * 100 + "]" * 100 + "}"),
        ("hundred.yaml", "kind: report\ntitle: Deep\nsummary: " + "[" * 100 + "]" * 100 + "\n"),
    ],
)
async def test_deep_nesting_is_skipped_not_a_crash(core, tmp_path, name, text):
    folder = tmp_path / "kb"
    expected = good_files(folder)
    (folder / name).write_text(text, encoding="utf-8")
    report = await ingest(core.db, folder, FakeEncoder())
    (error,) = report.errors
    assert error.path == name and error.reason.startswith("skipped:") and "nested more than 32 levels" in error.reason
    assert await stored_ids(core) == expected


async def test_a_file_over_the_size_limit_is_skipped_unread(core, tmp_path):
    folder = tmp_path / "kb"
    expected = good_files(folder)
    huge = pilot(folder, "huge", "Huge", "## Summary\n" + "words " * 400_000)  # 2.4 MB
    report = await ingest(core.db, folder, FakeEncoder(), limits=ReadLimits.with_max_file_mb(2))
    assert [(e.path, e.reason) for e in report.errors] == [
        ("pilots/huge.md", f"skipped: larger than the 2 MB limit for one file (LIGHTHOUSE_INGEST_MAX_FILE_MB): {huge.stat().st_size:,} bytes")
    ]
    assert await stored_ids(core) == expected
    assert ReadLimits().max_file_bytes == 10 * MEGABYTE


async def test_a_document_of_too_many_passages_is_skipped_before_it_is_embedded(core, tmp_path):
    """Within the size limit, one long run of text would hold the ingest for an hour of embedding."""
    folder = tmp_path / "kb"
    expected = good_files(folder)
    pilot(folder, "endless", "Endless", "## Summary\n" + "obesity " * 400_000)  # 3.2 MB, some 2,500 passages
    encoder = FakeEncoder()
    report = await ingest(core.db, folder, encoder)
    (error,) = report.errors
    assert error.path == "pilots/endless.md"
    assert error.reason.startswith("skipped: 2,") and "the limit for one document is 2,000" in error.reason
    assert await stored_ids(core) == expected
    assert ReadLimits().max_passages == 2_000


async def test_a_file_of_too_many_passages_in_all_is_skipped_before_it_is_embedded(core, tmp_path):
    """150,000 one-line records in one CSV (9.5 MB, within the size limit) would take hours to store."""
    folder = tmp_path / "kb"
    expected = good_files(folder)
    rows = "".join(f"tool,tool-{n},Tool {n},A short tool about obesity\n" for n in range(3_000))  # two passages each
    (folder / "many.csv").write_text("kind,id,title,summary\n" + rows, encoding="utf-8")
    report = await ingest(core.db, folder, FakeEncoder())
    assert [(e.path, e.reason) for e in report.errors] == [
        ("many.csv", "skipped: 6,000 passages to embed; the limit for one file is 5,000; split it into several files")
    ]
    assert await stored_ids(core) == expected
    assert ReadLimits().max_file_passages == 5_000


async def test_a_stored_document_grown_past_the_passage_limit_keeps_its_stored_version(core, tmp_path):
    folder = tmp_path / "kb"
    expected = good_files(folder)
    report = await ingest(core.db, folder, FakeEncoder())
    assert report.errors == []
    pilot(folder, "meals", "School meals", "## Summary\n" + "meals " * 30_000)
    report = await ingest(core.db, folder, FakeEncoder(), limits=ReadLimits(max_passages=100))
    assert [e.path for e in report.errors] == ["pilots/meals.md"] and report.removed == []
    assert await stored_ids(core) == expected


async def test_a_huge_csv_field_is_skipped(core, tmp_path):
    folder = tmp_path / "kb"
    expected = good_files(folder)
    (folder / "big.csv").write_text("kind,id,title,summary\ntool,tool-big,Big,\"" + "x" * 2_000_000 + "\"\n", encoding="utf-8")
    report = await ingest(core.db, folder, FakeEncoder())
    assert [(e.path, e.reason) for e in report.errors] == [
        ("big.csv", "skipped: a field is longer than 1,000,000 characters")
    ]
    assert await stored_ids(core) == expected


async def test_a_link_to_a_file_outside_the_folder_is_not_followed(core, tmp_path):
    folder = tmp_path / "kb"
    expected = good_files(folder)
    secret = pilot(tmp_path / "elsewhere", "secret", "Private notes", "## Summary\nNot for the bot.")
    (folder / "pilots" / "linked.md").symlink_to(secret)
    report = await ingest(core.db, folder, FakeEncoder())
    found = problems(report)
    assert found["pilots/linked.md"] == "skipped: a symbolic link to a file outside the knowledge folder"
    assert "pilot-secret" not in await stored_ids(core)
    # A file stored before, replaced by such a link, is gone from the folder: its document is deleted.
    (folder / "pilots" / "chat.md").rename(tmp_path / "elsewhere" / "chat.md")
    (folder / "pilots" / "chat.md").symlink_to(tmp_path / "elsewhere" / "chat.md")
    again = await ingest(core.db, folder, FakeEncoder())
    assert again.removed == ["pilot-chat"] and "pilots/chat.md" in problems(again)
    expected.discard("pilot-chat")
    assert await stored_ids(core) == expected and set(found) == {"pilots/linked.md"}


async def test_a_file_cannot_take_the_id_of_a_document_the_bot_writes_itself(core, chat, tmp_path):
    """A member's own expert profile (`member-profile:ID`) and a kept community answer (`community-answer:ID`)
    are written by the bot; a knowledge file claiming one of their ids would overwrite the member's
    profile, and deleting that file later would delete it."""
    from knowledge.profiles import profile_source_id
    from tests.events_support import member_id

    await chat.say("profile set expertise school meals", as_user="mette")
    taken = profile_source_id(await member_id(core, "mette"))
    folder = tmp_path / "kb"
    expected = good_files(folder)
    pilot(folder, "squatter", "Not Mette at all", "## Summary\nSomething else.", id=taken)
    pilot(folder, "answer", "Not an answer", "## Summary\nSomething else.", id="community-answer:1")
    # In any case: SQLite's LIKE would take it for the bot's own, and re-embed it at every ingest.
    pilot(folder, "shouting", "Not Mette either", "## Summary\nSomething else.", id=f" {taken.upper()}")

    report = await ingest(core.db, folder, FakeEncoder())
    assert set(problems(report)) == {"pilots/squatter.md", "pilots/answer.md", "pilots/shouting.md"}
    assert expected <= await stored_ids(core)
    async with core.db.session() as session:
        title = (await session.execute(select(Document.title).where(Document.source_id == taken))).scalar_one()
    assert title == "mette"

    (folder / "pilots" / "squatter.md").unlink()
    await ingest(core.db, folder, FakeEncoder())
    assert taken in await stored_ids(core)


async def test_an_expert_profile_naming_no_account_is_a_problem_of_the_file_not_a_crash(core, tmp_path, caplog):
    folder = tmp_path / "kb"
    expected = good_files(folder)
    for name, member in (("blank", "slack:"), ("noplatform", "U012AB3CD"), ("unknown", "teams:U1")):
        (folder / f"{name}.md").write_text(
            f'---\nkind: expert\nname: "Person {name}"\nmember: "{member}"\n---\n## About\nSchool food.\n',
            encoding="utf-8",
        )
    report = await ingest(core.db, folder, FakeEncoder())
    found = problems(report)
    assert set(found) == {"blank.md", "noplatform.md", "unknown.md"}
    assert all("should look like platform:user-id" in reason and "could not be stored" not in reason
               for reason in found.values())
    assert "Traceback" not in caplog.text
    assert await stored_ids(core) == expected
