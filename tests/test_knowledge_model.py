"""With the real English model (all-MiniLM-L6-v2): loading, truncation, and ranking on the demo knowledge
base (slow). The default multilingual model is tested in test_knowledge_multilingual.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from bot.app.core import Lighthouse
from config import Settings
from config.settings import BUNDLED_MODEL
from knowledge.embeddings import Encoder, get_encoder
from storage.models import Chunk

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def model() -> Encoder:
    """The bundled model, loaded once for the whole test session (the service shares it)."""
    return get_encoder(BUNDLED_MODEL)


def test_the_bundled_model_loads_once_and_embeds_unit_vectors(model):
    assert get_encoder(BUNDLED_MODEL) is model
    vectors = model.encode(["school meals", "obesity prevention in schools", "drone transport of lab samples"])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_a_long_text_is_cut_to_what_the_model_reads(model):
    text = "Loneliness among older people in rural areas. " * 250
    assert len(text) > 10_000
    cut, truncated = model.truncate(text)
    assert truncated and text.startswith(cut) and len(cut) < len(text)
    pieces = model.model.tokenizer(cut, add_special_tokens=False)["input_ids"]
    assert len(pieces) <= model.max_tokens - 2
    assert model.truncate("short question") == ("short question", False)


async def test_first_start_ingests_the_demo_and_answers_sensibly(database_url, tmp_path, clock, model):
    settings = Settings(
        _env_file=None, database_url=database_url, knowledge_dir=DEMO, ingest_demo_on_empty=True, embedding_model=BUNDLED_MODEL
    )
    core = Lighthouse(settings, clock=clock)
    await core.start()
    try:
        await core.knowledge.fill_when_empty()  # what the runner's start-up hook does
        knowledge = core.knowledge
        assert knowledge.model.encoder is model
        assert await knowledge.document_count() >= 38 + 48
        from tests.support import Chat

        chat = Chat(core)
        reply = await chat.say("pilots school obesity")
        top = reply.sections[:5]
        assert len(top) == 5
        index = await knowledge.index.ensure_fresh()
        docs = {d.title: d for d in index.docs}
        for section in top:
            doc = docs[section.title.removeprefix("Pilot · ")]
            assert "obesity" in doc.themes, section.title
        assert any("school" in s.title.lower() for s in top[:3])

        # A question about one specific pilot finds that pilot first.
        for question, expected in (
            ("millet dishes in secondary school canteens in India", "Millet-Based Canteen Meals in Urban Secondary Schools"),
            ("drones carrying blood samples between island clinics", "Drone Transport of Laboratory Samples Between Island Clinics"),
            ("video interpreters for patients who do not speak the language", "On-Demand Video Interpreting in Hospital Outpatient Clinics"),
            ("older people feeling lonely meet in neighbourhood salons", "Neighbourhood Salons Against Loneliness in Later Life"),
            ("virtual reality to treat social anxiety", "Virtual Reality Exposure Therapy for Social Anxiety"),
        ):
            first = (await chat.say(f"pilots {question}")).sections[0].title
            assert first == f"Pilot · {expected}", question

        # A second start does not ingest again.
        before = knowledge.index.version
        await core.knowledge.fill_when_empty()
        await knowledge.index.ensure_fresh()
        assert knowledge.index.version == before

        # Experts: someone from Nordhavn Municipality sees other organisations' people first.
        await chat.say("profile set organisation Nordhavn Municipality", as_user="jens")
        people = await chat.say("experts school food", as_user="jens")
        assert people.sections[0].fields[1].value != "Nordhavn Municipality"
        intro = people.sections[0].buttons[0]
        assert intro.command.startswith("intro member:") and len(intro.command) <= 90

        # The plain question, without a command: searched, obesity pilots first.
        plain = await chat.say("how did other municipalities reduce childhood obesity in schools?")
        assert "Narrow it" in plain.text
        first = docs[plain.sections[0].title.split(" · ", 1)[1]]
        assert "obesity" in first.themes

        # A member who sets their expertise is found for it, in their words and in others.
        await chat.say("profile set expertise walking football, falls prevention for older men", as_user="nina")
        await knowledge.model.embed_soon()
        assert (await chat.say("experts walking football", as_user="jens")).sections[0].title == "nina"
        async with core.db.session() as session:
            missing = (await session.execute(select(func.count(Chunk.id)).where(Chunk.embedding.is_(None)))).scalar()
        assert missing == 0
        assert (await chat.say("experts football for older men", as_user="jens")).sections[0].title == "nina"
    finally:
        await core.close()
