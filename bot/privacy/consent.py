"""The consent flags a member sets with `privacy consent`, and what switching one does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.indicators.exchanges import unlink_member
from knowledge.version import bump_version
from storage.lookups import held_member


@dataclass(frozen=True)
class ConsentFlag:
    name: str  # as typed in `privacy consent <name> on|off`
    column: str  # Member attribute
    label: str
    meaning: str


CONSENT_FLAGS: dict[str, ConsentFlag] = {
    flag.name: flag
    for flag in (
        ConsentFlag(
            "expert-search",
            "consent_expert_search",
            "Expert search",
            "others can find you when they search for experts",
        ),
        ConsentFlag(
            "introductions",
            "consent_introductions",
            "Introductions",
            "other members can ask me to introduce them to you",
        ),
        ConsentFlag(
            "exchange-logging",
            "consent_exchange_logging",
            "Exchange logging",
            "exchanges you take part in are linked to you; when off, only your organisation, sector and "
            "country are counted, anonymously",
        ),
        ConsentFlag(
            "community-questions",
            "consent_community_questions",
            "Community questions",
            "I tell you, by direct message and a few times a week at most, when someone asks the community "
            "about your expertise (off unless you switch it on)",
        ),
    )
}
_FLAG_ALIASES = {
    "expert": "expert-search",
    "experts": "expert-search",
    "search": "expert-search",
    "intro": "introductions",
    "intros": "introductions",
    "introduction": "introductions",
    "exchange": "exchange-logging",
    "exchanges": "exchange-logging",
    "logging": "exchange-logging",
    "community": "community-questions",
    "questions": "community-questions",
}


def parse_consent_flag(text: str) -> ConsentFlag | None:
    key = text.strip().lower().replace("_", "-")
    key = _FLAG_ALIASES.get(key, key)
    return CONSENT_FLAGS.get(key)


async def set_consent(session: AsyncSession, member_id: int, flag: ConsentFlag, value: bool, now: datetime) -> int:
    """Change one flag. Switching exchange logging off also unlinks the member from past exchanges
    (returns how many); switching expert search tells every process's search index to refresh."""
    member = await held_member(session, member_id)  # an exchange being written for them meanwhile is ordered with this
    setattr(member, flag.column, value)
    unlinked = 0
    if flag.column == "consent_exchange_logging" and not value:
        # Not only the member id: everything that leads back to them (docs/indicators.md, "Members who
        # switched exchange logging off").
        unlinked = await unlink_member(session, member_id)
    if flag.column == "consent_expert_search":
        await bump_version(session)
    return unlinked

