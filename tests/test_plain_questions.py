"""A message that is not a command is searched; a near-typo of a command gets "did you mean".

The rule lives in the router, so it holds for the console, Slack (slash command, mention, DM) and Discord
(mention, DM, `/lighthouse ask`) alike; each is checked here end to end with a small fake model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.app import router
from bot.app.account_requests import account_request
from bot.app.catalogue import full_catalogue
from bot.app.event_questions import asks_for_events
from bot.app.router import edit_distance
from bot.app.small_talk import ANSWERS, SmallTalk, asks_about_the_bot
from bot.search.commands import NARROWING
from bot.search.query import parse_question
from knowledge.embeddings import WeakMatch
from knowledge.ingest import ingest
from knowledge.service import KnowledgeService
from tests.discord_fake import BOT_USER as DISCORD_BOT_USER
from tests.discord_fake import CHANNEL_ID, FakeDiscord, Harness, dm_channel_id, message_create, slash, user
from tests.discord_fixtures import discord, discord_settings, fake_discord  # noqa: F401 - fixtures
from tests.knowledge_fakes import encoder, knowledge, small_knowledge_base  # noqa: F401 - encoder, knowledge: fixtures
from tests.slack_limits import buttons, visible_text
from tests.slack_support import BOB, GENERAL, message_event
from tests.slack_support import BOT_USER as SLACK_BOT_USER

QUESTION = "how did other municipalities serve hot school meals with wholegrains?"
SCHOOL_MEALS = "Healthy school meals in Nordby"


@pytest.fixture
async def loaded(core, knowledge, encoder, tmp_path):  # noqa: ANN001, ANN201
    report = await ingest(core.db, small_knowledge_base(tmp_path / "kb"), encoder)
    assert report.errors == []


# --- The rule -------------------------------------------------------------------------------------------


def resolve(text: str) -> router.Routing:
    return router.resolve(full_catalogue().commands, text)


def test_the_rule_separates_questions_and_topics_from_typos():
    question = resolve(QUESTION)
    assert question.command.name == "find" and question.plain_question and question.args_text == QUESTION
    topic = resolve("obesity")
    assert topic.command.name == "find" and topic.plain_question and topic.args_text == "obesity"
    assert resolve("lighthouse, what works against loneliness?").args_text == "what works against loneliness?"
    for typo, meant in (("profle set expertise walking football", "profile"), ("pilts", "pilots"),
                        ("exprets school food", "experts"), ("hlep", "help"), ("privcy", "privacy")):
        routing = resolve(typo)
        assert routing.command is None and meant in routing.typo_of, typo
    # Commands and aliases stay commands; `ask` is `find`, typed.
    asked = resolve("ask school food")
    assert asked.command.name == "find" and not asked.plain_question and asked.args_text == "school food"
    assert resolve("me").command.name == "profile"
    # Short names are not typo targets: "we ..." is not `me`, "api ..." is not `kpi`.
    assert resolve("we need school food ideas").plain_question
    assert resolve("api for health data").plain_question
    # "research" is two edits from `search`: a topic, not a typo.
    assert resolve("research on school meals").plain_question
    # An everyday word one edit from a command begins a question when more words follow ("kind" and "fund"
    # are one edit from `find`, "rule" from `role`; German and Dutch "Kind" is a child); alone, it may be a typo.
    for question in ("kind nurses", "fund school meals", "rule of thumb for portion sizes", "Kind mit Übergewicht",
                     "kind met overgewicht", "sind Kinder dicker geworden", "robe de mariée"):
        routing = resolve(question)
        assert routing.plain_question and routing.args_text == question and not routing.typo_of, question
    assert resolve("kind").typo_of == ("find",)


@pytest.mark.parametrize(
    "question",
    [
        "role of municipalities in obesity prevention", "help with obesity in schools", "intro to health literacy",
        "privacy in health data sharing", "profile of obese children", "events about loneliness",
        "audit of school food", "next steps for the pilot", "more about obesity", "quit smoking programmes",
        "exit strategies for pilots", "commands for youth", "help me find pilots on obesity",
        # a word that is no subcommand, no typo of one and tells no command what to do, and two more words
        "privacy impact assessment for health apps", "role models for teenagers", "event planning for seniors",
        "event cancellations in digital health pilots", "match making between SMEs and hospitals",
    ],
)
def test_a_command_name_that_only_begins_a_sentence_is_a_question(question):
    routing = resolve(question)
    assert routing.plain_question and routing.command.name == "find" and routing.args_text == question


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("help me", "help"), ("help find", "help"), ("help profile set", "help"), ("more 3", "more"), ("more x", "more"), ("next", "more"),
        ("quit", "quit"), ("digest now", "digest"), ("digest off", "digest"), ("role grant @ana coordinator", "role"),
        ("intro @ana because we both run school pilots", "intro"), ("intro to @ana about school meals", "intro"),
        ("intro to <@U0ANA> about school meals", "intro"),
        ("match me", "match"), ("match mee", "match"), ("profile sett expertise x", "profile"),
        ("privacy consent expert_search off", "privacy"), ("privacy exprot my data", "privacy"),
        ("privacy delete my account", "privacy"), ("event create a workshop on obesity", "event"),
        ("event lsit all upcoming", "event"), ("digest weekly on mondays", "digest"), ("event planning", "event"),
    ],
)
def test_commands_keep_their_own_words(text, command):
    # A subcommand, a command's name, a page, a mention: the command is meant; a mistyped subcommand
    # ("sett", "exprot"), a word that tells a command what to do ("delete", "create") or a word with fewer
    # than two after it ("event planning") still gets the command's own answer.
    routing = resolve(text)
    assert routing.command.name == command and not routing.plain_question, text
    # Greetings and thanks are neither commands nor topics.
    for small_talk in ("thanks!", "Hello there", "thank you"):
        routing = resolve(small_talk)
        assert routing.command is None and not routing.typo_of, small_talk


GREETINGS = (
    "hello", "Hi!", "hey there", "good morning", "hej", "hejsa", "hei", "hallo", "hallå", "Guten Tag", "moin",
    "hoi", "goedendag", "bonjour", "salut", "hola", "buenos días", "buenos dias", "habari", "jambo", "hujambo",
    "hello lighthouse", "<!here> <@U12345> hi", "@channel hola", "<@U0BOB|bob> god morgen",
)
THANKS = (
    "thanks", "Thank you!", "thanks a lot 🙏", "tak", "mange tak", "takk", "tack så mycket", "danke schön", "dank je",
    "merci", "gracias", "asante", "asante sana", "@here thanks", "hi, thanks!", "thanks, that was useful!",
    "thanks for the help", "tak for hjælpen", "danke für die Hilfe", "gracias por la ayuda", "asante kwa msaada",
)
TOPICS = ("obesity", "overvægt", "loneliness", "drones", "equity", "good school food", "hej school meals",
          "hola comedores escolares")


@pytest.mark.parametrize(("texts", "kind"), [(GREETINGS, SmallTalk.GREETING), (THANKS, SmallTalk.THANKS)])
def test_greetings_and_thanks_in_every_language_are_small_talk(texts, kind):
    for text in texts:
        routing = resolve(text)
        assert routing.command is None and not routing.typo_of and routing.small_talk == kind, text
    assert resolve("hej då").small_talk == resolve("kwaheri").small_talk == SmallTalk.GOODBYE


def test_no_real_question_is_taken_for_small_talk():
    data = Path(__file__).resolve().parent.parent / "bench" / "data"
    questions = [
        json.loads(line)["text"]
        for name in ("real-use.jsonl", "kb-questions.jsonl", "outside.jsonl", "outside-2.jsonl", "no-answer.jsonl")
        for line in (data / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert sum(len(q.split()) == 1 for q in questions) > 30  # the one-word questions are there to check
    for question in (*questions, *TOPICS):
        routing = resolve(question)
        assert routing.small_talk is None and (routing.plain_question or routing.command), question
        assert not asks_about_the_bot(question) and asks_for_events(question) is None, question
        assert account_request(question) is None, question


ABOUT_THE_BOT = (
    "what can you do?", "Hi, what can you do?", "What is Lighthouse?", "who are you", "@here what can I ask you",
    "how does this work?", "commands", "hvad kan du?", "vad kan du göra", "wer bist du?", "wat kun je",
    "qué puedes hacer", "qui es-tu ?", "unaweza kufanya nini",
)


def test_questions_about_the_bot_get_help_not_a_search():
    for text in ABOUT_THE_BOT:
        routing = resolve(text)
        assert routing.command is not None and routing.command.name == "help" and routing.args_text == "", text
    # A topic after the same words is a question.
    for text in ("what can you do about obesity", "who are you working with on school food", "can you help me find obesity pilots"):
        assert resolve(text).plain_question, text


EVENT_QUESTIONS = (
    ("any events this week?", ""), ("upcoming events", ""), ("when is the next event", ""),
    ("events about obesity", "obesity"), ("upcoming webinars on mental health", "mental_health"),
    ("<!here> any events?", ""), ("kommende arrangementer", ""), ("nächste Veranstaltungen", ""),
)


def test_a_question_about_coming_events_lists_them():
    for text, theme in EVENT_QUESTIONS:
        routing = resolve(text)
        assert routing.command is not None and routing.command.name == "event", text
        assert routing.args_text == f"list {theme}".strip(), text
    # Events with a topic of their own, or two themes, are a question.
    for text in ("co-design workshops with patients", "workshop on school meals", "meetings about equity and obesity"):
        assert resolve(text).plain_question, text
    assert not any(asks_about_the_bot(text) for text, _ in EVENT_QUESTIONS)


ACCOUNT_REQUESTS = (
    ("delete my data", "privacy", "erase"), ("Please delete all my data!", "privacy", "erase"),
    ("forget me", "privacy", "erase"), ("slet mine data", "privacy", "erase"),
    ("export my data", "privacy", "export"), ("download my data", "privacy", "export"),
    ("what do you know about me?", "privacy", ""), ("how do I delete my account", "privacy", ""),
    ("my profile", "profile", ""), ("<@U0123> show me my profile", "profile", ""),
    ("change my country to Sweden", "profile", "set country Sweden"),
    ("set my time zone to Europe/Oslo", "profile", "set timezone Europe/Oslo"),
)


def test_a_request_about_ones_own_account_gets_its_command():
    for text, command, args in ACCOUNT_REQUESTS:
        routing = resolve(text)
        assert routing.command is not None and routing.command.name == command and routing.args_text == args, text
    # With a topic of its own, it is a question.
    for text in ("delete my data on obesity pilots", "data deletion in anonymous chat services", "change my mind about sugar"):
        assert resolve(text).plain_question, text


async def test_delete_my_data_asks_to_confirm_and_erases_nothing_yet(chat, loaded):
    reply = await chat.say("delete my data")
    assert reply.tone != "error" and any("privacy erase confirm" in b.command for b in reply.buttons), reply
    assert (await chat.say("my profile")).tone != "error"  # the member is still there


def test_a_question_that_asks_who_finds_people():
    for text in ("who knows about GLP-1?", "Who's working on school meals", "@here who can help with procurement",
                 "hvem arbejder med skolemad", "vem kan något om barnfetma", "wer kennt sich mit Apps aus",
                 "¿Quién trabaja en salud mental?"):
        routing = resolve(text)
        assert routing.plain_question and routing.command.name == "experts", text
    # Searched, headed and quoted in an introduction's reason by its topic, not by the words that ask who.
    assert [resolve(text).args_text for text in (
        "who knows about GLP-1?", "hvem arbejder med skolemad", "wer kennt sich mit Gesundheitskompetenz aus?", "who?"
    )] == ["GLP-1", "skolemad", "Gesundheitskompetenz", "who"]
    for text in ("wie weet iets van eenzaamheid", "nani anajua kuhusu lishe"):  # Dutch, before a verb; Kiswahili
        assert resolve(text).command.name == "experts", text
    for text in ("wie kann man Übergewicht verhindern", "what pilots exist", "whole grain school meals",
                 "WHO guidelines on obesity"):  # German "how"; the World Health Organization
        assert resolve(text).command.name == "find", text


async def test_what_can_you_do_is_answered_with_the_overview(chat, loaded):
    reply = await chat.say("Hi, what can you do?")
    assert reply.tone != "error" and reply.text == (await chat.say("help")).text
    assert any("find <question>" in (section.text or "") for section in reply.sections)


MENTIONS = (
    "@channel", "@here", "@everyone", "@EVERYONE", "＠everyone", "@\u200beveryone", "@everyone\u200b", "@@here",
    "<!channel>", "<!here|here>", "<!everyone>", "<!subteam^S0123ABC|@designers>", "<@U012AB3CD>",
    "<@W012AB3CD|someone>", "<@!123456789012345678>", "<@&123456789012345678>", "<@&\u200b123>", "<#C012AB3CD>",
    "<#C012AB3CD|general>", "@ana", "@Moderators",
)


def test_mentions_are_no_part_of_a_question():
    for mention in MENTIONS:
        routing = resolve(f"{mention} obesity in schools")
        assert routing.plain_question and parse_question(routing.args_text).text == "obesity in schools", mention
        assert parse_question(f"school {mention} food country:DK").text == "school food", mention
        assert parse_question(f"school {mention}, food").text == "school , food", mention
    # Mentions before a command do not hide it; a command's own mentions stay its arguments.
    assert resolve("@here help").command.name == "help"
    assert resolve("<!channel>, pilots school meals").args_text == "school meals"
    intro = resolve("intro <@U0BOB> to talk about school meals")
    assert intro.command.name == "intro" and intro.args_text == "<@U0BOB> to talk about school meals"
    # An e-mail address is not a mention.
    assert parse_question("write to info@nordby.dk").text == "write to info@nordby.dk"


def test_a_very_long_first_word_is_measured_against_no_command(monkeypatch):
    """A word too long to be one edit from any command's name is not compared letter by letter with each."""
    compared = []
    monkeypatch.setattr(router, "edit_distance", lambda a, b: compared.append((a, b)) or edit_distance(a, b))
    routing = resolve("y" * 20_000)
    assert routing.plain_question and compared == []
    assert resolve("hlep").typo_of == ("help",) and compared  # a real typo still is


def test_edit_distance_counts_a_swap_as_one():
    assert edit_distance("profle", "profile") == 1
    assert edit_distance("pirvacy", "privacy") == 1
    assert edit_distance("research", "search") == 2
    assert edit_distance("", "abc") == 3


# --- Console ------------------------------------------------------------------------------------------------


async def test_a_plain_question_is_answered_as_a_search_with_a_line_on_narrowing(chat, loaded):
    reply = await chat.say(QUESTION)
    assert reply.tone != "error"
    assert reply.sections[0].title == f"Pilot · {SCHOOL_MEALS}"
    assert NARROWING in reply.text and "Best matches" in reply.text
    asked = await chat.say("ask hot school meals with wholegrains")
    assert asked.sections[0].title == f"Pilot · {SCHOOL_MEALS}" and NARROWING in asked.text
    typed = await chat.say("find hot school meals with wholegrains")
    assert typed.sections[0].title == f"Pilot · {SCHOOL_MEALS}" and NARROWING not in typed.text
    topic = await chat.say("wholegrains")
    assert topic.sections[0].title == f"Pilot · {SCHOOL_MEALS}"


async def test_a_near_typo_still_gets_did_you_mean(chat, loaded):
    reply = await chat.say("profle set expertise walking football")
    assert reply.tone == "error"
    assert "I don't know the command “profle”. Did you mean: profile?" in reply.text
    assert "find <question>" in reply.text  # and how to search instead


async def test_small_talk_gets_a_hello_not_a_search(chat, loaded):
    for text in ("hello", "hola", "Buenos días!", "habari", "guten Tag", "<!here> <@U12345> hi", "@channel hej"):
        reply = await chat.say(text)
        assert reply.tone != "error" and reply.text == ANSWERS[SmallTalk.GREETING] and not reply.sections, text
    for text in ("thanks!", "thank you so much", "tusind tak", "asante sana", "@here merci beaucoup", "hi, thanks"):
        reply = await chat.say(text)
        assert reply.text.startswith("You're welcome!") and not reply.sections, text
    assert (await chat.say("bye")).text.startswith("Goodbye!")
    assert "help" in (await chat.say("<!here> <@U12345>")).text  # only mentions: nothing was said


async def test_a_long_plain_question_gets_the_search_limit(chat, core, loaded):
    question = "how do hot school meals with wholegrains work " * 120
    assert core.settings.max_message_chars < len(question) < core.settings.max_question_chars
    reply = await chat.say(question)
    assert reply.tone != "error" and "Your question was long" in reply.text


async def test_the_question_limit_counts_the_question_alone(chat, core, loaded):
    limit = core.settings.max_question_chars
    question = ("hot school meals with wholegrains " * 1000)[:limit]
    assert len(question) == limit and question == question.strip()
    for command in ("find", "pilots", "ask", "experts"):
        reply = await chat.say(f"{command} {question}")
        assert "characters long" not in reply.text, command
    assert "Your question was long" in (await chat.say(f"find {question}")).text
    over = await chat.say(f"find {question}x")
    assert over.tone == "error"
    assert f"That question is {limit + 1:,} characters long; the limit for a search question is {limit:,}." in over.text
    assert "characters long" in (await chat.say(f"{question}x")).text  # a plain question too
    # What comes before the question is held to the message limit.
    crowded = await chat.say("@ana " * 1000 + "find school meals")
    assert crowded.tone == "error" and "the rest up to 4,000" in crowded.text


async def test_help_states_the_rule(chat):
    listing = await chat.text("help")
    assert "searched as a question" in listing
    assert "`ask`" in await chat.text("help find")


async def test_a_question_is_searched_without_its_mentions(chat, encoder, loaded):
    plain = await chat.say("hot school meals with wholegrains")
    for text in ("@channel hot school meals with wholegrains", "<!channel> hot school meals with wholegrains",
                 "find @here hot school <@U12345> meals with @ana wholegrains", "pilots <!everyone> hot school meals"
                 " with wholegrains"):
        encoder.encoded.clear()
        reply = await chat.say(text)
        assert "“hot school meals with wholegrains”" in reply.text, text
        assert [s.title for s in reply.sections] == [s.title for s in plain.sections][: len(reply.sections)]
        assert encoder.encoded and not any(
            word in searched for searched in encoder.encoded for word in ("@", "<", "channel", "here", "everyone")
        ), encoder.encoded


async def test_a_weak_answer_asks_the_community_without_the_mentions(chat, encoder, loaded):
    encoder.weak_match_below = WeakMatch(2.0, 2.0)  # every answer is weak
    # "astronauts" names nothing in the knowledge base, so the answer is weak by the margin rule alone.
    for text in ("<!channel> please look at school food for astronauts",
                 "@channel please look at school food for astronauts",
                 "ask @everyone please look at school <@U12345> food for astronauts"):
        reply = await chat.say(text)
        assert "matches this well: “please look at school food for astronauts”" in reply.text, text
        (button,) = [b for section in reply.sections for b in section.buttons if b.label == "Ask the community"]
        assert button.command == "community ask please look at school food for astronauts"


async def test_a_weak_answer_to_a_plain_question_does_not_say_how_to_narrow_it(chat, encoder, loaded):
    encoder.weak_match_below = WeakMatch(2.0, 2.0)  # every answer is weak
    for text in ("how do I file my taxes", "ask how do I file my taxes"):
        reply = await chat.say(text)
        assert reply.weak and "matches this well" in reply.text, text
        assert NARROWING not in reply.plain_text(), text


async def test_escape_sequences_are_neither_echoed_nor_searched(chat, encoder, loaded):
    reply = await chat.say("\x1b[31mwholegrains\x1b[0m school meals \x1b]0;title\x07")
    assert "“wholegrains school meals”" in reply.text and "[31m" not in reply.plain_text()
    assert "\x1b" not in reply.plain_text() and "title" not in reply.plain_text()
    assert encoder.encoded and not any("31m" in searched or "0m" in searched.split() for searched in encoder.encoded)
    assert reply.sections[0].title == f"Pilot · {SCHOOL_MEALS}"


async def test_a_markdown_link_in_a_question_is_echoed_as_its_text(chat, loaded):
    reply = await chat.say("[wholegrains](http://evil.example) school meals")
    assert "http" not in reply.text and "](" not in reply.text and "wholegrains" in reply.text


@pytest.mark.parametrize(
    "linked",
    [
        "**wholegrains** school [meals](http://evil.example.com/x)", "wholegrains school <https://evil.example.com|meals>",
        "wholegrains school meals https://evil.example.com/page", "www.evil.example.com wholegrains school meals",
        "wholegrains school meals (https://evil.example.com/page)",
    ],
)
async def test_a_links_address_is_no_part_of_what_is_searched(chat, encoder, loaded, linked):
    """Its pieces ("http", "evil", "example", "com") would count as words the knowledge base lacks."""
    reply = await chat.say(linked)
    assert any(text.endswith("wholegrains** school meals") or text == "wholegrains school meals" for text in encoder.encoded)
    assert not any("evil" in text or "http" in text for text in encoder.encoded)
    assert "evil" not in reply.plain_text(), reply.plain_text()
    assert reply.sections[0].title == f"Pilot · {SCHOOL_MEALS}"


# --- Slack --------------------------------------------------------------------------------------------------


async def test_slack_slash_command_mention_and_dm_are_searched(slack, fake_slack, loaded):
    await slack.command(QUESTION)
    await slack.event({"type": "app_mention", "user": BOB, "text": f"<@{SLACK_BOT_USER}> {QUESTION}",
                       "channel": GENERAL, "ts": "1700000001.000100"})
    await slack.event(message_event(QUESTION, channel="D0ALICE", channel_type="im"))
    await slack.handled(3)
    answers = [*fake_slack.to("response_url"), *fake_slack.to("chat.postMessage")]
    assert len(answers) == 3
    for answer in answers:
        text = visible_text(answer.args)
        assert SCHOOL_MEALS in text and "Narrow it" in text
    await slack.command("profle")
    await slack.handled(4)
    assert "Did you mean: profile?" in visible_text(fake_slack.to("response_url")[-1].args)


async def test_slack_broadcasts_and_user_mentions_are_not_searched(slack, fake_slack, encoder, loaded):
    encoder.weak_match_below = WeakMatch(2.0, 2.0)
    mention = f"<@{SLACK_BOT_USER}>"
    # A real broadcast, the same typed literally (it arrives escaped) and a user's mention, in a mention of the bot.
    for number, text in enumerate((f"{mention} <!channel> please look at school food for astronauts",
                                   f"{mention} &lt;!channel&gt; please look at school food for astronauts",
                                   f"{mention} please look at <@{BOB}> school food <!subteam^S01|@health-team> for"
                                   " astronauts")):
        await slack.event({"type": "app_mention", "user": BOB, "text": text, "channel": GENERAL,
                           "ts": f"1700000001.00010{number}"})
    await slack.handled(3)
    answers = fake_slack.to("chat.postMessage")
    assert len(answers) == 3
    for answer in answers:
        text = visible_text(answer.args)
        assert "matches this well: “please look at school food for astronauts”" in text and "channel" not in text, text
        assert [b["value"] for b in buttons(answer.args) if b["text"]["text"] == "Ask the community"] == [
            "community ask please look at school food for astronauts"
        ]
    # Only mentions and a greeting: the greeting's answer, not a search.
    await slack.command(f"<!here> <@{BOB}> hi")
    await slack.handled(4)
    assert ANSWERS[SmallTalk.GREETING].split("(")[0] in visible_text(fake_slack.to("response_url")[-1].args)


async def test_slack_words_typed_in_angle_brackets_are_searched_and_shown(slack, fake_slack, encoder, loaded):
    # Slack escapes what the user typed: "salt & sugar in bread <kids>".
    await slack.command("find salt &amp; sugar in school bread &lt;kids&gt;")
    await slack.handled(1)
    assert any("kids" in searched for searched in encoder.encoded), encoder.encoded
    assert "“salt &amp; sugar in school bread kids”" in visible_text(fake_slack.to("response_url")[-1].args)


# --- Discord ------------------------------------------------------------------------------------------------

ALICE = user(1001, "alice")


async def test_discord_mention_dm_and_ask_are_searched(discord: Harness, fake_discord: FakeDiscord, loaded):
    await discord.message(message_create(ALICE, f"<@{DISCORD_BOT_USER['id']}> {QUESTION}", mentions=[DISCORD_BOT_USER]))
    await discord.message(message_create(ALICE, QUESTION, channel_id=dm_channel_id(int(ALICE["id"])), in_guild=False))
    await discord.interaction(slash(ALICE, "ask", {"text": "hot school meals with wholegrains"}))
    in_channel = fake_discord.find("POST", rf"/channels/{CHANNEL_ID}/messages")[0].body
    in_dm = fake_discord.find("POST", rf"/channels/{dm_channel_id(int(ALICE['id']))}/messages")[0].body
    slash_answer = fake_discord.posted()[-1]  # a search is deferred at once and answered in a follow-up
    for body in (in_channel, in_dm, slash_answer):
        assert "Narrow it" in body["content"], body
        assert any(SCHOOL_MEALS in embed.get("title", "") for embed in body["embeds"]), body
