"""Replies as Discord messages: every limit held, nothing lost, no live mass or role mention."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.render import (
    BUTTON_LABEL_LIMIT,
    BUTTONS_PER_ROW,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_CHARS_PER_MESSAGE,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    FOOTER_LIMIT,
    MESSAGES_PER_PAGE,
    ROWS_PER_MESSAGE,
    TITLE_LIMIT,
    OutgoingMessage,
    escape_text,
    normalise,
    plan_pages,
    render,
)
from adapters.discord.transport import DISCORD_PAGES
from adapters.discord.views import CUSTOM_ID_LIMIT, CommandStore, build_view
from bot.reply import Button, Field, Link, Reply, Section
from tests.discord_fake import EPHEMERAL, FakeDiscord, Harness, slash, user
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.test_discord_interactions import replace_handle

LIVE_PING = re.compile(r"@(everyone|here)|<@&\d+>", re.IGNORECASE)


def within_limits(message: OutgoingMessage) -> None:
    assert len(message.content) <= CONTENT_LIMIT
    assert len(message.embeds) <= EMBEDS_PER_MESSAGE
    assert sum(len(e) for e in message.embeds) <= EMBED_CHARS_PER_MESSAGE
    for embed in message.embeds:
        assert len(embed.title or "") <= TITLE_LIMIT
        assert len(embed.description or "") <= DESCRIPTION_LIMIT
        assert len(embed.fields) <= FIELDS_PER_EMBED
        assert len(embed.footer.text or "") <= FOOTER_LIMIT
        for item in embed.fields:
            assert 0 < len(item.name or "") <= FIELD_NAME_LIMIT and 0 < len(item.value or "") <= FIELD_VALUE_LIMIT
        assert embed.to_dict()  # something to show: Discord refuses empty embeds
    assert len(message.rows) <= ROWS_PER_MESSAGE
    assert all(0 < len(row) <= BUTTONS_PER_ROW for row in message.rows)
    assert all(len(b.label) <= BUTTON_LABEL_LIMIT for b in message.buttons)
    assert not message.is_empty()


def shown_text(messages: list[OutgoingMessage]) -> str:
    parts = []
    for message in messages:
        parts.append(message.content)
        for embed in message.embeds:
            parts.extend([embed.title or "", embed.description or "", embed.footer.text or ""])
            parts.extend(f"{f.name} {f.value}" for f in embed.fields)
    return "\n".join(parts)


def test_long_text_is_split_over_messages_of_at_most_2000_characters():
    text = "\n".join(f"Line {n}: " + "lorem ipsum " * 12 for n in range(60))
    messages = render(Reply(text=text))
    assert len(messages) > 2
    for message in messages:
        within_limits(message)
    for n in range(60):
        assert f"Line {n}:" in shown_text(messages)


def test_a_line_without_spaces_is_cut_hard_but_keeps_its_escapes_whole():
    messages = render(Reply(text="*" * 3000))
    for message in messages:
        within_limits(message)
        assert not message.content.endswith("\\") or message.content.endswith("\\*")
    assert "".join(m.content for m in messages).count("\\*") == 3000


def test_at_most_ten_embeds_per_message():
    messages = render(Reply(text="Results", sections=[Section(title=f"Pilot {n}", text="short") for n in range(23)]))
    assert [len(m.embeds) for m in messages] == [10, 10, 3]
    assert messages[0].content == "Results" and not messages[1].content
    assert [e.title for m in messages for e in m.embeds] == [f"Pilot {n}" for n in range(23)]


def test_at_most_6000_embed_characters_per_message():
    sections = [Section(title=f"Report {n}", text="x" * 2500) for n in range(5)]
    messages = render(Reply(sections=sections))
    assert [len(m.embeds) for m in messages] == [2, 2, 1]
    for message in messages:
        within_limits(message)


def test_more_than_25_fields_continue_in_further_embeds():
    fields = [Field(f"Partner {n}", f"Organisation {n}") for n in range(60)]
    (message,) = render(Reply(sections=[Section(title="Partners", fields=fields)]))
    within_limits(message)
    assert [len(e.fields) for e in message.embeds] == [25, 25, 10]
    assert message.embeds[0].title == "Partners" and message.embeds[1].title is None


def test_long_descriptions_and_field_values_are_continued_not_cut():
    section = Section(title="Write-up", text="word " * 2000, fields=[Field("Outcomes", "result " * 400)])
    messages = render(Reply(sections=[section]))
    for message in messages:
        within_limits(message)
    text = shown_text(messages)
    assert text.count("word") == 2000 and text.count("result") == 400
    assert "Outcomes (cont.)" in text


def test_five_rows_of_five_buttons_per_message():
    buttons = [Button(f"Option {n}", f"rsvp {n} going") for n in range(32)]
    messages = render(Reply(text="Choose", buttons=buttons))
    assert [len(m.rows) for m in messages] == [5, 2]
    assert [len(row) for row in messages[0].rows] == [5, 5, 5, 5, 5]
    assert [b.command for m in messages for b in m.buttons] == [f"rsvp {n} going" for n in range(32)]
    for message in messages:
        within_limits(message)


def test_section_buttons_stay_with_their_section_and_labels_are_capped():
    reply = Reply(sections=[
        Section(title="Anna", buttons=[Button("Introduce me " + "!" * 100, "intro member:1 reason")]),
        Section(title="Ben", buttons=[Button("Introduce me", "intro member:2 reason")]),
    ], buttons=[Button("More (2/3)", "more abc 2", style="primary")])
    (message,) = render(reply)
    assert [[b.command for b in row] for row in message.rows] == [
        ["intro member:1 reason"], ["intro member:2 reason"], ["more abc 2"]]
    assert len(message.rows[0][0].label) == BUTTON_LABEL_LIMIT
    assert message.rows[2][0].style.name == "primary"


def test_section_buttons_are_named_after_their_section_within_the_label_limit():
    people = ["Mette Lind", "Jonas Berg", "A" * 200]
    reply = Reply(sections=[
        *(Section(title=name, text="Works on school food.", buttons=[Button("Introduce me", f"intro member:{n} x")])
          for n, name in enumerate(people)),
        Section(text="Ana Silva (Nordhavn)", buttons=[Button("This one", "profile show member:9")]),
    ], buttons=[Button("More (2/3)", "more abc 2")])
    (message,) = render(reply)
    labels = [b.label for b in message.buttons]
    assert labels[:2] == ["Introduce me · Mette Lind", "Introduce me · Jonas Berg"]
    assert labels[2].startswith("Introduce me · AAA") and len(labels[2]) == BUTTON_LABEL_LIMIT
    assert labels[3:] == ["This one · Ana Silva (Nordhavn)", "More (2/3)"]  # the reply's own buttons as they are
    assert [b.command for b in message.buttons][:3] == ["intro member:0 x", "intro member:1 x", "intro member:2 x"]


def test_small_print_goes_in_footers_and_links_are_masked():
    reply = Reply(sections=[
        Section(title="School meals pilot", text="What we learned", link=Link("Report", "https://example.org/r?a=1")),
        Section(context="why: shares *school* and `meals`"),
    ])
    (message,) = render(reply)
    (embed,) = message.embeds
    assert "[Report](<https://example.org/r?a=1>)" in embed.description
    assert embed.footer.text == "why: shares *school* and meals"  # footers show no Markdown: backticks would show


def test_markdown_and_mentions_in_user_text_are_shown_literally():
    escaped = escape_text("**bold** @everyone @here <@&123> [x](https://evil.example) `code_stays` ~~s~~")
    assert "\\*\\*bold\\*\\*" in escaped and "\\~\\~s\\~\\~" in escaped
    assert "`code_stays`" in escaped
    assert LIVE_PING.search(escaped) is None
    assert "\\[x](https://evil.example)" in escaped


def test_an_empty_reply_is_still_a_message():
    (message,) = render(Reply())
    within_limits(message)


def discord_pages(reply: Reply) -> list[Reply]:
    """The pages the core makes of `reply` by Discord's page budget, as they are shown."""
    shaped = normalise(reply)
    pages = plan_pages(shaped)
    return [
        replace(shaped, sections=page, text=shaped.text if number == 0 else f"(page {number + 1} of {len(pages)})")
        for number, page in enumerate(pages)
    ]


async def test_a_runaway_answer_is_paged_by_discord_s_budget_and_nothing_is_lost(core, clock):
    sections = [Section(title=f"Item {n}", text="y" * 3000) for n in range(40)]
    reply = Reply(text="Many", sections=sections, buttons=[Button("Help", "help")])
    pages = [await core.paginator.paginate(reply, budget=DISCORD_PAGES, now=clock.now())]
    while more := next((b.command for b in pages[-1].buttons if b.command.startswith("more ")), None):
        _, page_id, number = more.split()
        pages.append(await core.paginator.page(page_id, int(number)))
    assert len(pages) > 1 and all(len(render(page)) <= MESSAGES_PER_PAGE for page in pages)
    assert [s.title for page in pages for s in page.sections if s.title] == [f"Item {n}" for n in range(40)]
    assert "".join(s.text for page in pages for s in page.sections) == "y" * 3000 * 40
    assert pages[0].text.startswith("Many\n(page 1 of ") and pages[-1].buttons == [Button("Help", "help")]
    assert all("too long" not in message.content for page in pages for message in render(page))


def test_a_section_too_big_for_one_embed_is_cut_into_parts_that_keep_everything():
    section = Section(title="T", text="word " * 2000, fields=[Field("F", "v" * 3000)] * 3, context="why",
                      buttons=[Button("Go", "go")], link=Link("Report", "https://example.org/r"))
    parts = normalise(Reply(sections=[section])).sections
    assert len(parts) > 1 and parts[0].title == "T" and all(p.title is None for p in parts[1:])
    assert (parts[-1].context, parts[-1].link) == ("why", section.link)
    assert parts[-1].buttons == [Button("Go · T", "go")]  # named after the title, which stays on the first part
    assert " ".join(p.text for p in parts).split() == section.text.split()
    assert "".join(f.value for p in parts for f in p.fields) == "v" * 9000
    assert all(len(render(Reply(sections=[part]))) == 1 for part in parts)


_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    ["@everyone", "@here", "<@&42>", "`@everyone`", "*" * 50, "x" * 5000, "\\" * 7, "a\n" * 30]
)
_button = st.builds(Button, label=_text, command=st.text(min_size=1, max_size=120))
_section = st.builds(
    Section,
    title=st.none() | _text,
    text=_text,
    fields=st.lists(st.builds(Field, label=_text, value=_text), max_size=30),
    link=st.none() | st.builds(Link, label=_text, url=st.sampled_from(["https://example.org/a_b", "data/x.md", "js:"])),
    context=st.none() | _text,
    buttons=st.lists(_button, max_size=7),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(Reply, text=_text, sections=st.lists(_section, max_size=12), buttons=st.lists(_button, max_size=30)))
def test_any_reply_renders_within_limits_and_never_pings(reply: Reply):
    messages = render(reply)
    assert len(messages) >= 1
    assert all(1 <= len(render(page)) <= MESSAGES_PER_PAGE for page in discord_pages(reply))
    for message in messages:
        within_limits(message)
        assert LIVE_PING.search(message.content) is None
        for embed in message.embeds:
            shown = [embed.title, embed.description, *(f.value for f in embed.fields), *(f.name for f in embed.fields)]
            assert all(LIVE_PING.search(value or "") is None for value in shown)


async def test_views_hold_persistent_ids_within_the_limit_and_drop_repeats(core):
    store = CommandStore(core.deliveries)
    reply = Reply(buttons=[Button("Go", "more abc 2"), Button("Go again", "more abc 2"),
                           Button("Long", "profile set bio " + "b" * 200)])
    (message,) = render(reply)
    view = await build_view(message.rows, store)
    ids = [item.custom_id for item in view.children]
    assert ids[0] == "lh:more abc 2" and len(ids) == 2
    assert ids[1].startswith("lh#") and all(len(i) <= CUSTOM_ID_LIMIT for i in ids)
    assert view.timeout is None and view.is_persistent()
    assert await store.command(ids[1]) == "profile set bio " + "b" * 200


async def test_a_long_answer_arrives_as_a_response_and_follow_ups(discord: Harness, fake_discord: FakeDiscord):
    sections = [Section(title=f"Pilot {n}", text="z" * 900) for n in range(15)]
    replace_handle(discord.core, {"pilots all": Reply(text="All pilots", sections=sections, private=True)})
    await discord.interaction(slash(user(1001, "alice"), "pilots", {"question": "all"}))
    posted = fake_discord.posted()
    assert [len(m["embeds"]) for m in posted] == [6, 6, 3]
    # A search is deferred at once (privately); the first page fills the deferral in, the rest follow up.
    (deferral,) = fake_discord.callbacks()
    assert deferral.body["type"] == 5 and deferral.body["data"]["flags"] & EPHEMERAL
    assert len(fake_discord.find("PATCH", r"/webhooks/\d+/[^/]+/messages/@original")) == 1
    assert all(m["flags"] & EPHEMERAL for m in posted[1:])
    assert len(fake_discord.find("POST", r"/webhooks/\d+/[^/]+")) == 2
