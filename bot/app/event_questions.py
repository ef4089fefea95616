"""A plain question that asks only which events are coming ("any events this week?", "upcoming webinars on
obesity", "kommende arrangementer"): answered with `event list` (with the theme it names), never searched.
A search of the knowledge base would answer it with pilots that mention meetings.

The question must name events (`EVENT_WORDS`) and nothing else but when (`WHEN_WORDS`), a theme, and words
that carry no topic (every supported language's stop words). Anything more is a question about something:
"co-design workshops with patients" is searched.
"""

from __future__ import annotations

from bot.app.small_talk import LETTER_WORDS
from bot.sanitize import without_mentions
from config.vocabulary import parse_theme
from knowledge.language import ALL_STOPWORDS

# "Events" in the languages members ask in.
EVENT_WORDS = frozenset(
    "event events meetup meetups meeting meetings webinar webinars workshop workshops conference conferences "
    "seminar seminars calendar arrangement arrangementer arrangementet møde møder möte möten evenemang "
    "veranstaltung veranstaltungen termine treffen evenement evenementen bijeenkomst bijeenkomsten événement "
    "événements réunion réunions evento eventos reunión reuniones tukio matukio mkutano mikutano".split()
)
# When, in the same languages ("this week", "næste uge", "nächste Woche", "la semaine prochaine").
WHEN_WORDS = frozenset(
    "upcoming coming next soon planned scheduled week weeks month months weekend today tomorrow tonight future "
    "list show happening kommende næste uge måned kommande nästa vecka månad neste uke måned kommenden nächste "
    "nächsten woche monat komende volgende week maand prochain prochaine prochains semaine mois próximo "
    "próxima próximos semana mes ijayo wiki mwezi".split()
)
_MAX_WORDS = 12


def asks_for_events(text: str) -> str | None:
    """The `event list` arguments a question asks for ("" or a theme), or None for any other message."""
    words = [word.casefold() for word in LETTER_WORDS.findall(without_mentions(text))]
    if not words or len(words) > _MAX_WORDS or not any(word in EVENT_WORDS for word in words):
        return None
    theme = None
    at = 0
    while at < len(words):
        two = parse_theme(" ".join(words[at : at + 2])) if at + 1 < len(words) else None
        one = two or parse_theme(words[at])
        if one is not None and words[at] not in ALL_STOPWORDS:
            if theme not in (None, one):
                return None  # two themes: a question, not a list
            theme = one
            at += 2 if two else 1
            continue
        if words[at] not in EVENT_WORDS and words[at] not in WHEN_WORDS and words[at] not in ALL_STOPWORDS:
            return None
        at += 1
    return theme or ""
