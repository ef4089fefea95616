"""`find`, `pilots`, `experts` and `match` in chat, with a small fake model (the real one is in the slow tests)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.intros.notices import NOTICES
from bot.intros.service import MAX_REASON_CHARS
from bot.reply import BUTTON_COMMAND_CHARS
from bot.search.views import _why
from knowledge.chunking import OVERVIEW_HEADING
from knowledge.embeddings import WeakMatch
from knowledge.index import Passage
from knowledge.ingest import ingest
from knowledge.service import KnowledgeService
from storage.models import Introduction, Member
from tests.knowledge_fakes import (  # noqa: F401 - encoder, knowledge: fixtures
    encoder, knowledge, pilot, small_knowledge_base,
)


@pytest.fixture
async def loaded(core, knowledge, encoder, tmp_path):  # noqa: ANN001, ANN201
    folder = small_knowledge_base(tmp_path / "kb")
    report = await ingest(core.db, folder, encoder)
    assert report.errors == []
    return folder


def titles(reply) -> list[str]:  # noqa: ANN001
    return [s.title for s in reply.sections if s.title]


async def test_empty_knowledge_base_says_how_to_ingest(chat, knowledge):
    text = await chat.text("find school food")
    assert "knowledge base is empty" in text and "python main.py ingest PATH" in text


async def test_empty_question_gets_a_hint_with_an_example(chat, loaded):
    for command, example in (("find", "find school"), ("pilots", "pilots school obesity"), ("experts", "experts school food")):
        reply = await chat.say(command)
        assert reply.tone == "error"
        assert example in reply.text


async def test_a_pilot_query_finds_that_pilot_first_with_source_and_why(chat, loaded):
    reply = await chat.say("pilots hot school meals with wholegrains")
    assert titles(reply)[0] == "Pilot · Healthy school meals in Nordby"
    first = reply.sections[0]
    assert "wholegrains" in first.text
    assert {f.label: f.value for f in first.fields}["Source"] == "`pilots/school-meals.md`"
    assert first.context.startswith("Why:") and "wholegrains" in first.context
    assert all(t.startswith("Pilot · ") for t in titles(reply))


async def test_find_covers_every_kind_and_links_sources(chat, loaded):
    reply = await chat.say("find school food lessons kind:report")
    assert titles(reply)[0] == "Report · Lessons from school food pilots"
    assert reply.sections[0].link.url == "https://example.org/reports/food"
    tools = await chat.say("find checking understanding kind:tool")
    assert titles(tools) == ["Tool · Teach-back pocket card"]


async def test_filters_narrow_and_unknown_values_list_valid_ones(chat, loaded):
    swedish = await chat.say("find teenagers country:Sweden")
    assert titles(swedish) and all(t in {"Pilot · Peer support chat for teenagers", "Report · Evaluation of the peer support chat", "Expert · Dan Eriksson"} for t in titles(swedish))
    recent = await chat.say("pilots support since:2025")
    assert titles(recent) == ["Pilot · Peer support chat for teenagers"]
    for command, expected in (
        ("find food kind:poem", "Valid kinds: pilot, expert, report, tool"),
        ("find food theme:cooking", "Valid themes: obesity, mental_health"),
        ("find food country:Atlantis", "country:DK"),
        ("find food --sector bakery", "Valid sectors: municipality, region"),
        ("find food since:last-week", "since:2024"),
        ("find food --colour red", "Valid options:"),
        ("pilots food kind:tool", "only searches pilots"),
    ):
        reply = await chat.say(command)
        assert reply.tone == "error", command
        assert expected in reply.text, command
    listed = await chat.say("pilots country:DK")
    assert titles(listed) == ["Pilot · Healthy school meals in Nordby"]
    # Filters alone list what matches for `experts` too, and each command's hints name only its own filters.
    people = await chat.say("experts country:SE")
    assert titles(people) and all(t.startswith("Expert · ") for t in titles(people))
    assert "Expert · Dan Eriksson" in titles(people)
    for command, offered, not_offered in (
        ("experts --sector", "--cross-border", ("kind:", "since:")),
        ("experts food --colour red", "--cross-border", ("--kind", "--since")),
        ("pilots", "since:2024", ("kind:",)),
        ("find", "kind:pilot", ()),
    ):
        reply = await chat.say(command)
        assert reply.tone == "error" and offered in reply.text, command
        assert not any(word in reply.text for word in not_offered), command


async def test_counts_of_one_are_singular(chat, encoder, loaded):
    listed = await chat.say("pilots country:GB")
    assert listed.text == "1 pilot matching your filters:"
    assert (await chat.say("pilots country:DK,GB")).text == "2 pilots matching your filters:"
    encoder.weak_match_below = WeakMatch(2.0, 2.0)  # every answer is weak
    weak = await chat.say("pilots school food for astronauts country:GB")
    assert "The closest, in case it still helps:" in weak.text and len(weak.sections) == 2  # and the hint


async def test_one_overlong_word_is_cut_without_counting_words(chat, encoder, loaded):
    encoder.truncate = lambda text: (text[:512], len(text) > 512)  # a real model cuts inside a long word
    reply = await chat.say("x" * 5000)
    assert "Your question was long, so I cut it to what the language model reads at once." in reply.text
    assert "first 1 words" not in reply.text


async def test_a_very_long_question_is_truncated_with_a_note(chat, core, loaded):
    question = "hot school meals with wholegrains " * 350
    assert 10_000 < len(question) < core.settings.max_question_chars
    assert core.settings.max_message_chars < len(question)  # search questions have a limit of their own
    reply = await chat.say("find " + question)
    assert reply.tone != "error"
    assert "Your question was long, so I searched with its first 50 words" in reply.text
    assert len(reply.text) < 400  # the question is not echoed in full
    assert titles(reply)[0] == "Pilot · Healthy school meals in Nordby"
    refused = await chat.say("profile set bio " + question)  # other commands keep the message limit
    assert refused.tone == "error" and "the limit is 4,000" in refused.text


async def test_experts_from_other_organisations_come_first(chat, core, loaded):
    await chat.say("profile set organisation Nordby Municipality", as_user="nina")
    await chat.say("profile set country Denmark", as_user="nina")
    reply = await chat.say("experts school food", as_user="nina")
    names = titles(reply)
    assert set(names) == {"Anna Holm", "Bo Berg", "Carla Diaz", "Dan Eriksson"}
    # Nordby Municipality's own people last, whatever their score.
    assert set(names[-2:]) == {"Anna Holm", "Bo Berg"}
    assert "(Your own organisation.)" in reply.sections[-1].context
    # Cross-border: other countries before Denmark (Anna and Bo are Danish too).
    cross_reply = await chat.say("experts --cross-border school food", as_user="nina")
    cross = titles(cross_reply)
    assert set(cross[:2]) == {"Carla Diaz", "Dan Eriksson"}
    # Without a country of one's own, "other countries" needs one: the answer says how to set it.
    assert "profile set country" not in cross_reply.plain_text()
    assert "profile set country" in (await chat.say("experts --cross-border school food", as_user="omar")).plain_text()
    by_sector = titles(await chat.say("experts school food --sector research", as_user="nina"))
    assert by_sector == ["Carla Diaz"]
    by_country = titles(await chat.say("experts school food country:SE", as_user="nina"))
    assert by_country == ["Dan Eriksson"]


async def test_expert_results_offer_an_introduction_by_member_reference(chat, core, loaded):
    reply = await chat.say("experts school food evaluation")
    carla = next(s for s in reply.sections if s.title == "Carla Diaz")
    [button] = carla.buttons
    assert button.label == "Introduce me"
    assert button.command.startswith("intro member:")
    member_id = int(button.command.split()[1].removeprefix("member:"))
    async with core.db.session() as session:
        member = await session.get(Member, member_id)
        assert member.display_name == "Carla Diaz"
    # A sentence for the expert, not the raw query.
    assert button.command.split(" ", 2)[2] == "I'd like to learn about school food evaluation from you."


LONG_QUESTION = (
    "We are a small municipality in Jutland planning school food evaluation for pupils, and we would like to hear "
    "how others measured what changed. " * 6
)


async def test_a_long_question_is_quoted_in_the_introduction_the_expert_receives(chat, core, loaded):
    reply = await chat.say(f"experts {LONG_QUESTION}")
    carla = next(s for s in reply.sections if s.title == "Carla Diaz")
    [button] = carla.buttons
    reason = button.command.split(" ", 2)[2]
    assert reason.startswith("I'd like to learn from you about my question: ‘We are a small municipality in Jutland")
    assert reason.endswith("…’") and "from you." not in reason
    cut = reason.removeprefix("I'd like to learn from you about my question: ‘").removesuffix("…’")
    assert LONG_QUESTION.startswith(cut) and LONG_QUESTION[len(cut)] == " "  # cut at a word boundary
    assert len(reason) <= MAX_REASON_CHARS and len(button.command) <= BUTTON_COMMAND_CHARS
    sentence = await chat.say("experts how did others evaluate school food?")
    [asked] = next(s for s in sentence.sections if s.title == "Carla Diaz").buttons
    assert asked.command.endswith("my question: ‘how did others evaluate school food?’")
    # Pressed, it is the request the expert reads.
    sent = await chat.say(button.command, from_button=True)
    assert sent.tone != "error", sent.text
    async with core.db.session() as session:
        intro = (await session.execute(select(Introduction))).scalar_one()
        requester, target = await session.get(Member, intro.requester_id), await session.get(Member, intro.target_id)
        request = NOTICES.request_for_target(intro, requester, target).plain_text()
    assert f"Why: “{reason}”" in request


async def test_later_pages_name_the_question_as_the_first_page_does(chat, loaded):
    for command in ("find", "ask", "search", ""):
        first = await chat.say(f"{command} school food kind:pilot,report,tool,expert".strip())
        assert "“school food”" in first.text
        (more,) = [b for b in first.buttons if b.command.startswith("more ")]
        second = await chat.say(more.command, from_button=True)
        assert second.text.startswith("“school food”, continued (page 2 of"), (command, second.text)


async def test_experts_who_switched_expert_search_off_are_not_listed(chat, core, loaded):
    async with core.db.session() as session, session.begin():
        await session.execute(update(Member).where(Member.display_name == "Carla Diaz").values(consent_expert_search=False))
    assert "Carla Diaz" not in titles(await chat.say("experts school food evaluation"))
    assert "Expert · Carla Diaz" not in titles(await chat.say("find school food evaluation"))


async def test_an_expert_is_not_shown_to_themselves(chat, loaded):
    reply = await chat.say("experts school food", as_user="anna-holm")
    assert "Anna Holm" not in titles(reply)


async def test_experts_are_found_through_their_pilots(chat, loaded):
    reply = await chat.say("experts plate waste uptake")
    anna = next(s for s in reply.sections if s.title == "Anna Holm")
    assert "their pilot “Healthy school meals in Nordby”" in anna.context


async def test_match_me_uses_profile_interests(chat, loaded):
    empty = await chat.say("match me", as_user="olga")
    assert empty.tone == "error" and "profile set interests" in empty.text
    await chat.say("profile set interests anxiety, loneliness among teenagers", as_user="olga")
    reply = await chat.say("match me", as_user="olga")
    assert "Pilot · Peer support chat for teenagers" in titles(reply)
    assert reply.private  # it names the member's interests: for them alone, like `profile`
    assert "interests" in reply.text
    # There was no question: each "why" names what was matched.
    whys = [s.context for s in reply.sections if s.context and s.context.startswith("Why:")]
    assert whys and all("your interests" in why and "your question" not in why for why in whys)
    wrong = await chat.say("match you", as_user="olga")
    assert wrong.tone == "error" and "match me" in wrong.text


async def test_many_results_are_paged_five_at_a_time(chat, core, loaded, encoder):
    for n in range(12):
        pilot(loaded, f"extra-{n}", f"Extra food pilot {n}", "## Summary\nSchool food and cooking.", themes=["obesity"])
    await ingest(core.db, loaded, encoder)
    reply = await chat.say("pilots school food cooking")
    assert len(reply.sections) == 5
    more = reply.buttons[0]
    assert more.command.startswith("more ")
    second = await chat.say(more.command)
    assert len(second.sections) == 5
    assert not set(titles(second)) & set(titles(reply))


async def test_user_text_is_not_echoed_in_a_way_that_pings(chat, loaded):
    reply = await chat.say("find @channel school <@U123> food")
    assert "@channel" not in reply.plain_text() and "<@U123>" not in reply.plain_text()


def test_the_why_line_says_close_in_meaning_when_no_word_is_shared():
    overview, summary = Passage(OVERVIEW_HEADING, ""), Passage("Summary", "")
    assert _why(overview, ["School"], None) == "Why: its title, tags and facts match your question; shared terms: School."
    assert _why(overview, [], None) == "Why: its title, tags and facts are close in meaning to your question, with no shared keywords."
    assert _why(summary, [], None) == "Why: the “Summary” passage is close in meaning to your question, with no shared keywords."


async def test_an_answer_says_the_filters_it_was_searched_with(chat, loaded):
    filtered = await chat.say("find teenagers country:Sweden theme:mental_health")
    assert filtered.text.startswith("Best matches for “teenagers” (theme: Mental health; country: Sweden):"), filtered.text
    nothing = await chat.say("find teenagers country:France")
    assert nothing.tone == "error" and "I found no results for “teenagers” (country: France)." in nothing.text
    assert (await chat.say("pilots school meals")).text.startswith("Best matches for “school meals”:")  # its own kind
    kind = await chat.say("find school meals kind:pilot")
    assert kind.text.startswith("Best matches for “school meals” (kind: pilot):"), kind.text


async def test_a_question_that_only_names_countries_lists_what_is_there(chat, loaded):
    # Searched by meaning, "Sweden" ranks anything near the word and lists other countries' pilots after
    # the Swedish ones: a question naming only places lists what is in them, as country:X would.
    swedish = await chat.say("pilots in Sweden")
    assert titles(swedish) == ["Pilot · Peer support chat for teenagers"]
    assert swedish.text == "1 pilot in Sweden, newest first. To search a topic there: `pilots <topic> country:SE`."
    assert titles(await chat.say("find pilots in Sweden")) == titles(swedish)  # `pilots` said in the question
    people = await chat.say("experts from Sweden")
    assert "Expert · Dan Eriksson" in titles(people) and all(t.startswith("Expert · ") for t in titles(people))
    both = await chat.say("Denmark and the UK")  # a plain message: every kind, in either country
    assert both.text.startswith("6 results in Denmark or the United Kingdom, newest first."), both.text
    nowhere = await chat.say("projects in Iceland")
    assert nowhere.tone == "error" and "I have no pilots in Iceland yet." in nowhere.text
    # A topic beside the country is searched as before.
    assert (await chat.say("pilots peer support in Sweden")).text.startswith("Best matches for “peer support in Sweden”")


async def test_a_question_that_only_names_a_kind_lists_it_newest_first(chat, loaded):
    reports = await chat.say("latest reports")
    assert titles(reports) == ["Report · Lessons from school food pilots", "Report · Evaluation of the peer support chat"]
    assert reports.text == "2 reports, newest first. To search a topic among them: `find <topic> kind:report`."
    assert titles(await chat.say("tools")) == ["Tool · Teach-back pocket card"]
    everyone = await chat.say("experts all")  # a command of one kind: a word that asks for a list is enough
    assert len(titles(everyone)) == 4 and all(t.startswith("Expert · ") for t in titles(everyone))
    assert everyone.text.startswith("4 experts, newest first. To search a topic among them: `experts <topic>`.")
    assert (await chat.say("pilots")).tone == "error"  # still asks what to look for
    assert (await chat.say("find all")).tone == "error"  # nothing named: no topic either


@pytest.mark.parametrize(
    ("text", "countries", "kinds"),
    [
        ("pilots in Sweden", ("SE",), ("pilot",)),
        ("show me pilots in Sweden, Norway or Finland", ("SE", "NO", "FI"), ("pilot",)),
        ("experts in the usa", ("US",), ("expert",)),
        ("pilots in the United States of America", ("US",), ("pilot",)),
        ("Bosnia and Herzegovina", ("BA",), ()),
        ("who is working in DK", ("DK",), ()),
        ("Sverige", ("SE",), ()),
        ("pilotprojekter i Danmark", ("DK",), ("pilot",)),
        ("Experten aus Kenia", ("KE",), ("expert",)),
        ("miradi nchini Kenya", ("KE",), ("pilot",)),
        ("seneste rapporter", (), ("report",)),
        ("herramientas", (), ("tool",)),
    ],
)
def test_listing_named_reads_country_names_codes_and_fillers(text, countries, kinds):
    from bot.search.listing import listing_named

    named = listing_named(text)
    assert named is not None and named.countries == countries and named.kinds == kinds


@pytest.mark.parametrize(
    "text", ["obesity in Sweden", "in", "no", "the and of", "us", "pilots in no time", "2024 Denmark", "turkey recipes"]
)
def test_words_that_are_no_place_keep_a_question_a_question(text):
    from bot.search.listing import listing_named

    assert listing_named(text) is None


async def test_a_filter_typed_with_a_space_before_its_value_is_a_filter(chat, loaded):
    spaced = await chat.say("find teenagers country: Sweden theme: mental_health")
    assert spaced.text.startswith("Best matches for “teenagers” (theme: Mental health; country: Sweden):"), spaced.text
    assert titles(await chat.say('pilots country: "United Kingdom"')) == ["Pilot · Teach-back training in citizen services"]
    for command in ("find country:", "pilots school since:", "find school meals --theme --country Atlantis"):
        reply = await chat.say(command)
        assert reply.tone == "error" and "needs a value" in reply.text and "country:DK" in reply.text, command
    # The aliases begin sentences too: "from:" is no filter there.
    assert "from:" in (await chat.say("find from: a school nurse, meals")).text


async def test_an_answer_quotes_the_topic_without_the_word_that_leads_into_it(chat, loaded):
    reply = await chat.say("pilots on school meals")
    assert "“school meals”" in reply.text and "“on school meals”" not in reply.text, reply.text
