"""An unknown country is refused with how to write one; "did you mean" only for a typo (config/typos.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from config.errors import UserError
from config.typos import edit_distance, typo_allowance, typos_of
from config.vocabulary import (
    parse_country, parse_timezone, require_timezone, suggest_country, suggest_timezone, zone_label,
)
from tests.support import Chat


@pytest.mark.parametrize(("typed", "meant"), [
    ("Denmak", "Denmark"), ("Swedn", "Sweden"), ("Norwey", "Norway"), ("Denmrak", "Denmark"), ("Kenay", "Kenya"),
    ("Finlnd", "Finland"), ("Sverge", "Sweden"), ("Untied Statse", "United States"),
])
def test_a_typo_of_a_country_is_suggested(typed: str, meant: str):
    assert suggest_country(typed)[0] == meant


@pytest.mark.parametrize("typed", ["Narnia", "Atlantis", "Wakanda", "Gondor", "Mordor", "Freedonia", "Oz", "XX"])
def test_a_made_up_country_gets_no_suggestion(typed: str):
    assert suggest_country(typed) == []


def test_the_allowance_is_one_edit_two_for_long_words_none_for_short_ones():
    assert [typo_allowance(word) for word in ("dmk", "swedn", "narnia", "untied states")] == [0, 1, 1, 2]
    assert edit_distance("narnia", "armenia") == 3 and edit_distance("narnia", "dania") == 2
    assert typos_of("narnia", ["armenia", "dania", "narnia"]) == []  # the word itself is no typo of anything
    assert typos_of("swedn", ["sweden", "swede", "zweden"]) == ["swede", "sweden"]


def test_time_zones_follow_the_same_rule():
    assert suggest_timezone("Copenhagn") == ["Europe/Copenhagen"]
    assert suggest_timezone("Stokholm") == ["Europe/Stockholm"]
    assert suggest_timezone("Narnia") == [] and suggest_timezone("Mars/Olympus") == []


async def test_find_with_an_unknown_country_says_how_to_write_one(chat: Chat):
    narnia = await chat.say("find school food country:Narnia")
    assert narnia.tone == "error" and "“Narnia” is not a country I know." in narnia.text
    shown = narnia.plain_text()
    assert "Did you mean" not in shown and "Armenia" not in shown
    assert "name, in English or in its own language" in shown and "ISO 3166 code of two or three letters" in shown
    assert "country:DK" in shown and "country:Sverige" in shown
    typo = await chat.say("find school food country:Denmak")
    assert typo.tone == "error" and "Did you mean Denmark?" in typo.plain_text()
    profile = await chat.say("profile set country Narnia")
    assert profile.tone == "error" and "Did you mean" not in profile.plain_text()
    assert "ISO 3166 code" in profile.plain_text()


@pytest.mark.parametrize(("typed", "code"), [
    ("UK", "GB"), ("the UK", "GB"), ("England", "GB"), ("Scotland", "GB"), ("Great Britain", "GB"),
    ("Holland", "NL"), ("The Netherlands", "NL"), ("the Gambia", "GM"), ("Turkey", "TR"), ("United Kingdom", "GB"),
    ('"United Kingdom"', "GB"), ("'United Kingdom'", "GB"), ("“United Kingdom”", "GB"),
])
def test_everyday_country_names_and_quoted_names_are_understood(typed: str, code: str):
    assert parse_country(typed) == code


def test_a_typo_of_an_everyday_name_suggests_its_country():
    assert suggest_country("Englnd") == ["United Kingdom"]
    assert parse_country("The") is None


@pytest.mark.parametrize(("typed", "zone"), [
    ("GMT+3", "Etc/GMT-3"), ("UTC+1", "Etc/GMT-1"), ("UTC-05:00", "Etc/GMT+5"), ("utc −5", "Etc/GMT+5"),
    ("+03:00", "Etc/GMT-3"), ("UTC+0", "UTC"), ("UTC+14", "Etc/GMT-14"), ("UTC-12", "Etc/GMT+12"),
])
def test_a_fixed_offset_is_its_zone_with_the_sign_iana_gives_it(typed: str, zone: str):
    assert parse_timezone(typed) == zone
    hours = ZoneInfo(zone).utcoffset(datetime(2026, 7, 1)) // timedelta(hours=1)
    assert zone_label(zone) == ("UTC" if hours == 0 else f"UTC{hours:+d}")


def test_an_offset_is_read_the_right_way_round():
    assert ZoneInfo(parse_timezone("UTC+3")).utcoffset(datetime(2026, 1, 1)) == timedelta(hours=3)
    assert ZoneInfo(parse_timezone("UTC-05:00")).utcoffset(datetime(2026, 1, 1)) == timedelta(hours=-5)
    assert zone_label("Etc/GMT-3") == "UTC+3" and zone_label("Etc/GMT+5") == "UTC-5"
    assert zone_label("Europe/Oslo") == "Europe/Oslo"


@pytest.mark.parametrize("typed", ["GMT+3", "UTC+1", "GMT+15", "UTC+5:30", "GMT+0"])
def test_no_offset_is_suggested_as_a_typo_of_another(typed: str):
    assert suggest_timezone(typed) == []


def test_an_offset_without_a_zone_of_its_own_is_refused_with_cities_at_that_offset():
    with pytest.raises(UserError) as half:
        require_timezone("UTC+5:30")
    assert "Asia/Kolkata" in str(half.value) and "GMT+0" not in str(half.value)
    with pytest.raises(UserError) as beyond:
        require_timezone("UTC+15")
    assert "UTC-12 to UTC+14" in str(beyond.value)


@pytest.mark.parametrize(("typed", "zone"), [
    ("København", "Europe/Copenhagen"), ("Kobenhavn", "Europe/Copenhagen"), ("Copenhagen", "Europe/Copenhagen"),
    ("Oslo", "Europe/Oslo"), ("Stockholm", "Europe/Stockholm"), ("Helsingfors", "Europe/Helsinki"),
    ("Wien", "Europe/Vienna"), ("Reykjavík", "Atlantic/Reykjavik"), ("Kiev", "Europe/Kiev"), ("Kyiv", "Europe/Kyiv"),
    ("Nairobi", "Africa/Nairobi"), ('"Oslo"', "Europe/Oslo"),
])
def test_a_city_in_english_or_its_own_language_is_its_zone(typed: str, zone: str):
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize(("typed", "zone"), [
    ("Mumbai", "Asia/Kolkata"), ("Bengaluru", "Asia/Kolkata"), ("Aarhus", "Europe/Copenhagen"),
    ("Göteborg", "Europe/Stockholm"), ("Malmö", "Europe/Stockholm"), ("Kisumu", "Africa/Nairobi"),
    ("Osaka", "Asia/Tokyo"), ("München", "Europe/Berlin"), ("Den Haag", "Europe/Amsterdam"),
])
def test_a_large_city_whose_zone_is_named_after_another_is_its_zone(typed: str, zone: str):
    assert parse_timezone(typed) == zone


@pytest.mark.parametrize(("typed", "zone"), [
    ("Denmark", "Europe/Copenhagen"), ("Danmark", "Europe/Copenhagen"), ("Kenya", "Africa/Nairobi"),
    ("India", "Asia/Kolkata"), ("Germany", "Europe/Berlin"), ("United Kingdom", "Europe/London"),
    ("Norway", "Europe/Oslo"), ("The Netherlands", "Europe/Amsterdam"),
    ("United States", None), ("Spain", None), ("Narnia", None),
])
def test_a_country_that_keeps_one_time_is_its_zone(typed: str, zone: str | None):
    assert parse_timezone(typed) == zone


async def test_profile_time_zones_as_offsets_local_cities_and_two_words(chat: Chat):
    offset = await chat.say("profile set timezone GMT+3")
    assert offset.tone == "success" and "time zone = UTC+3" in offset.text and "summer time" in offset.text
    assert "Time zone" in (shown := (await chat.say("profile")).plain_text()) and "UTC+3" in shown
    assert "Etc/GMT" not in shown
    local = await chat.say("profile set timezone København")
    assert "time zone = Europe/Copenhagen (was UTC+3)" in local.text and "summer time" not in local.text
    two_words = await chat.say("profile set time zone Oslo")
    assert two_words.tone == "success" and "time zone = Europe/Oslo" in two_words.text
    assert (await chat.say("profile clear time zone")).text.startswith("Saved: time zone cleared")
    hint = await chat.say("profile set time Oslo")
    assert hint.tone == "error" and "Did you mean timezone" in hint.plain_text()


async def test_find_takes_a_country_of_several_words_in_quotes_or_with_underscores(chat: Chat):
    for typed in ('country:"United Kingdom"', "country:'United Kingdom'", "country:United_Kingdom",
                  "country:“United Kingdom”", "--country 'United Kingdom'", "country:England", "country:UK",
                  'country:"The Netherlands",GB'):
        reply = await chat.say(f"find school food {typed}")
        assert "not a country I know" not in reply.plain_text(), typed
    split = await chat.say("find school food country:United Kingdom")
    assert split.tone == "error" and "“United” is not a country I know." in split.text
    shown = split.plain_text()
    assert 'country:"United Kingdom"' in shown and "country:United_Kingdom" in shown
    theme = await chat.say('find school food theme:"mental health" sector:"large company"')
    assert "not a theme" not in theme.plain_text() and "not a sector" not in theme.plain_text()
