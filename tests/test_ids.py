"""Ids and counts typed by members are read the same way by every command: digits other than ASCII ones and
ids no row can have get a usage hint or "there is no …", never an error id."""

import pytest

from bot.ids import MAX_ROW_ID, parse_count, parse_id
from config.errors import UserError
from tests.events_support import make_member

CASES = [
    ("event show ²", "“²” is not an event number."),
    ("event show ١٢", "“١٢” is not an event number."),
    ("event rsvp ² going", "“²” is not an event number."),
    ("event show 2147483648", "There is no event #2147483648."),
    ("event show 99999999999999999999999999", "There is no event #"),
    ("event ics 0", "There is no event #0."),
    ("intro accept 2147483648", "There is no introduction #2147483648."),
    ("intro accept ²", "“²” is not an introduction number."),
    ("intro decline 99999999999", "There is no introduction #99999999999."),
    ("intro rate 3 ²", "How useful was it, from 1 to 5?"),
    ("intro pause ³", "For how many weeks?"),
    ('event add title=Talk start="2027-01-04 10:00 UTC" duration=²', "duration"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
async def test_odd_numbers_get_a_hint_not_an_error_id(chat, core, text, expected):
    await make_member(core, "carol", role="coordinator")
    answer = await chat.text(text, as_user="carol")
    assert "Something went wrong" not in answer
    assert expected in answer


def test_the_shared_parser():
    assert parse_id("#12", what="event", example="event show 12", listing="see `event list`.") == 12
    assert parse_id(str(MAX_ROW_ID), what="event", example="", listing="") == MAX_ROW_ID
    for text in ("²", "1²", "-1", "1.5", "", None, "0", str(MAX_ROW_ID + 1), "١"):
        with pytest.raises(UserError):
            parse_id(text, what="event", example="event show 12", listing="see `event list`.")
    assert parse_count("4") == 4 and parse_count("²") is None and parse_count("9" * 10) is None
