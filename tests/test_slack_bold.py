"""Text the Slack renderer sets in bold (titles, field labels) stays one bold span whatever it contains: mrkdwn has
no escape for `*`, `_`, `~` and `` ` ``, so inside the span they are shown as look-alikes it does not read."""

from __future__ import annotations

import re

from adapters.slack.render import bold, render
from bot.reply import Field, Reply, Section
from tests.events_support import add_event, make_member
from tests.slack_limits import mrkdwn_strings, visible_text
from tests.slack_support import GENERAL, message_event

TRICKY = "Walk *and* talk_club ~ `live` <!here> & @channel"
FORMATTING = "*_~`"


def bold_spans(text: str) -> list[str]:
    """The bold spans a line of mrkdwn starts with, as the renderer writes them: `*...*` up to the line's end."""
    return re.findall(r"^\*([^\n]*)\*$", text, flags=re.MULTILINE)


def test_bold_is_one_span_that_nothing_inside_can_end_or_nest_into():
    span = bold(TRICKY)
    assert span.startswith("*") and span.endswith("*")
    inner = span[1:-1]
    assert not any(character in inner for character in FORMATTING)
    assert "<" not in inner and "&amp;" in inner and "@\u2060channel" in inner
    assert inner == "Walk \u2217and\u2217 talk\u02cdclub \u223c \u02cblive\u02cb &lt;!here&gt; &amp; @\u2060channel"
    assert bold("two\nlines  here") == "*two lines here*"  # a span does not cross lines
    assert bold("  ") == ""


def test_titles_and_field_labels_are_bold_whatever_they_contain():
    message = render(Reply(sections=[Section(title=TRICKY, text="*body* stays as written",
                                             fields=[Field("Room *B*", "_value_")])]))
    main = message.blocks[0]
    title, body = main["text"]["text"].split("\n")
    assert bold_spans(title) and not any(c in bold_spans(title)[0] for c in FORMATTING)
    assert body == "*body* stays as written"  # only what the renderer sets in bold is changed
    label, value = main["fields"][0]["text"].split("\n")
    assert label == "*Room \u2217B\u2217*" and value == "_value_"


async def test_an_event_title_with_formatting_characters_stays_bold_in_slack(slack, fake_slack, chat, core):
    await make_member(core, "carol", role="coordinator", timezone="Europe/Copenhagen")
    await add_event(chat, 'event add title="Walk *and* talk_ ~ `club`" start="2026-12-03 14:00 Europe/Copenhagen"')
    await slack.event(message_event("event list", channel="D0ALICE", channel_type="im"))
    await slack.handled(1)
    posted = fake_slack.to("chat.postMessage")[-1].args
    titled = [line for string in mrkdwn_strings(posted) for line in string.split("\n") if "Walk" in line]
    assert titled, visible_text(posted)
    for line in titled:
        (inner,) = bold_spans(line)
        assert not any(character in inner for character in FORMATTING), line
        assert "Walk \u2217and\u2217 talk\u02cd" in inner
