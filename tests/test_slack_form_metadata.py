"""A signed form submission whose private_metadata is not what the bot stored: one warning line, a short
answer to the member, nothing run, and no traceback."""

import logging

import pytest

from adapters.delivery_policy import FORM_UNREADABLE
from adapters.slack.render import FORM_CALLBACK
from tests.slack_support import BOB, TEAM
from tests.slack_limits import visible_text

MALFORMED = [
    "not json at all",
    "",
    "[1, 2]",
    '{"f": ["title"]}',
    '{"c": 5, "f": []}',
    '{"c": "event add", "f": "title"}',
    '{"c": "event add", "f": [1]}',
    '{"c": "event add", "f": [], "ch": ["C0GENERAL"]}',
]


def submission(metadata: str) -> dict:
    state = {"title": {"value": {"type": "plain_text_input", "value": "Kick-off"}}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": BOB, "username": "bob", "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "legacy",
        "trigger_id": "trigger-submit",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": FORM_CALLBACK,
            "private_metadata": metadata,
            "state": {"values": state},
        },
    }


@pytest.mark.parametrize("metadata", MALFORMED)
async def test_a_malformed_form_submission_is_answered_cleanly(slack, fake_slack, core, caplog, metadata):
    handled = []
    original = core.handle

    async def handle(message):
        handled.append(message.text)
        return await original(message)

    core.handle = handle
    with caplog.at_level(logging.WARNING):
        sent = await slack.interact(submission(metadata))
        await slack.handled(1)
    assert sent.status == 200
    assert handled == []
    assert slack.adapter.stats["failed"] == 0
    assert not [record for record in caplog.records if record.exc_info]
    (warning,) = [record for record in caplog.records if "private_metadata" in record.getMessage()]
    assert warning.levelno == logging.WARNING and "\n" not in warning.getMessage()
    (dm,) = fake_slack.to("chat.postMessage")
    assert dm.args["channel"] == "D0BOB" and FORM_UNREADABLE in visible_text(dm.args)

