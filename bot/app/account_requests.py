"""A plain message that asks for something about the member's own account, said as people say it: "delete
my data", "export my data", "what do you know about me", "my profile", "change my country to Sweden". It
gets the command that does it, never a search (which answered "delete my data" with experts on data
deletion). Erasure still asks to confirm, as `privacy erase` always does.

Each request is matched as the whole message (`ACCOUNT_REQUESTS`); anything more is a question.
"""

from __future__ import annotations

import re

from bot.sanitize import without_mentions
from bot.members.profile import FIELD_ALIASES

_MINE = r"(?:my|mine|all\s+my|my\s+own)"
_DATA = r"(?:data|personal\s+data|information|info|details|account|profile|everything)"
_POLITE = r"(?:(?:please|pls|can\s+you|could\s+you|i\s+want\s+to|i'd\s+like\s+to|i\s+would\s+like\s+to)\s+)*"
_HOW = r"(?:how\s+(?:do|can)\s+i|how\s+to|can\s+i|where\s+(?:do|can)\s+i)\s+"
# (pattern, command): the first that matches the whole message wins.
ACCOUNT_REQUESTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"^\s*{pattern}\s*[.!?]*\s*$", re.IGNORECASE), command)
    for pattern, command in (
        # Asked how: the overview, which lists the rights and the commands for them.
        (rf"{_HOW}(?:delete|erase|remove|export|download|get|see)\s+{_MINE}\s+{_DATA}", "privacy"),
        (r"what\s+(?:data\s+)?(?:do\s+you|does\s+lighthouse)\s+(?:know|store|keep|have|hold)\s+(?:about|on|of)\s+me", "privacy"),
        (r"(?:privacy|gdpr|data\s+protection)(?:\s+policy)?", "privacy"),
        # Asked for: the command itself (erasure asks to confirm).
        (rf"{_POLITE}(?:delete|erase|remove|forget|wipe)\s+(?:{_MINE}\s+{_DATA}|me)", "privacy erase"),
        (rf"{_POLITE}(?:export|download|send\s+me|give\s+me)\s+{_MINE}\s+{_DATA}", "privacy export"),
        (r"slet\s+mine\s+(?:data|oplysninger)|radera\s+mina\s+(?:data|uppgifter)|slett\s+mine\s+(?:data|opplysninger)"
         r"|lösche\s+meine\s+daten|verwijder\s+mijn\s+gegevens|supprime[rz]?\s+mes\s+données"
         r"|borra[r]?\s+mis\s+datos|futa\s+data\s+zangu", "privacy erase"),
        (rf"{_POLITE}(?:show\s+(?:me\s+)?)?{_MINE}\s+profile|who\s+am\s+i", "profile"),
    )
)
# "change my country to Sweden", "set my time zone to Europe/Oslo", "update my organisation to Region Vestkyst".
_SET_FIELD = re.compile(
    r"^\s*(?:please\s+)?(?:change|set|update|make)\s+my\s+(?P<field>time\s+zone|[a-z_]+)\s+(?:to|as|=)\s+(?P<value>\S.*?)\s*[.!]*\s*$",
    re.IGNORECASE,
)


def account_request(text: str) -> str | None:
    """The command a message about the member's own account asks for, or None."""
    said = " ".join(without_mentions(text).replace("’", "'").split())
    if len(said) > 200:
        return None
    for pattern, command in ACCOUNT_REQUESTS:
        if pattern.match(said):
            return command
    if (setting := _SET_FIELD.match(said)) is not None:
        field = FIELD_ALIASES.get(setting.group("field").casefold().replace(" ", "_"))
        if field is not None:
            return f"profile set {field} {setting.group('value')}"
    return None
