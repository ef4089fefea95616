"""Socket Mode: the adapter connects to a local fake of Slack's WebSocket endpoint and works as over HTTP."""

import asyncio
from contextlib import suppress

from adapters.slack import SlackAdapter
from tests.slack_limits import visible_text
from tests.slack_support import (
    APP_TOKEN,
    WAIT,
    command_payload,
    configure_slack,
    event_payload,
    message_event,
)


async def test_socket_mode_acks_at_once_answers_and_processes_a_retried_event_once(core, fake_slack, monkeypatch):
    configure_slack(core, fake_slack, socket_mode=True)
    adapter = SlackAdapter(core)
    entered, release = asyncio.Event(), asyncio.Event()
    original = core.handle

    async def slow_handle(message):
        entered.set()
        await release.wait()
        return await original(message)

    monkeypatch.setattr(core, "handle", slow_handle)
    running = asyncio.create_task(adapter.run())
    try:
        await fake_slack.wait_for(lambda: len(fake_slack.sockets) == 1)
        assert fake_slack.to("apps.connections.open")[0].token == APP_TOKEN

        envelope = {"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True}
        await fake_slack.socket_send({**envelope, "payload": command_payload(fake_slack, "help")})
        await fake_slack.wait_for(lambda: [ack["envelope_id"] for ack in fake_slack.socket_acks] == ["env-1"])
        await asyncio.wait_for(entered.wait(), WAIT)
        assert fake_slack.to("response_url") == []  # acknowledged while the command still runs
        release.set()
        await asyncio.wait_for(adapter.wait_handled(1), WAIT)
        assert "Commands" in visible_text(fake_slack.to("response_url")[0].args)

        event = event_payload(message_event("help", channel="D0ALICE", channel_type="im"), event_id="EvSOCKET")
        for number, attempt in enumerate([0, 1], start=2):
            await fake_slack.socket_send(
                {
                    "envelope_id": f"env-{number}",
                    "type": "events_api",
                    "accepts_response_payload": False,
                    "retry_attempt": attempt,
                    "retry_reason": "timeout" if attempt else "",
                    "payload": event,
                }
            )
        await asyncio.wait_for(adapter.wait_handled(3), WAIT)
        assert {ack["envelope_id"] for ack in fake_slack.socket_acks} == {"env-1", "env-2", "env-3"}
        assert [call.args["channel"] for call in fake_slack.to("chat.postMessage")] == ["D0ALICE"]
        assert adapter.stats["repeats"] == 1
    finally:
        running.cancel()
        with suppress(asyncio.CancelledError):
            await running
