"""Helpers for the introduction tests: members with profiles, and reading back what was stored."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Exchange, Introduction, IntroductionTransition, Job
from tests.support import Chat

PROFILES = {
    "alice": ("Nordhavn Municipality", "municipality", "DK", "school food, obesity"),
    "bob": ("Vestfjord Hospital", "hospital", "NO", "childhood obesity, school food"),
    "carol": ("Nordhavn Municipality", "municipality", "DK", "health literacy"),
}
REASON = "I run a school food pilot and would like to learn from yours"


async def with_profiles(chat: Chat, *names: str) -> None:
    for name in names or tuple(PROFILES):
        organisation, sector, country, expertise = PROFILES[name]
        for field, value in (("organisation", organisation), ("sector", sector), ("country", country),
                             ("expertise", expertise)):
            await chat.say(f"profile set {field} {value}", as_user=name)


async def introduction(core, intro_id: int = 1) -> Introduction:
    async with core.db.session() as session:
        return await session.get(Introduction, intro_id)


async def transitions(core, intro_id: int = 1) -> list[tuple[str | None, str]]:
    async with core.db.session() as session:
        rows = await session.execute(
            select(IntroductionTransition.from_state, IntroductionTransition.to_state)
            .where(IntroductionTransition.introduction_id == intro_id)
            .order_by(IntroductionTransition.id)
        )
        return [tuple(row) for row in rows]


async def exchanges(core) -> list[Exchange]:
    async with core.db.session() as session:
        return list((await session.execute(select(Exchange).order_by(Exchange.id))).scalars())


async def job_status(core, key: str) -> str | None:
    async with core.db.session() as session:
        return (await session.execute(select(Job.status).where(Job.key == key))).scalar()


def buttons(reply) -> list[str]:
    found = [b.command for b in reply.buttons]
    for section in reply.sections:
        found.extend(b.command for b in section.buttons)
    return found
