"""Ingest: every format, idempotency by content hash, bad files reported, no half-written documents."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

import knowledge.ingest as ingest_module
from knowledge.embeddings import from_bytes
from knowledge.ingest import delete_documents, ingest
from storage.models import Chunk, Document, KnowledgeVersion, Member, Organisation, Pilot, PlatformIdentity
from tests.knowledge_fakes import FakeEncoder, pilot, small_knowledge_base


async def documents(core) -> dict[str, Document]:  # noqa: ANN001
    async with core.db.session() as session:
        rows = (await session.execute(select(Document))).scalars().all()
    return {d.source_id: d for d in rows}


async def chunk_count(core, source_id: str | None = None) -> int:  # noqa: ANN001
    async with core.db.session() as session:
        query = select(func.count(Chunk.id))
        if source_id:
            query = query.join(Document).where(Document.source_id == source_id)
        return int((await session.execute(query)).scalar())


async def version(core) -> int:  # noqa: ANN001
    async with core.db.session() as session:
        return int((await session.execute(select(KnowledgeVersion.version))).scalar() or 0)


async def test_every_format_is_read(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    report = await ingest(core.db, folder, FakeEncoder())
    assert report.errors == []
    docs = await documents(core)
    assert set(docs) == {
        "pilot-school-meals", "pilot-peer-support", "pilot-teach-back", "expert-anna-holm", "expert-bo-berg",
        "expert-carla-diaz", "expert-dan-eriksson", "report-food-synthesis", "eval-peer-chat", "tool-pocket-card",
    }
    meals = docs["pilot-school-meals"]
    assert (meals.kind, meals.themes, meals.countries, meals.source_path) == ("pilot", ["obesity"], ["DK"], "pilots/school-meals.md")
    assert meals.published_on.isoformat() == "2023-08-01"
    assert docs["tool-pocket-card"].themes == ["health_literacy", "equity"]
    assert docs["tool-pocket-card"].url == "https://example.org/tools/card"
    assert docs["eval-peer-chat"].published_on.isoformat() == "2024-03-01"
    async with core.db.session() as session:
        chunks = (await session.execute(select(Chunk).join(Document).where(Document.source_id == "pilot-school-meals").order_by(Chunk.ordinal))).scalars().all()
        facts = (await session.execute(select(Pilot))).scalars().all()
        organisations = {o.name: (o.sector, o.country) for o in (await session.execute(select(Organisation))).scalars()}
    # A facts overview, then one passage per heading.
    assert [c.heading for c in chunks] == ["Overview", "Summary", "Learnings"]
    vector = from_bytes(chunks[1].embedding)
    assert vector.dtype == np.float32 and vector.shape == (FakeEncoder.dimension,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    assert {f.title for f in facts} == {"Healthy school meals in Nordby", "Peer support chat for teenagers", "Teach-back training in citizen services"}
    assert organisations["Madrid Food Lab"] == ("research", "ES")
    assert organisations["Nordby Municipality"] == ("municipality", "DK")


async def test_rerun_changes_nothing_edit_reembeds_one_delete_removes(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    encoder = FakeEncoder()
    first = await ingest(core.db, folder, encoder)
    assert len(first.added) == 10 and first.chunks == len(encoder.encoded)
    before = {k: (d.id, d.content_hash, d.updated_at) for k, d in (await documents(core)).items()}
    version_before = await version(core)

    encoder.encoded.clear()
    again = await ingest(core.db, folder, encoder)
    assert (again.added, again.updated, again.removed, again.unchanged, again.chunks) == ([], [], [], 10, 0)
    assert encoder.encoded == []
    assert {k: (d.id, d.content_hash, d.updated_at) for k, d in (await documents(core)).items()} == before
    assert await version(core) == version_before

    pilot(tmp_path / "kb", "peer-support", "Peer support chat for teenagers", "## Summary\nNow also for parents.",
          themes=["mental_health"], countries=["SE"])
    edited = await ingest(core.db, folder, encoder)
    assert edited.updated == ["pilot-peer-support"] and edited.added == [] and edited.unchanged == 9
    assert all("Peer support chat for teenagers" in text for text in encoder.encoded)
    after = await documents(core)
    assert after["pilot-peer-support"].id == before["pilot-peer-support"][0]  # updated in place
    assert after["pilot-peer-support"].content_hash != before["pilot-peer-support"][1]
    assert await chunk_count(core, "pilot-peer-support") == 2
    assert await version(core) > version_before

    (folder / "pilots" / "teach-back.md").unlink()
    removed = await ingest(core.db, folder, encoder)
    assert removed.removed == ["pilot-teach-back"]
    assert "pilot-teach-back" not in await documents(core)
    assert await chunk_count(core, "pilot-teach-back") == 0
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(Pilot.id)))).scalar() == 2


async def test_a_corrupt_file_is_reported_and_the_others_are_ingested(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    (folder / "pilots" / "broken.md").write_text("---\nkind: pilot\ntitle: [unclosed\n---\nText", encoding="utf-8")
    (folder / "pilots" / "no-front-matter.md").write_text("# Just a heading\nText", encoding="utf-8")
    (folder / "reports" / "bad.json").write_text('[{"kind": "report", "title": "x",}]', encoding="utf-8")
    (folder / "tools" / "more.csv").write_text(
        "kind,id,title,countries,summary\ntool,tool-ok,Good tool,DK,Fine\ntool,tool-bad,Bad tool,Atlantis,Oops\n", encoding="utf-8"
    )
    (folder / "pilots" / "binary.md").write_bytes(b"\xff\xfe\x00bad")
    report = await ingest(core.db, folder, FakeEncoder())
    problems = {e.path: e.reason for e in report.errors}
    assert set(problems) == {"pilots/broken.md", "pilots/no-front-matter.md", "reports/bad.json", "tools/more.csv", "pilots/binary.md"}
    assert "not valid YAML" in problems["pilots/broken.md"] and "line" in problems["pilots/broken.md"]
    assert "front matter" in problems["pilots/no-front-matter.md"]
    assert "not valid JSON" in problems["reports/bad.json"]
    assert "Atlantis" in problems["tools/more.csv"]
    assert "item 2" in str(next(e for e in report.errors if e.path == "tools/more.csv"))
    assert "UTF-8" in problems["pilots/binary.md"]
    docs = await documents(core)
    assert len(docs) == 11 and "tool-ok" in docs and "tool-bad" not in docs


async def test_a_file_that_breaks_keeps_its_previous_documents(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    await ingest(core.db, folder, FakeEncoder())
    (folder / "reports" / "evaluations.json").write_text("[{oops", encoding="utf-8")
    report = await ingest(core.db, folder, FakeEncoder())
    assert [e.path for e in report.errors] == ["reports/evaluations.json"]
    assert report.removed == []
    assert "eval-peer-chat" in await documents(core)


async def test_duplicate_ids_and_unknown_kinds_are_reported(core, tmp_path):
    folder = tmp_path / "kb"
    pilot(folder, "one", "First", "Text", id="same-id")
    pilot(folder, "two", "Second", "Text", id="same-id")
    pilot(folder, "three", "Third", "Text", kind="poem")
    report = await ingest(core.db, folder, FakeEncoder())
    reasons = [str(e) for e in report.errors]
    assert any("pilots/two.md" in r and "already used in pilots/one.md" in r for r in reasons)
    assert any("pilots/three.md" in r and "kind is “poem”" in r for r in reasons)
    assert set(await documents(core)) == {"same-id"}


async def test_a_failure_mid_ingest_leaves_no_half_written_document(core, tmp_path, monkeypatch):
    folder = small_knowledge_base(tmp_path / "kb")
    await ingest(core.db, folder, FakeEncoder())
    old = (await documents(core))["pilot-peer-support"]
    old_chunks = await chunk_count(core, "pilot-peer-support")

    # Edit two pilots; storing one of them fails after its chunks were written.
    pilot(folder, "peer-support", "Peer support chat for teenagers", "## Summary\nEdited.\n\n## More\nMore text.", themes=["mental_health"])
    pilot(folder, "new-one", "A new pilot", "## Summary\nBrand new.", themes=["equity"])
    original = ingest_module.pilot_facts

    def failing(document_id, source, passages):  # noqa: ANN001, ANN202
        if source.source_id == "pilot-peer-support":
            raise RuntimeError("disk full")
        return original(document_id, source, passages)

    monkeypatch.setattr(ingest_module, "pilot_facts", failing)
    report = await ingest(core.db, folder, FakeEncoder())
    assert report.added == ["pilot-new-one"]
    assert [(e.path, "disk full" in e.reason) for e in report.errors] == [("pilots/peer-support.md", True)]
    docs = await documents(core)
    assert docs["pilot-peer-support"].content_hash == old.content_hash  # the old version, whole
    assert await chunk_count(core, "pilot-peer-support") == old_chunks
    assert await chunk_count(core, "pilot-new-one") == 2

    monkeypatch.setattr(ingest_module, "pilot_facts", original)
    retry = await ingest(core.db, folder, FakeEncoder())
    assert retry.updated == ["pilot-peer-support"] and retry.errors == []
    assert await chunk_count(core, "pilot-peer-support") == 3


async def test_an_encoder_crash_writes_nothing_for_the_group(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")

    class Broken(FakeEncoder):
        def encode(self, texts, *, batch_size=32):  # noqa: ANN001, ANN202
            raise MemoryError("out of memory")

    with pytest.raises(MemoryError):
        await ingest(core.db, folder, Broken())
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(Document.id)))).scalar() == 0
        assert (await session.execute(select(func.count(Chunk.id)))).scalar() == 0


async def test_experts_are_linked_to_members(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    from tests.knowledge_fakes import expert

    expert(folder, "eve", "Eve Quist", "Kronby Region", "region", "SE", ["digital triage"], "## About\nEve.", member="slack:U0EVE")
    await chat_member(core, "bo-berg", role="coordinator", sector="hospital")
    await ingest(core.db, folder, FakeEncoder())
    docs = await documents(core)
    async with core.db.session() as session:
        identities = (await session.execute(select(PlatformIdentity.platform, PlatformIdentity.platform_user_id, PlatformIdentity.member_id))).all()
        by_id = {m.id: m for m in (await session.execute(select(Member))).unique().scalars()}
        members = {f"{platform}:{user}": by_id[member_id] for platform, user, member_id in identities}
        anna = members["console:anna-holm"]
        assert (anna.display_name, anna.role, anna.sector, anna.country) == ("Anna Holm", "expert", "municipality", "DK")
        assert anna.organisation.name == "Nordby Municipality"
        assert anna.expertise == ["school food policy", "public food procurement"]
        assert docs["expert-anna-holm"].member_id == anna.id
        eve = members["slack:U0EVE"]
        assert docs["expert-eve"].member_id == eve.id and "console:eve" not in members
        # A member who already existed is not linked until they confirm (docs/knowledge.md): nothing of
        # theirs changes.
        bo = members["console:bo-berg"]
        assert (bo.role, bo.sector, bo.country) == ("coordinator", "hospital", None)
        assert docs["expert-bo-berg"].member_id is None
        assert (await session.execute(select(func.count(Member.id)))).scalar() == 5
    from bot.members.service import confirm_expert_profile

    assert await confirm_expert_profile(core, bo.id, "expert-bo-berg") == "Bo Berg"
    # Linked, a changed profile fills their empty fields; they keep their role and what they set themselves.
    path = folder / "experts" / "bo-berg.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert (await ingest(core.db, folder, FakeEncoder())).unconfirmed == []
    async with core.db.session() as session:
        bo = await session.get(Member, bo.id)
        assert (bo.role, bo.sector, bo.country) == ("coordinator", "hospital", "DK")
    assert (await documents(core))["expert-bo-berg"].member_id == bo.id


async def chat_member(core, user_id: str, **fields) -> Member:  # noqa: ANN001, ANN003
    from bot.members.service import resolve_member
    from bot.message import Author

    async with core.db.session() as session, session.begin():
        member = await resolve_member(session, Author(platform="console", user_id=user_id, display_name=user_id))
        for key, value in fields.items():
            setattr(member, key, value)
    return member


async def test_delete_documents_bumps_the_version(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    await ingest(core.db, folder, FakeEncoder())
    before = await version(core)
    doc = (await documents(core))["tool-pocket-card"]
    assert await delete_documents(core.db, [doc.id]) == 1
    assert await version(core) == before + 1
    assert await chunk_count(core, "tool-pocket-card") == 0


async def test_ingesting_one_file_only_touches_that_file(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    await ingest(core.db, folder, FakeEncoder())
    single = await ingest(core.db, folder / "pilots" / "school-meals.md", FakeEncoder())
    assert single.removed == [] and single.unchanged == 1
    assert len(await documents(core)) == 10


class CountingEncoder(FakeEncoder):
    """Records how many texts each call to the model gets."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[int] = []

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        self.calls.append(len(texts))
        return super().encode(texts, batch_size=batch_size)


async def test_progress_moves_per_batch_and_vectors_stay_with_their_passages(core, tmp_path):
    folder = small_knowledge_base(tmp_path / "kb")
    encoder, seen = CountingEncoder(), []
    report = await ingest(core.db, folder, encoder, batch_size=4, progress=lambda done, total: seen.append((done, total)))
    total = report.chunks
    assert total > 8 and all(count <= 4 for count in encoder.calls) and sum(encoder.calls) == total
    # One step per batch of the model, from 0 to every chunk.
    assert [done for done, _ in seen] == [0, *np.cumsum(encoder.calls)]
    assert {t for _, t in seen} == {total} and seen[-1] == (total, total)
    # Batches are cut from a length-sorted order, but each stored vector is its own passage's.
    async with core.db.session() as session:
        rows = (await session.execute(select(Chunk.id, Chunk.embedding))).all()
    again = await ingest(core.db, folder, FakeEncoder())  # unchanged: nothing re-embedded
    assert again.unchanged == report.unchanged + len(report.added)
    reference = FakeEncoder()
    async with core.db.session() as session:
        stored = (await session.execute(select(Chunk, Document.title).join(Document))).all()
    from knowledge.chunking import embedding_text

    for chunk, title in stored:
        expected = reference.encode([embedding_text(title, chunk.heading, chunk.text)])[0]
        assert np.allclose(from_bytes(chunk.embedding), expected, atol=1e-6)
    assert len(rows) == total
