""""Ask the community" on a weak answer to a long question opens the question's form with the question filled in
(cut to what the form's field holds), on every platform."""

from __future__ import annotations

import pytest

from adapters.discord.views import INPUT_VALUE_LIMIT, FormModal
from adapters.slack.render import form_view
from bot.community.service import MAX_QUESTION_CHARS
from bot.reply import BUTTON_COMMAND_CHARS, Form, FormField
from knowledge.embeddings import WeakMatch
from knowledge.ingest import ingest
from tests.discord_fake import BOT_USER, FakeDiscord, Harness, click, message_create, modal_submit, user
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.knowledge_fakes import encoder, knowledge, small_knowledge_base  # noqa: F401 - fixtures
from tests.support import Chat
from tests.test_discord_interactions import _inputs, buttons_of

LONG_QUESTION = (
    "how do we keep the volunteers of our walking groups motivated through a long dark northern winter, "
    "when the paths are icy and half of them stop coming after Christmas?"
)


@pytest.fixture
async def weak(core, knowledge, encoder, tmp_path):  # noqa: ANN001, ANN201, F811
    report = await ingest(core.db, small_knowledge_base(tmp_path / "kb"), encoder)
    assert report.errors == []
    encoder.weak_match_below = WeakMatch(2.0, 2.0)  # every answer is weak


def ask_button(reply):  # noqa: ANN001, ANN201
    (button,) = [b for s in reply.sections for b in s.buttons if b.label == "Ask the community"]
    return button


async def test_the_button_of_a_long_question_opens_the_form_with_the_question(chat: Chat, weak):  # noqa: ANN001
    button = ask_button(await chat.say(f"ask {LONG_QUESTION}", as_user="ana"))
    opened = await chat.say(button.command, as_user="ana", from_button=True)
    (field,) = opened.form.fields
    assert field.value == LONG_QUESTION and field.max_length == MAX_QUESTION_CHARS
    # Submitted as it is, it is asked.
    asked = await chat.say(f"community ask question='{LONG_QUESTION}'", as_user="ana")
    assert asked.tone == "success" and "question #1" in asked.text


async def test_a_question_longer_than_a_button_holds_is_cut_to_fit_it(chat: Chat, weak):  # noqa: ANN001
    question = " ".join(f"volunteers{n}" for n in range(400))  # about 5,000 characters
    button = ask_button(await chat.say(f"ask {question}", as_user="ana"))
    assert len(button.command) <= BUTTON_COMMAND_CHARS
    (field,) = (await chat.say(button.command, as_user="ana", from_button=True)).form.fields
    assert field.value and question.startswith(field.value) and len(field.value) <= MAX_QUESTION_CHARS


def test_renderers_cut_a_filled_in_value_to_the_fields_length():
    form = Form(title="Ask", command="community ask", fields=[
        FormField("question", "Q", multiline=True, max_length=9000, value="x" * 9000),
        FormField("short", "S", max_length=10, value="y" * 50),
        FormField("empty", "E"),
    ])
    discord_inputs = [item.to_component_dict() for item in FormModal(form, "lhf:community ask").children]
    assert [len(i.get("value") or "") for i in discord_inputs] == [INPUT_VALUE_LIMIT, 10, 0]
    slack_inputs = [block["element"] for block in form_view(form, {"c": "community ask"})["blocks"]]
    assert [len(e.get("initial_value", "")) for e in slack_inputs] == [3000, 10, 0]


async def test_discord_ask_the_community_opens_a_modal_with_the_question(
    discord: Harness, fake_discord: FakeDiscord, weak  # noqa: ANN001, F811
):
    alice = user(1001, "alice")
    await discord.message(message_create(alice, f"<@{BOT_USER['id']}> {LONG_QUESTION}", mentions=[BOT_USER]))
    answer = fake_discord.last_message()
    (button,) = [b for b in buttons_of(answer) if b["label"] == "Ask the community"]
    await discord.interaction(click(alice, answer, button["custom_id"]))
    modal = fake_discord.callbacks()[-1].body
    assert modal["type"] == 9 and modal["data"]["custom_id"] == "lhf:community ask"
    (question,) = [c for row in modal["data"]["components"] for c in _inputs(row)]
    assert question["custom_id"] == "question" and question["value"] == LONG_QUESTION
    await discord.interaction(modal_submit(alice, "lhf:community ask", {"question": question["value"]}))
    assert "Asked the community (question #1)" in fake_discord.posted()[-1]["content"]
