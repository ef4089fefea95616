"""After a restart the model loads in the background: the adapters answer at once, a search that comes early
is acknowledged at once and answered when the model is there, and health checks say how far the start is.

The model load is a `SlowModel` the test releases when it chooses: no timing is measured here."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

import knowledge.index as index_module
from bot.search.views import WARMING_UP_NOTE
from knowledge.ingest import ingest
from knowledge.readiness import BUILDING_INDEX, FAILED, LOADING_KNOWLEDGE, LOADING_MODEL, READY
from knowledge.service import KnowledgeService
from tests.discord_fake import EPHEMERAL, FakeDiscord, Harness, slash, user
from tests.discord_fixtures import discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.knowledge_fakes import FakeEncoder, SlowModel, small_knowledge_base
from tests.slack_limits import visible_text
from tests.slack_support import BOB as BOB_ON_SLACK
from tests.support import Chat

ALICE = user(1001, "alice")
BOB = user(1002, "bob")


@pytest.fixture
async def slow_model() -> AsyncIterator[SlowModel]:
    model = SlowModel()
    try:
        yield model
    finally:
        model.release()  # never leave the shared model thread blocked for the next test


@pytest.fixture
def knowledge(database, settings, slow_model) -> KnowledgeService:  # noqa: ANN001
    return KnowledgeService(database, settings, load_model=slow_model, check_interval=0)


async def warming(core, tmp_path, *, ingested: bool = True) -> KnowledgeService:  # noqa: ANN001
    """A restarted process: the knowledge base is in the database, the model (the core's) is still loading."""
    folder = small_knowledge_base(tmp_path / "kb")
    if ingested:
        await ingest(core.db, folder, FakeEncoder())
    else:
        core.settings.ingest_demo_on_empty = True
        core.settings.knowledge_dir = folder
    service = core.knowledge
    service.warm_up()
    return service


async def test_readiness_goes_from_loading_the_model_to_ready(core, tmp_path, slow_model):
    service = await warming(core, tmp_path)
    await asyncio.to_thread(slow_model.started.wait, 10)
    await service.index.ensure_fresh()  # the index needs no model: it is built meanwhile
    report = service.readiness.report()
    assert (report.state, report.model_loaded, report.index_ready, report.ready) == (LOADING_MODEL, False, True, False)
    assert core.readiness()["knowledge"]["ready"] is False and not core.is_ready()
    slow_model.release()
    await service.warm_up()
    assert service.readiness.report().state == READY and core.is_ready()


async def test_a_search_waits_for_the_model_while_other_commands_answer(core, tmp_path, slow_model, monkeypatch):
    monkeypatch.setattr(index_module, "WARM_UP_NOTE_SECONDS", 0.0)  # any wait counts as long here
    service = await warming(core, tmp_path)
    searching = asyncio.Event()
    search_for_real = service.index.search

    async def search_noted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - tells the test the search began
        searching.set()
        return await search_for_real(*args, **kwargs)

    monkeypatch.setattr(service.index, "search", search_noted)
    chat = Chat(core)
    search = asyncio.create_task(chat.say("find school meals"))
    await asyncio.wait_for(searching.wait(), 10)
    profile = await chat.say("profile", as_user="bob")  # needs no model: answered while it loads
    assert "Your profile" in profile.text or profile.sections
    assert not search.done()
    slow_model.release()
    reply = await asyncio.wait_for(search, 10)
    assert reply.text.startswith(WARMING_UP_NOTE) and "Best matches" in reply.text
    again = await chat.say("find school meals")  # warm now: no note
    assert WARMING_UP_NOTE not in again.text


async def test_a_model_that_cannot_load_is_a_clear_answer_and_a_failed_readiness(core_with, settings, tmp_path):
    model = SlowModel(error=OSError("no such model folder"))
    model.release()
    core = await core_with(knowledge=lambda db: KnowledgeService(db, settings, load_model=model, check_interval=0))
    service = await warming(core, tmp_path)
    await service.warm_up()
    report = service.readiness.report()
    assert report.state == FAILED and "could not be loaded" in (report.reason or "")
    reply = await Chat(core).say("find school meals")
    assert reply.tone == "error" and "Search is unavailable" in reply.text and "error id" not in reply.text


async def test_a_new_installation_fills_its_knowledge_base_in_the_background(core, tmp_path, slow_model):
    service = await warming(core, tmp_path, ingested=False)
    await asyncio.to_thread(slow_model.started.wait, 10)
    await asyncio.sleep(0)
    assert service.readiness.state in (LOADING_KNOWLEDGE, LOADING_MODEL)
    assert not service.readiness.ready.is_set()
    slow_model.release()
    await service.warm_up()
    assert await service.document_count() == 10 and service.readiness.state == READY


async def test_slack_acks_an_early_search_at_once_and_answers_it_when_the_model_is_ready(
    slack, fake_slack, core, tmp_path, slow_model
):
    await warming(core, tmp_path)
    base = slack.url.removesuffix("/slack/events")
    async with slack.session.get(f"{base}/readyz") as response:
        assert response.status == 503 and (await response.json())["services"]["knowledge"]["state"] in (
            LOADING_MODEL, BUILDING_INDEX,
        )
    search = await slack.command("find school meals")
    assert (search.status, search.text) == (200, "")
    helped = await slack.command("help", user=BOB_ON_SLACK)
    assert helped.status == 200
    await fake_slack.wait_for(lambda: len(fake_slack.to("response_url")) == 1)
    assert "Commands" in visible_text(fake_slack.to("response_url")[0].args)  # not held up by the model
    async with slack.session.get(f"{base}/healthz") as response:
        health = await response.json()
        assert response.status == 200 and health["status"] == "ok" and health["ready"] is False
    slow_model.release()
    await slack.handled(2)
    answers = [visible_text(call.args) for call in fake_slack.to("response_url")]
    assert "Best matches" in answers[1] and "Healthy school meals" in answers[1]
    async with slack.session.get(f"{base}/readyz") as response:
        assert response.status == 200 and (await response.json())["ready"] is True


async def test_discord_defers_an_early_search_at_once_and_answers_other_commands_meanwhile(
    core, discord_settings, fake_discord: FakeDiscord, tmp_path, slow_model
):
    await warming(core, tmp_path)
    harness = await Harness(core, fake_discord).start()  # defer_after 30 s: only an immediate deferral counts
    try:
        harness.dispatch_interaction(slash(ALICE, "find", {"question": "school meals"}))
        await fake_discord.wait_for(lambda: len(fake_discord.callbacks()) == 1)
        deferral = fake_discord.callbacks()[0].body
        assert deferral["type"] == 5 and deferral["data"]["flags"] & EPHEMERAL
        harness.dispatch_interaction(slash(BOB, "help"))
        await fake_discord.wait_for(lambda: len(fake_discord.callbacks()) == 2)
        assert fake_discord.callbacks()[1].body["type"] == 4  # answered directly while the model loads
        assert fake_discord.find("POST", r"/webhooks/\d+/[^/]+") == []
        slow_model.release()
        await harness.settle()
        (answer,) = fake_discord.find("POST", r"/webhooks/\d+/[^/]+")
        assert "Best matches" in answer.body["content"]
    finally:
        slow_model.release()
        await harness.close()


async def test_role_and_channel_mentions_reach_the_core_as_names_and_still_never_ping(
    core, discord_settings, fake_discord
):
    from tests.discord_fake import BOT_ROLE_ID, CHANNEL_ID, GUILD_ID

    asked: list[str] = []
    real = core.handle

    async def handle(message):  # noqa: ANN001, ANN202
        asked.append(message.text)
        return await real(message)

    core.handle = handle
    harness = await Harness(core, fake_discord).start()
    try:
        await harness.interaction(slash(ALICE, "ask", {"text": f"help <@&{BOT_ROLE_ID}> <#{CHANNEL_ID}> <@&999> <#998>"}))
        assert asked[-1] == "ask help @Lighthouse #general @unknown-role #unknown-channel"
        # The @everyone role, in text the answer echoes.
        await harness.interaction(slash(ALICE, "profile", {"action": "set", "field": "bio", "value": f"<@&{GUILD_ID}> hello"}))
        assert asked[-1] == "profile set bio @everyone hello"
        await harness.settle()
        answer = fake_discord.posted()[-1]
        assert answer["allowed_mentions"] == {"parse": []}
        assert "@\u200beveryone" in answer["content"] and "@everyone" not in answer["content"]
    finally:
        await harness.close()


async def test_health_endpoints_answer_before_anything_has_loaded(slack, core):
    base = slack.url.removesuffix("/slack/events")
    async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as response:
        assert response.status == 200 and (await response.json())["status"] == "ok"
