"""Members who fill in their profile are experts like the ingested profiles: found at once, in every process,
while their expert-search consent is on; gone at once when it is off, when they erase, or list no expertise."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import func, select

from bot.app.core import Lighthouse
from knowledge.ingest import ingest
from knowledge.profiles import SOURCE_PATH, profile_source_id
from knowledge.service import KnowledgeService
from storage.models import Chunk, Document
from tests.knowledge_fakes import FakeEncoder, small_knowledge_base
from tests.support import Chat

EXPERTISE = "walking football, falls prevention for older men"


class UnableToEmbed(FakeEncoder):
    """A model that encodes questions but fails on profile passages, as if embedding had crashed."""

    def encode(self, texts: list[str], *, batch_size: int = 32) -> np.ndarray:
        if any("Expertise:" in text for text in texts):
            raise RuntimeError("no passages today")
        return super().encode(texts, batch_size=batch_size)


def knowledge_with(encoder: FakeEncoder, settings, *, check_interval: float = 0):  # noqa: ANN001, ANN201
    """How a core's knowledge base is made from its database, with this model."""
    return lambda db: KnowledgeService(db, settings, encoder=encoder, check_interval=check_interval)


@pytest.fixture
def encoder_class() -> type[FakeEncoder]:
    return FakeEncoder


@pytest.fixture
def knowledge(database, settings, encoder_class) -> KnowledgeService:  # noqa: ANN001
    return knowledge_with(encoder_class(), settings)(database)


@pytest.fixture
async def loaded(core, tmp_path) -> KnowledgeService:  # noqa: ANN001
    report = await ingest(core.db, small_knowledge_base(tmp_path / "kb"), FakeEncoder())
    assert report.errors == []
    return core.knowledge


@pytest.fixture
async def second(core_with, settings, loaded):  # noqa: ANN001, ANN201
    """Another bot process on the same database, started before the profile changes."""
    other = Chat(await core_with(knowledge=knowledge_with(FakeEncoder(), settings)))
    assert "nina" not in titles(await other.say("experts walking football", as_user="alice"))
    return other


def titles(reply) -> list[str]:  # noqa: ANN001
    return [s.title for s in reply.sections if s.title]


async def unembedded(core: Lighthouse) -> int:
    async with core.db.session() as session:
        return (await session.execute(select(func.count(Chunk.id)).where(Chunk.embedding.is_(None)))).scalar_one()


async def test_a_member_who_sets_expertise_is_found_in_another_process_without_restart(chat, core, loaded, second):
    await chat.say("profile set organisation Vestby Sports Club", as_user="nina")
    await chat.say("profile set country Norway", as_user="nina")
    saved = await chat.say(f"profile set expertise {EXPERTISE}", as_user="nina")
    assert saved.tone == "success"
    assert await unembedded(core) == 0  # the model was loaded: the save gave it the moment it needed
    # Word for word, and in other words, in the other process.
    for question in ("experts walking football", f"experts {EXPERTISE}", "experts falls prevention older men"):
        reply = await second.say(question, as_user="alice")
        assert titles(reply)[0] == "nina", question
    nina = reply.sections[0]
    fields = {f.label: f.value for f in nina.fields}
    assert fields["Organisation"] == "Vestby Sports Club" and fields["Country"] == "Norway"
    assert fields["Source"] == f"`{SOURCE_PATH}`"
    assert [b.label for b in nina.buttons] == ["Introduce me"]
    assert "Expert · nina" in titles(await second.say("find walking football", as_user="alice"))
    # A later change shows up too: the bio is searchable.
    await chat.say("profile set bio I coach a team of men over seventy in Vestby.", as_user="nina")
    assert titles(await second.say("experts coach seventy", as_user="alice"))[0] == "nina"
    await loaded.model.embed_soon()
    assert await unembedded(core) == 0


async def test_consent_off_erase_and_cleared_expertise_remove_the_member_at_once(chat, core, loaded, second):
    await chat.say(f"profile set expertise {EXPERTISE}", as_user="nina")
    assert "nina" in titles(await second.say("experts walking football", as_user="alice"))
    assert "your expert profile is searchable" in await chat.text("privacy", as_user="nina")
    await chat.say("privacy consent expert-search off", as_user="nina")
    assert "hidden while expert search is off" in await chat.text("privacy", as_user="nina")
    assert "nina" not in titles(await second.say("experts walking football", as_user="alice"))
    assert "Expert · nina" not in titles(await second.say("find walking football", as_user="alice"))
    await chat.say("privacy consent expert-search on", as_user="nina")
    assert "nina" in titles(await second.say("experts walking football", as_user="alice"))
    await chat.say("profile clear expertise", as_user="nina")
    assert "nina" not in titles(await second.say("experts walking football", as_user="alice"))
    await chat.say(f"profile set expertise {EXPERTISE}", as_user="nina")
    assert "nina" in titles(await second.say("experts walking football", as_user="alice"))
    confirm = (await chat.say("privacy erase", as_user="nina")).buttons[0].command
    assert (await chat.say(confirm, as_user="nina")).tone == "success"
    assert "nina" not in titles(await second.say("experts walking football", as_user="alice"))
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(Document.id)).where(Document.source_path == SOURCE_PATH))).scalar() == 0


@pytest.mark.parametrize("leaving", ["privacy consent expert-search off", "erase"])
async def test_a_stored_later_page_no_longer_shows_a_member_who_left_or_hid(chat, core, loaded, leaving):
    """"More" serves pages stored when the answer was given: a member who erased their data or switched expert
    search off since is not on them (it would be for up to 14 days), and the page says a result is gone, not
    why."""
    core.settings.results_per_page = 1
    for name in ("yara", "xavi"):
        await chat.say(f"profile set expertise quokka husbandry, {EXPERTISE}", as_user=name)
    first = await chat.say("experts quokka husbandry", as_user="alice")
    more = first.buttons[-1].command
    assert more.startswith("more ")
    shown_first = titles(first)[0]
    leaver = {"yara", "xavi"}.difference({shown_first}).pop()
    await core.paginator.flush()
    if leaving == "erase":
        confirm = (await chat.say("privacy erase", as_user=leaver)).buttons[0].command
        assert (await chat.say(confirm, as_user=leaver)).tone == "success"
    else:
        await chat.say(leaving, as_user=leaver)
    later = await chat.say(more, as_user="alice")
    assert leaver not in later.plain_text(), later.plain_text()
    assert not [b for s in later.sections for b in s.buttons if b.command.startswith("intro ")]
    assert "no longer available" in later.text and "erase" not in later.text and "consent" not in later.text


async def test_a_profile_without_expertise_is_not_an_expert(chat, core, loaded):
    await chat.say("profile set bio I know everything about walking football.", as_user="nina")
    await chat.say("profile set interests walking football", as_user="nina")
    await chat.say("profile set expertise  , ;  ", as_user="nina")  # nothing but separators
    assert "nina" not in titles(await chat.say("experts walking football", as_user="alice"))
    async with core.db.session() as session:
        assert (await session.execute(select(func.count(Document.id)).where(Document.member_id.is_not(None), Document.source_path == SOURCE_PATH))).scalar() == 0


async def test_the_asker_never_sees_themself(chat, loaded):
    await chat.say(f"profile set expertise {EXPERTISE}", as_user="nina")
    await chat.say("profile set interests walking football, school food", as_user="nina")
    assert "nina" not in titles(await chat.say("experts walking football", as_user="nina"))
    assert "Expert · nina" not in titles(await chat.say("find walking football", as_user="nina"))
    assert "nina" not in titles(await chat.say("match me", as_user="nina"))


async def test_an_ingested_expert_with_a_profile_of_their_own_is_listed_once(chat, core, loaded):
    # "anna-holm" is the console member the ingested profile of Anna Holm belongs to (the console name
    # becomes her display name, so her own profile is titled "anna-holm").
    await chat.say("profile set expertise school food policy, walking football", as_user="anna-holm")
    anna = {"Anna Holm", "anna-holm"}
    for question in ("experts walking football", "experts school food policy"):
        names = titles(await chat.say(question, as_user="olga"))
        assert len([n for n in names if n in anna]) == 1, (question, names)
    found = titles(await chat.say("find school food policy walking football", as_user="olga"))
    assert len([t for t in found if t.removeprefix("Expert · ") in anna]) == 1, found
    async with core.db.session() as session:
        owner = (await session.execute(select(Document.member_id).where(Document.source_id == "expert-anna-holm"))).scalar_one()
        documents = (await session.execute(select(Document.source_id).where(Document.member_id == owner))).scalars().all()
    assert sorted(documents) == sorted(["expert-anna-holm", profile_source_id(owner)])


@pytest.mark.parametrize("encoder_class", [UnableToEmbed])
async def test_a_profile_is_found_by_keywords_before_it_has_vectors_and_embedded_later(chat, core, tmp_path):
    service = core.knowledge
    await ingest(core.db, small_knowledge_base(tmp_path / "kb"), FakeEncoder())
    await chat.say(f"profile set expertise {EXPERTISE}", as_user="nina")
    await service.model.embed_soon()  # fails: the model cannot embed passages right now
    assert await unembedded(core) > 0
    assert titles(await chat.say("experts walking football", as_user="alice"))[0] == "nina"
    # A restarted process (or the next index load) embeds what is left.
    service.model._encoder = FakeEncoder()
    core.knowledge.model.embed_soon()
    await service.model.embed_soon()
    assert await unembedded(core) == 0
    assert titles(await chat.say("experts walking football", as_user="alice"))[0] == "nina"


@pytest.mark.parametrize("encoder_class", [UnableToEmbed])
async def test_a_profile_alone_is_searchable_with_no_vectors_anywhere(chat, core):
    await chat.say(f"profile set expertise {EXPERTISE}", as_user="nina")
    assert titles(await chat.say("experts walking football", as_user="alice")) == ["nina"]


async def test_match_me_puts_other_organisations_countries_and_sectors_first(chat, loaded):
    await chat.say("profile set organisation Nordby Municipality", as_user="nina")
    await chat.say("profile set country Denmark", as_user="nina")
    await chat.say("profile set sector municipality", as_user="nina")
    await chat.say("profile set interests school meals, school food", as_user="nina")
    reply = await chat.say("match me", as_user="nina")
    assert "from other organisations, countries and sectors than yours come first" in reply.text
    shown = titles(reply)  # the first page: people and pilots or documents, alternating
    people = [t for t in shown if " · " not in t]
    nordby = {"Anna Holm", "Bo Berg"}  # Nordby's own (Danish, municipal) people come after everyone else
    others = [p for p in people if p not in nordby]
    assert others and people[: len(others)] == others, people
    documents = [t for t in shown if " · " in t]
    # Nordby's own school meals pilot matches best, but shares organisation, country and sector with nina.
    assert documents and documents[0] != "Pilot · Healthy school meals in Nordby"
    plain = await chat.say("find school meals, school food kind:pilot,report,tool", as_user="nina")
    assert "Pilot · Healthy school meals in Nordby" in titles(plain)[:2]


class OtherModel(FakeEncoder):
    name = "another-model"
    dimension = 32


async def test_a_new_model_at_ingest_re_embeds_members_profiles_too(chat, core, loaded, tmp_path, core_with, settings):
    await chat.say(f"profile set expertise {EXPERTISE}", as_user="nina")
    assert await unembedded(core) == 0
    other = OtherModel()
    await ingest(core.db, small_knowledge_base(tmp_path / "kb"), other)  # the folder, with the new model
    assert any("Expertise: walking football" in text for text in other.encoded)
    async with core.db.session() as session:
        widths = set((await session.execute(select(func.length(Chunk.embedding)))).scalars())
    assert widths == {4 * OtherModel.dimension}
    restarted = Chat(await core_with(knowledge=knowledge_with(OtherModel(), settings)))  # with the new model
    assert titles(await restarted.say("experts walking football", as_user="alice"))[0] == "nina"


async def test_a_saved_profile_is_found_at_once_in_the_same_process(core_with, settings, tmp_path):
    # The shipped check interval: the index is not re-read from the database for seconds, so the process
    # that saved the profile must know its own index is stale.
    core = await core_with(knowledge=knowledge_with(FakeEncoder(), settings, check_interval=3600))
    chat = Chat(core)
    await ingest(core.db, small_knowledge_base(tmp_path / "kb"), FakeEncoder())
    assert "nina" not in titles(await chat.say("experts walking football", as_user="alice"))  # index built
    await chat.say(f"profile set expertise {EXPERTISE}", as_user="nina")
    assert titles(await chat.say("experts walking football", as_user="alice"))[0] == "nina"
    await chat.say("privacy consent expert-search off", as_user="nina")
    assert "nina" not in titles(await chat.say("experts walking football", as_user="alice"))
    await chat.say("privacy consent expert-search on", as_user="nina")
    assert titles(await chat.say("experts walking football", as_user="alice"))[0] == "nina"


def test_among_people_found_through_one_pilot_whose_own_profile_matches_comes_first():
    from bot.search.service import PILOT_LINK_WEIGHT, _in_order, _people_found
    from knowledge.index import Passage, Result
    from knowledge.search import DocInfo, Hit

    def doc(number: int, kind: str, title: str) -> DocInfo:
        return DocInfo(id=number, source_id=f"{kind}-{number}", kind=kind, title=title, content_hash="")

    pilot, anna, yuki = doc(1, "pilot", "Salons"), doc(2, "expert", "Anna"), doc(3, "expert", "Yuki")
    passage = Passage(None, "")

    def result(found: DocInfo, score: float) -> Result:
        return Result(Hit(found, score, score, 0.0, found.id, found.id), passage, [], passage)

    # Both worked on the pilot, which matches best; only Yuki's own profile matches the question too.
    people = _people_found([result(pilot, 1.0), result(yuki, 0.3)], {"pilot-1": [anna, yuki]})
    assert {p.doc.title: p.score for p in people} == {"Anna": PILOT_LINK_WEIGHT, "Yuki": PILOT_LINK_WEIGHT}
    assert [p.doc.title for p in _in_order(people, cross_border=False, other_sectors=False)] == ["Yuki", "Anna"]
