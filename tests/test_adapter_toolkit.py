"""The machinery every adapter shares (adapters/toolkit.py), the table of platforms the runner starts, and
paging by a platform's budget, decided once in the core."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from pydantic import SecretStr

from adapters.runner import PLATFORMS, platform_adapters
from adapters.slack.render import MAX_BLOCKS, blocks_for, normalise
from adapters.slack.transport import SLACK_PAGES
from adapters.toolkit import InFlight, Receipts, submitted_command
from bot.pagination import NO_LIMIT, PageBudget
from bot.reply import Button, Reply, Section


def long_sections(count: int) -> list[Section]:
    return [Section(title=f"Result {n}", text="x " * 1200, buttons=[Button("Open", f"open {n}")]) for n in range(count)]


async def all_pages(core, first: Reply) -> list[Reply]:  # noqa: ANN001
    pages = [first]
    while more := next((b.command for b in pages[-1].buttons if b.command.startswith("more ")), None):
        _, page_id, number = more.split()
        pages.append(await core.paginator.page(page_id, int(number)))
    return pages


async def test_an_answer_is_paged_once_by_results_and_by_the_platform_s_own_measure(core, clock):
    reply = Reply(text="Many results", sections=long_sections(30), buttons=[Button("Help", "help")])
    unasked = await all_pages(core, await core.paginator.paginate(reply, budget=SLACK_PAGES, now=clock.now()))
    assert len(unasked) > 1 and all(len(blocks_for(normalise(page))) <= MAX_BLOCKS for page in unasked)
    assert [s.title for page in unasked for s in page.sections] == [f"Result {n}" for n in range(30)]

    answer = await core.paginator.paginate(reply, budget=SLACK_PAGES.within(4, 12000), now=clock.now())
    pages = await all_pages(core, answer)
    assert [len(page.sections) for page in pages] == [4] * 7 + [2]
    assert pages[0].text == "Many results\n(page 1 of 8)" and pages[-1].buttons == [Button("Help", "help")]


async def test_the_core_pages_an_answer_by_the_budget_of_its_platform(core):
    core.settings.results_per_page = 3

    class Narrow:
        platform = "narrow"
        page_budget = PageBudget(results=2, chars=500)

    core.register_transport(Narrow())  # type: ignore[arg-type]
    assert core.page_budget("narrow") == PageBudget(results=2, chars=500)
    assert core.page_budget("console") == NO_LIMIT.within(3, 12000) == PageBudget(results=3, chars=12000)


def test_a_submitted_form_stands_for_its_command_with_the_values():
    assert submitted_command("event add", ["title"], {"title": "Kick-off"}) == "event add title=Kick-off"


async def test_in_flight_work_is_waited_for_at_shutdown_but_not_forever():
    in_flight = InFlight("test")
    release = asyncio.Event()

    async def work() -> None:
        async with in_flight.track():
            await release.wait()

    task = asyncio.create_task(work())
    await asyncio.sleep(0)
    assert in_flight.running == 1
    await in_flight.drain(0.01)  # gives up, with a log line
    release.set()
    await in_flight.drain(1.0)
    await in_flight.wait_finished(1)
    await task
    assert (in_flight.running, in_flight.finished) == (0, 1)


async def test_a_delivery_is_handled_once_and_receipts_are_purged_per_platform(core, clock):
    slack, discord = Receipts(core, "slack", keep=timedelta(days=1)), Receipts(core, "discord", keep=timedelta(days=7))
    assert await slack.first("event", "E1") and await discord.first("interaction", "E1")
    assert not await slack.first("event", "E1")
    clock.advance(timedelta(days=2))
    assert await slack.purge() == 1 and await discord.purge() == 0
    assert await slack.first("event", "E1") and not await discord.first("interaction", "E1")


async def test_the_runner_builds_the_adapters_of_the_enabled_platforms(core, monkeypatch):
    assert [platform.adapter for platform in PLATFORMS] == [
        "adapters.discord:DiscordAdapter",
        "adapters.slack:SlackAdapter",
    ]
    assert platform_adapters(core) == []
    monkeypatch.setattr(core.settings.slack, "bot_token", SecretStr("xoxb-test"))
    monkeypatch.setattr(core.settings.slack, "signing_secret", SecretStr("secret"))
    (adapter,) = platform_adapters(core)
    assert adapter.platform == "slack" and core.transports["slack"].page_budget is SLACK_PAGES


async def test_a_result_the_platform_cuts_in_parts_still_counts_as_one_result(core, clock):
    sections = [Section(title=f"Result {n}", text="y " * 2000) for n in range(6)]  # each over one Slack text
    budget = SLACK_PAGES.within(3, 100000)
    first = await core.paginator.paginate(Reply(sections=sections), budget=budget, now=clock.now())
    pages = await all_pages(core, first)
    assert [[s.title for s in page.sections if s.title] for page in pages] == [
        ["Result 0", "Result 1", "Result 2"],
        ["Result 3", "Result 4", "Result 5"],
    ]
    assert all(len(page.sections) == 6 for page in pages)  # two Slack sections a result
