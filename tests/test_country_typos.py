"""An unknown country is refused with how to write one; "did you mean" only for a typo (config/typos.py)."""

from __future__ import annotations

import pytest

from config.typos import edit_distance, typo_allowance, typos_of
from config.vocabulary import suggest_country, suggest_timezone
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
