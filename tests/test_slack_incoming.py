"""Slack's message markup -> the plain text the core reads."""

from adapters.slack.incoming import addressed_text, mentions_user, parse


def test_markup_becomes_plain_text_with_mentions_kept_as_tokens():
    raw = (
        "intro <@U0BOB|bob> &amp; <@W0X> about &lt;school meals&gt; in <#C0123|general> "
        "<!here> <!subteam^S01|@health-team> <https://example.org/a?b=1&amp;c=2|example.org> <mailto:a@b.org|a@b.org>"
    )
    parsed = parse(raw)
    assert parsed.text == (
        "intro <@U0BOB> & <@W0X> about <school meals> in <#C0123> @here @health-team "
        "https://example.org/a?b=1&c=2 mailto:a@b.org"
    )
    assert parsed.user_ids == ["U0BOB", "W0X"]


def test_a_link_with_words_of_its_own_keeps_them_before_its_address():
    parsed = parse("obesity in schools, see <https://example.org/r|the school food report> and <https://example.org|example.org>")
    assert parsed.text == "obesity in schools, see the school food report (https://example.org/r) and https://example.org"


def test_text_typed_to_look_like_markup_stays_text():
    # A user typing "<!channel>" literally arrives escaped and must not turn into a broadcast word.
    assert parse("&lt;!channel&gt; hi").text == "<!channel> hi"


def test_the_bots_own_mention_is_dropped():
    parsed = parse("<@UBOT> pilots <@U0BOB>", bot_user_id="UBOT")
    assert parsed.text == "pilots <@U0BOB>" and parsed.user_ids == ["U0BOB"]


def test_the_command_is_what_follows_the_mention_or_else_what_precedes_it():
    assert addressed_text("<@UBOT> pilots obesity", "UBOT") == "pilots obesity"
    assert addressed_text("hey <@UBOT|lighthouse>, help profile", "UBOT") == "help profile"
    assert addressed_text("help <@UBOT>", "UBOT") == "help "
    assert addressed_text("no mention here", "UBOT") == "no mention here"


def test_mentions_user():
    assert mentions_user("thanks <@UBOT|lh>!", "UBOT")
    assert not mentions_user("thanks <@U0BOB>", "UBOT")
    assert not mentions_user("anything", None)


def test_an_emoji_code_right_after_the_bots_mention_keeps_its_colon():
    from bot.sanitize import without_emoji_codes, without_leading_mentions

    assert without_leading_mentions("<@UBOT> :pizza: :tada:") == ":pizza: :tada:"
    assert without_leading_mentions("<@UBOT>: help") == "help"  # a colon after a mention is still a separator
    assert without_emoji_codes(":pizza::tada: school meals").split() == ["school", "meals"]
    assert without_emoji_codes("country:DK 10:30: a:b:c").split() == ["country:DK", "10:30:", "a:b:c"]

    from adapters.slack.incoming import addressed_text

    assert addressed_text("<@UBOT> :pizza: :tada:", "UBOT") == ":pizza: :tada:"
    assert addressed_text("<@UBOT>: help", "UBOT") == "help" and addressed_text("<@UBOT>, help", "UBOT") == "help"
