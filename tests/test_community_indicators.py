"""The community indicators, recomputed by hand (docs/indicators.md, "Asking the community"), and where they
show: `kpi`, the digest (with the open questions) and the report's community.csv."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

from bot.indicators.community import AnswerRecord, QuestionRecord, compute_community, community_report, load_community
from bot.indicators.report import build_report, write_report
from bot.indicators.periods import periods
from bot.indicators.service import Dataset, Side

DK = Side("Nordhavn Municipality", "municipality", "DK")
KE = Side("Nairobi County Health", "hospital", "KE")
SE = Side("Uppsala Region", "region", "SE")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


RECORDS = [
    # Q1: answered after 2 h from Kenya (kept as knowledge at 12:00) and after 5 h from Sweden.
    QuestionRecord(at(2, 9), DK, (AnswerRecord(at(2, 11), KE, kept_at=at(2, 12)), AnswerRecord(at(2, 14), SE))),
    # Q2: answered after 8 days (192 h), from Denmark.
    QuestionRecord(at(3, 9), SE, (AnswerRecord(at(11, 9), DK),)),
    # Q3: no answer.
    QuestionRecord(at(4, 9), KE),
]


def test_the_first_week_by_hand():
    values = compute_community(RECORDS, at(2, 0), at(9, 0))
    assert values == {
        "community_questions": 3,
        "community_answered": 1,  # Q2's answer came after the window
        "community_answered_within_week": 1,
        "community_median_hours_to_first_answer": 2.0,
        "community_answers": 2,
        "community_answers_kept": 1,
        "community_answers_cross_border": 2,
        "community_answers_cross_sector": 2,
        "community_answers_cross_organisation": 2,
    }


def test_two_weeks_by_hand():
    values = compute_community(RECORDS, at(2, 0), at(16, 0))
    assert values["community_answered"] == 2
    assert values["community_answered_within_week"] == 1  # 192 h is more than a week
    assert values["community_median_hours_to_first_answer"] == (2 + 192) / 2
    assert values["community_answers"] == 3 and values["community_answers_cross_border"] == 3


def test_an_answer_with_unknown_sides_never_counts_as_crossing():
    unknown = [QuestionRecord(at(2, 9), Side(), (AnswerRecord(at(2, 10), KE),))]
    values = compute_community(unknown, at(2, 0), at(3, 0))
    assert values["community_answers"] == 1
    assert values["community_answers_cross_border"] == values["community_answers_cross_organisation"] == 0


def test_the_report_writes_community_csv(tmp_path):
    start, end = at(2, 0), at(16, 0)
    report = build_report(Dataset(), start, end, period="week", generated_at=end)
    report.community = community_report(RECORDS, periods(start, end, "week"), start, end)
    written = write_report(report, tmp_path)
    assert tmp_path / "community.csv" in written
    rows = list(csv.DictReader((tmp_path / "community.csv").open(encoding="utf-8")))
    totals = {r["indicator"]: r["value"] for r in rows if r["period"] == "total"}
    assert totals["community_questions"] == "3" and totals["community_median_hours_to_first_answer"] == "97.0000"
    assert 'id="community"' in (tmp_path / "report.html").read_text(encoding="utf-8")


async def test_kpi_and_the_digest_show_them_from_what_members_did(chat, core, clock, transport):
    for user, organisation, country in (("ana", "Nordhavn Municipality", "Denmark"),
                                        ("wanjiru", "Nairobi County Health", "Kenya")):
        await chat.say(f"profile set organisation {organisation}", as_user=user)
        await chat.say(f"profile set country {country}", as_user=user)
    await chat.say("community ask How do you reach fathers in parenting programmes?", as_user="ana")
    await chat.say("community ask Has anyone measured loneliness in sheltered housing?", as_user="ana")
    clock.advance(timedelta(hours=3))
    await chat.say("community answer 1 Through the football clubs, on Saturday mornings.", as_user="wanjiru")
    await chat.say("community helpful 1 1", as_user="ana")
    await chat.say("community keep 1 yes", as_user="wanjiru")
    clock.advance(timedelta(hours=1))
    async with core.db.session() as session:
        records = await load_community(session, clock.now())
    values = compute_community(records, clock.now() - timedelta(days=7), clock.now())
    assert values["community_questions"] == 2 and values["community_answered"] == 1
    assert values["community_median_hours_to_first_answer"] == 3.0
    assert values["community_answers_kept"] == 1 and values["community_answers_cross_border"] == 1

    kpi = await chat.text("kpi", as_user="admin") + await chat.text("more", as_user="admin")
    assert "Asking the community" in kpi
    assert "Questions asked to the community: 2" in kpi and "Median time to a first answer: 3.0 h" in kpi

    digest = await chat.text("digest preview", as_user="admin")
    assert "Open questions to the community" in digest
    assert "#2 Has anyone measured loneliness in sheltered housing? (0 answers)" in digest
    assert "#1 How do you reach fathers in parenting programmes? (1 answer)" in digest
    # A removed question leaves the board, the digest and the indicators.
    await chat.say("community remove 2", as_user="admin")
    assert "#2 Has anyone" not in await chat.text("digest preview", as_user="admin")
    async with core.db.session() as session:
        records = await load_community(session, clock.now())
    assert compute_community(records, clock.now() - timedelta(days=7), clock.now())["community_questions"] == 1
