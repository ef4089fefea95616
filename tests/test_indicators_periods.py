"""Calendar periods, rolling windows and the way numbers and changes are written."""

from datetime import UTC, datetime

import pytest

from bot.indicators import service as indicators
from bot.indicators.measures import format_change, format_value
from bot.indicators.periods import period_floor, periods, rolling_windows


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_period_floors():
    moment = utc(2026, 11, 4, 15, 30)  # a Wednesday
    assert period_floor(moment, "week") == utc(2026, 11, 2)
    assert period_floor(moment, "month") == utc(2026, 11, 1)
    assert period_floor(moment, "quarter") == utc(2026, 10, 1)
    assert period_floor(utc(2026, 3, 31, 23), "quarter") == utc(2026, 1, 1)
    with pytest.raises(ValueError):
        period_floor(moment, "fortnight")


def test_periods_are_calendar_periods_clipped_to_the_range():
    weeks = periods(utc(2026, 10, 28), utc(2026, 11, 10), "week")
    assert [(p.label, p.start.day, p.end.day) for p in weeks] == [
        ("2026-W44", 28, 2), ("2026-W45", 2, 9), ("2026-W46", 9, 10),
    ]
    quarters = periods(utc(2026, 11, 15), utc(2027, 2, 1), "quarter")
    assert [(p.label, p.start, p.end) for p in quarters] == [
        ("2026-Q4", utc(2026, 11, 15), utc(2027, 1, 1)),
        ("2027-Q1", utc(2027, 1, 1), utc(2027, 2, 1)),
    ]
    months = periods(utc(2026, 12, 1), utc(2027, 1, 1), "month")
    assert [p.label for p in months] == ["2026-12"]


def test_rolling_windows_are_back_to_back():
    now = utc(2026, 11, 9, 9)
    (start, end), (previous_start, previous_end) = rolling_windows(now, "month")
    assert end == now and previous_end == start
    assert (end - start).days == 30 and (previous_end - previous_start).days == 30


def test_values_and_changes_are_written_for_people():
    assert format_value("count", 1234) == "1,234"
    assert format_value("share", 0.6667) == "67%"
    assert format_value("hours", 39.5) == "39.5 h" and format_value("hours", 72) == "3.0 days"
    assert format_value("rating", 11 / 3) == "3.7 / 5"
    assert format_value("share", None) == "—"
    assert format_change("count", 3, 2) == "+1, +50%"
    assert format_change("count", 6, 0) == "+6"
    assert format_change("count", 1, 4) == "−3, −75%"
    assert format_change("share", 0.5, 0.75) == "−25 pts"
    assert format_change("count", 2, 2) == "no change"
    assert format_change("share", 0.5, None) == "no earlier figure"
    assert format_change("share", 0.0, None) == "no earlier figure"  # never "0% (new)"
    assert format_change("share", None, 0.5) == "was 50%"
    assert format_change("hours", None, 30.0) == "was 30.0 h"
    assert format_change("rating", None, None) == ""


def test_every_indicator_has_a_group_a_unit_and_a_definition():
    for indicator in indicators.INDICATORS:
        assert indicator.group in indicators.GROUPS
        assert indicator.unit in {"count", "share", "hours", "rating"}
        assert indicator.definition.endswith(".")
    assert set(indicators.HEADLINE_KEYS) <= set(indicators.BY_KEY)
