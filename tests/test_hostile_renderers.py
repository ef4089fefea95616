"""Every renderer, fed hostile replies, stays within its platform's limits and never builds a live ping."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from adapters.console import render as render_console
from adapters.discord.render import render as render_discord
from adapters.slack.render import MAX_BLOCKS, plan_pages
from adapters.slack.render import render as render_slack
from bot.reply import Reply
from tests.hostile import assert_no_live_ping, hostile_replies, live_pings

# Keys of Block Kit elements that Slack never shows as text (ids and the command a button carries).
_SLACK_HIDDEN_KEYS = {"action_id", "block_id", "value", "url", "type", "style"}


def slack_texts(node: object) -> list[tuple[str, bool]]:
    """Every text object Slack shows, with whether it is mrkdwn (plain_text can never mention anyone)."""
    if isinstance(node, dict):
        if node.get("type") in {"mrkdwn", "plain_text"} and isinstance(node.get("text"), str):
            return [(node["text"], node["type"] == "mrkdwn")]
        return [t for key, value in node.items() if key not in _SLACK_HIDDEN_KEYS for t in slack_texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in slack_texts(item)]
    return []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_replies())
def test_console_renderer_never_fails(reply: Reply):
    assert isinstance(render_console(reply), str)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_replies())
def test_slack_renderer_never_builds_a_ping(reply: Reply):
    for page in plan_pages(reply) or [[]]:
        message = render_slack(Reply(text=reply.text, sections=page, buttons=reply.buttons))
        assert len(message.blocks) <= MAX_BLOCKS
        assert_no_live_ping(message.text, "slack", strict_plain=True)
        for text, is_mrkdwn in slack_texts(message.blocks):
            if is_mrkdwn:  # plain_text objects (button labels, headers) are shown verbatim: they never mention
                assert_no_live_ping(text, "slack", strict_plain=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_replies())
def test_discord_renderer_never_builds_a_ping(reply: Reply):
    for message in render_discord(reply):
        assert len(message.content) <= 2000
        assert_no_live_ping(message.content, "discord")
        for embed in message.embeds:
            data = embed.to_dict()
            shown = [data.get("title", ""), data.get("description", ""), data.get("footer", {}).get("text", "")]
            shown += [part for f in data.get("fields", []) for part in (f["name"], f["value"])]
            for text in shown:
                # Embeds never notify anyone; still, @everyone, @here and role pings must be defused there too.
                pings = [p for p in live_pings(text, "discord") if not (p.startswith("<@") and "&" not in p)]
                assert not pings, f"{pings!r} in an embed: {text[:200]!r}"
        for row in message.rows:  # button labels are shown verbatim and never mention anyone
            assert all(len(button.label) <= 80 for button in row)


def test_discord_link_addresses_never_ping():
    from bot.reply import Link, Section

    for url in ("https://@everyone", "https://example.org/@here/x", "mailto:@everyone"):
        reply = Reply(text="links", sections=[Section(title="t", text="x", link=Link(url=url, label="open"))])
        for message in render_discord(reply):
            for embed in message.embeds:
                assert not live_pings(embed.to_dict().get("description", ""), "discord"), url
