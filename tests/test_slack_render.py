"""Reply -> Block Kit: formatting, escaping, and Slack's limits (pure functions, no Slack, no database)."""

import json
import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.views import View

from adapters.slack.render import (
    MAX_BLOCKS,
    escape,
    fallback_text,
    form_values,
    form_view,
    normalise,
    plan_pages,
    render,
    split_text,
)
from bot.reply import Button, Field, Form, FormField, Link, Reply, Section
from tests.slack_limits import buttons, limit_problems, mrkdwn_strings, visible_text

JOINER = "\u2060"


def as_message(reply: Reply) -> dict:
    rendered = render(reply)
    return {"text": rendered.text, "blocks": rendered.blocks}


def unescape(text: str) -> str:
    return text.replace(JOINER, "").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_escape_neutralises_every_control_sequence():
    assert escape("R&D <b> <!channel> <@U123> @here @Everyone") == (
        f"R&amp;D &lt;b&gt; &lt;!channel&gt; &lt;@U123&gt; @{JOINER}here @{JOINER}Everyone"
    )
    assert escape("mail@heresy.org") == "mail@heresy.org"  # only whole words are broadcasts


def test_a_full_section_becomes_text_fields_context_and_buttons():
    reply = Reply(
        text="Two pilots match.",
        sections=[
            Section(
                title="School meals <pilot>",
                text="Healthier lunches & more",
                fields=[Field("Country", "Denmark"), Field("Status", "running")],
                link=Link("Report", "https://example.org/report?a=1&b=2"),
                context="why: theme obesity",
                buttons=[Button("Intro", "intro member:4", "primary"), Button("Save", "save 12")],
            ),
            Section(title="Second", text="More text"),
        ],
        buttons=[Button("Help", "help")],
    )
    message = as_message(reply)
    types = [block["type"] for block in message["blocks"]]
    assert types == ["section", "section", "context", "actions", "divider", "section", "actions"]
    section = message["blocks"][1]
    assert section["text"]["text"] == "*School meals &lt;pilot&gt;*\nHealthier lunches &amp; more"
    assert [f["text"] for f in section["fields"]] == ["*Country*\nDenmark", "*Status*\nrunning"]
    link, intro, save = message["blocks"][3]["elements"]
    assert link["url"] == "https://example.org/report?a=1&b=2" and "value" not in link
    assert (intro["value"], intro["style"]) == ("intro member:4", "primary")
    assert save["value"] == "save 12" and "style" not in save
    assert limit_problems(message["blocks"]) == []
    assert message["text"] == "Two pilots match."


def test_an_unsafe_link_is_shown_as_text_not_as_a_button():
    message = as_message(Reply(sections=[Section(title="x", link=Link("Run", "javascript:alert(1)"))]))
    assert buttons(message) == []
    assert "javascript:alert(1)" in visible_text(message)


def test_long_text_is_split_into_text_objects_of_at_most_3000_characters_without_losing_words():
    words = [f"word{n}" for n in range(2500)]
    message = as_message(Reply(sections=[Section(title="Long", text=" ".join(words))]))
    texts = [block["text"]["text"] for block in message["blocks"] if block["type"] == "section"]
    assert len(texts) >= 5 and all(len(text) <= 3000 for text in texts)
    assert " ".join(texts).replace("*Long*\n", "").split() == words
    assert limit_problems(message["blocks"]) == []


def test_escaping_growth_is_counted_against_the_limit():
    message = as_message(Reply(text="&" * 2000))  # 10,000 characters once escaped
    texts = [block["text"]["text"] for block in message["blocks"]]
    assert all(len(text) <= 3000 for text in texts)
    assert sum(text.count("&amp;") for text in texts) == 2000


def test_a_single_huge_word_is_cut_into_pieces():
    assert [len(piece) for piece in split_text("x" * 7000, 3000)] == [3000, 3000, 1000]


def test_button_labels_are_cut_to_slacks_75_characters_but_keep_their_command():
    message = as_message(Reply(buttons=[Button("L" * 200, "help profile")]))
    (button,) = buttons(message)
    assert len(button["text"]["text"]) == 75 and button["text"]["text"].endswith("…")
    assert button["value"] == "help profile"


def test_many_fields_and_buttons_are_spread_over_blocks():
    section = Section(
        title="Crowded",
        fields=[Field(f"F{n}", "v" * 3000) for n in range(25)],
        buttons=[Button(f"B{n}", f"help {n}") for n in range(60)],
    )
    message = as_message(Reply(sections=[section]))
    assert limit_problems(message["blocks"]) == []
    assert sum(len(block.get("fields", [])) for block in message["blocks"]) == 25
    assert [b["value"] for b in buttons(message)] == [f"help {n}" for n in range(60)]


def page_messages(reply: Reply) -> list[dict]:
    """What the adapter sends for each page (the paginator's texts and buttons, without its database)."""
    normalised = normalise(reply)
    pages = plan_pages(normalised)
    total = len(pages)
    if total == 1:
        return [as_message(normalised)]
    more = [Button(f"More ({n}/{total})", f"more page-id {n}") for n in range(2, total + 1)]
    messages = [
        as_message(
            replace(normalised, text=f"{normalised.text}\n(page 1 of {total})", sections=pages[0], buttons=[more[0]])
        )
    ]
    for number, page in enumerate(pages[1:], start=2):
        last = number == total
        page_reply = Reply(
            text=f"(page {number} of {total})",
            sections=page,
            buttons=normalised.buttons if last else [more[number - 1]],
        )
        messages.append(as_message(page_reply))
    return messages


def titles(messages: list[dict]) -> list[str]:
    found = []
    for message in messages:
        found += re.findall(r"^\*(Result \d+)\*", visible_text(message), flags=re.MULTILINE)
    return found


def test_a_reply_over_50_blocks_is_paged_with_every_section_once_in_order():
    sections = [
        Section(title=f"Result {n}", text="x " * 1200, buttons=[Button("Open", f"open {n}")]) for n in range(30)
    ]
    messages = page_messages(Reply(text="Many results", sections=sections, buttons=[Button("Help", "help")]))
    assert len(messages) >= 2
    for message in messages:
        assert len(message["blocks"]) <= MAX_BLOCKS and limit_problems(message["blocks"]) == []
    assert titles(messages) == [f"Result {n}" for n in range(30)]
    assert buttons(messages[0])[-1]["value"] == "more page-id 2"
    assert buttons(messages[-1])[-1]["value"] == "help"  # the reply's own buttons close the last page


def test_a_reply_that_fits_is_one_page():
    reply = Reply(sections=[Section(title=f"Result {n}", text="short") for n in range(12)])
    assert len(plan_pages(normalise(reply))) == 1


def test_fallback_text_is_short_and_escaped():
    text = fallback_text(Reply(text="<!channel> " + "long " * 200))
    assert text.startswith("&lt;!channel&gt;") and len(text) <= 300 + 20


def test_tone_shows_as_an_emoji_prefix():
    assert as_message(Reply(text="Saved.", tone="success"))["blocks"][0]["text"]["text"] == ":white_check_mark: Saved."
    assert as_message(Reply(text="No.", tone="error"))["blocks"][0]["text"]["text"] == ":warning: No."


def test_form_becomes_a_modal_whose_submission_gives_back_the_values():
    form = Form(
        title="A new event with a long title",
        command="event add",
        fields=[
            FormField("title", "Title", placeholder="Kick-off"),
            FormField("notes", "Notes", multiline=True, required=False),
        ],
        submit_label="Create",
    )
    view = form_view(form, {"c": form.command, "f": ["title", "notes"], "ch": "C1", "th": None})
    View(**view).validate_json()  # slack_sdk's modal checks (title <= 24 characters, block count, ...)
    assert len(view["title"]["text"]) <= 24
    assert [block["block_id"] for block in view["blocks"]] == ["title", "notes"]
    assert view["blocks"][1]["optional"] is True and view["blocks"][1]["element"]["multiline"] is True
    assert json.loads(view["private_metadata"])["c"] == "event add"
    submitted = {
        "state": {
            "values": {
                "title": {"value": {"type": "plain_text_input", "value": "Kick-off"}},
                "notes": {"value": {"type": "plain_text_input", "value": None}},
            }
        }
    }
    assert form_values(submitted) == {"title": "Kick-off"}


def test_form_metadata_that_cannot_fit_is_refused():
    form = Form(title="x", command="c" * 4000, fields=[])
    try:
        form_view(form, {"c": form.command})
    except ValueError:
        return
    raise AssertionError("metadata over 3,000 characters was accepted")


# Pieces of what users type, including Slack markup and the broadcast words, joined at random.
nasty_text = st.lists(
    st.sampled_from(["a", "b", " ", "&", "<", ">", "@", "!", "|", "*", "`", "\n", "channel", "here", "<@U1>", "é"]),
    max_size=40,
).map("".join)
long_text = st.builds(lambda piece, times: piece * times, nasty_text, st.integers(0, 200))
buttons_strategy = st.lists(st.builds(Button, st.text(max_size=120), st.text(min_size=1, max_size=90)), max_size=30)
sections_strategy = st.lists(
    st.builds(
        Section,
        title=st.none() | nasty_text,
        text=long_text,
        fields=st.lists(st.builds(Field, nasty_text, long_text), max_size=14),
        link=st.none()
        | st.builds(Link, nasty_text, st.sampled_from(["https://example.org/a?b=1&c=2", "ftp://x", "https://x.org"])),
        context=st.none() | long_text,
        buttons=buttons_strategy,
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=long_text, sections=sections_strategy, reply_buttons=buttons_strategy)
def test_any_reply_renders_within_the_limits_and_never_as_slack_markup(text, sections, reply_buttons):
    reply = Reply(text=text, sections=sections, buttons=reply_buttons)
    messages = page_messages(reply)
    for message in messages:
        assert limit_problems(message["blocks"]) == []
        # The renderer never writes Slack markup of its own, so no "<" may reach Slack unescaped.
        assert all("<" not in string and ">" not in string for string in mrkdwn_strings(message))
        assert not re.search(r"@(channel|here|everyone)\b", " ".join(mrkdwn_strings(message)), flags=re.IGNORECASE)
    all_text = unescape("\n".join(visible_text(m) for m in messages))
    for section in sections:
        for word in section.text.split():
            if len(word) <= 500:  # longer words are cut across text objects
                assert word in all_text  # nothing a reply says is lost across pages
