"""Result snippets are plain text: the source's Markdown never reaches chat, its words all do."""

from __future__ import annotations

import pytest

from adapters import console
from adapters.discord import render as discord_render
from adapters.slack import render as slack_render
from bot.search.views import plain_passage
from knowledge.ingest import ingest
from knowledge.service import KnowledgeService
from tests.knowledge_fakes import encoder, knowledge, pilot  # noqa: F401 - encoder, knowledge: fixtures
from tests.slack_limits import visible_text

APPROACH = (
    "## Approach\n"
    "- **Procurement:** the municipality tendered a two-year contract with\n"
    "  nutritional requirements in the [award criteria](https://example.org/award_criteria).\n"
    "- **Menu change.** Canteens serve *wholegrain* bread and __less__ salt, per_portion priced at 2*3 kroner.\n"
    "1. Business cases for _every_ school\n"
)


def test_markdown_marks_go_and_every_word_stays():
    assert plain_passage(APPROACH) == (
        "Approach\n"
        "Procurement: the municipality tendered a two-year contract with nutritional requirements in the award criteria.\n"
        "Menu change. Canteens serve wholegrain bread and less salt, per_portion priced at 2*3 kroner.\n"
        "Business cases for every school"
    )


def test_paragraphs_run_on_within_themselves_and_quotes_lose_their_mark():
    assert plain_passage("# Title\n\nOne line\nwrapped.\n\n> A quote\n") == "Title\nOne line wrapped.\nA quote"


async def test_a_found_passage_shows_as_plain_text_on_every_platform(chat, core, encoder, tmp_path):  # noqa: ANN001
    folder = tmp_path / "kb"
    pilot(folder, "school-meals", "Healthy school meals in Nordby", APPROACH, themes=["obesity"], countries=["DK"])
    assert (await ingest(core.db, folder, encoder)).errors == []
    reply = await chat.say("find procurement contract nutritional requirements")
    (text,) = [s.text for s in reply.sections if s.title == "Pilot · Healthy school meals in Nordby"]
    assert "Procurement: the municipality" in text and "Menu change. Canteens" in text
    assert not any(mark in text for mark in ("**", "__", "- ", "](", "#"))
    shown = {
        "console": console.render(reply),
        "slack": visible_text({"blocks": slack_render.render(reply).blocks}),
        "discord": "\n".join(e.description or "" for m in discord_render.render(reply) for e in m.embeds),
    }
    for platform, rendered in shown.items():
        assert "Procurement: the municipality" in rendered, platform
        # A literal star in the words (2*3) is kept, shown as typed: only Markdown marks must not show.
        assert not any(mark in rendered for mark in ("\\*\\*", "**", "\\-", "- Business", "[award")), platform


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("*Start* of a line and _end_", "Start of a line and end"),
        ("(*inside* brackets), \"_quoted_\"", "(inside brackets), \"quoted\""),
        ("snake_case_name and 2*3*4 stay; so does a * lone star", "snake_case_name and 2*3*4 stay; so does a * lone star"),
        ("**strong** then *one*", "strong then one"),
        ("***", "***"),
        ("_a_b_ and *a*b*", "_a_b_ and *a*b*"),
    ],
)
def test_emphasis_marks_go_and_other_stars_and_underscores_stay(written: str, plain: str):
    assert plain_passage(written) == plain
