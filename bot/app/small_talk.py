"""Greetings, thanks and goodbyes: answered in a line, never searched; and questions about the bot itself
("what can you do?", "who are you?"), which the router answers with `help`.

One table, in the languages members ask in (English, Danish, Swedish, Norwegian, German, Dutch, French,
Spanish, Kiswahili). A message is small talk when, with its mentions, punctuation, digits and emoji left
out, it is made only of the table's phrases (at least one) and the few words that go with them ("hi
there", "thanks a lot"); thanks wins over a greeting ("hi, thanks!"), a goodbye too. Accents are optional
("buenos dias", "hej da"). Everything else is a question: no topic a member searches by ("obesity",
"overvægt") belongs in the table (tests/test_plain_questions.py checks the real-use questions).
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from bot.sanitize import without_mentions


class SmallTalk(StrEnum):
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"


_G, _T, _B = SmallTalk.GREETING, SmallTalk.THANKS, SmallTalk.GOODBYE
PHRASES: dict[str, SmallTalk] = {
    # English
    "hi": _G, "hello": _G, "hey": _G, "hiya": _G, "yo": _G, "ok": _G, "okay": _G, "morning": _G, "good morning": _G,
    "good afternoon": _G, "good evening": _G, "good day": _G,
    "thanks": _T, "thank you": _T, "thank": _T, "thx": _T, "ty": _T, "cheers": _T, "many thanks": _T,
    "bye": _B, "goodbye": _B,
    # Danish, Norwegian, Swedish
    "hej": _G, "hejsa": _G, "hejsan": _G, "hei": _G, "heisann": _G, "hallo": _G, "hallå": _G, "halløj": _G,
    "goddag": _G, "god dag": _G, "godmorgen": _G, "god morgen": _G, "god morgon": _G,
    "tak": _T, "mange tak": _T, "tusind tak": _T, "tak skal du have": _T, "takk": _T, "mange takk": _T,
    "tusen takk": _T, "takk skal du ha": _T, "tack": _T, "tack så mycket": _T, "tusen tack": _T,
    "farvel": _B, "hej då": _B, "ha det": _B, "ha det bra": _B,
    # German, Dutch
    "guten tag": _G, "guten morgen": _G, "guten abend": _G, "moin": _G, "hoi": _G, "goedendag": _G,
    "goedemorgen": _G, "goedemiddag": _G,
    "danke": _T, "danke schön": _T, "danke sehr": _T, "vielen dank": _T, "dank je": _T, "dank je wel": _T,
    "dankjewel": _T, "dank u": _T, "dank u wel": _T, "bedankt": _T,
    "tschüss": _B, "auf wiedersehen": _B, "doei": _B, "tot ziens": _B,
    # French, Spanish
    "bonjour": _G, "salut": _G, "bonsoir": _G, "hola": _G, "buenos días": _G, "buenas tardes": _G,
    "merci": _T, "merci beaucoup": _T, "gracias": _T, "muchas gracias": _T,
    "au revoir": _B, "adiós": _B,
    # Kiswahili
    "habari": _G, "habari yako": _G, "habari gani": _G, "jambo": _G, "hujambo": _G,
    "asante": _T, "ahsante": _T, "asante sana": _T,
    "kwaheri": _B,
}
# Words that go with a greeting or thanks and say nothing on their own ("hello there", "thanks a lot",
# "thanks, that was useful!", "tak for hjælpen", "gracias por la ayuda").
FILLERS = frozenset(
    "there all everyone you so much very a lot again great good lighthouse that this it was is really for the "
    "your help useful helpful perfect nice awesome brilliant excellent appreciated "
    "hjælpen hjelpen hjälpen für die hilfe voor de hulp pour l aide por la ayuda kwa msaada".split()
)
ANSWERS: dict[SmallTalk, str] = {
    _G: "Hello! Ask me a question in plain words (e.g. `school food programmes in Denmark`), or type `help`.",
    _T: "You're welcome! Ask me anything else in plain words, or type `help` to see what I can do.",
    _B: "Goodbye! Ask me again any time; `help` shows what I can do.",
}
# Small talk is short; anything longer is read as a question without looking.
MAX_SMALL_TALK_CHARS = 200
_LONGEST_PHRASE = max(len(phrase.split()) for phrase in PHRASES)


def _folded(text: str) -> str:
    """Lower case without accents: "Días" and "dias" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


# Words of letters alone: digits, punctuation and emoji say nothing here.
LETTER_WORDS = re.compile(r"[^\W\d_]+")
_TABLE = {tuple(_folded(phrase).split()): kind for phrase, kind in PHRASES.items()}
_FILLERS = frozenset(_folded(word) for word in FILLERS)


def small_talk(text: str) -> SmallTalk | None:
    """What kind of small talk the whole message is, or None when it says anything else."""
    if len(text) > MAX_SMALL_TALK_CHARS:
        return None
    words = LETTER_WORDS.findall(_folded(without_mentions(text)))
    kinds: set[SmallTalk] = set()
    at = 0
    while at < len(words):
        for size in range(min(_LONGEST_PHRASE, len(words) - at), 0, -1):  # the longest phrase first
            kind = _TABLE.get(tuple(words[at : at + size]))
            if kind is not None:
                kinds.add(kind)
                at += size
                break
        else:
            if words[at] not in _FILLERS:
                return None
            at += 1
    if not kinds:
        return None
    return next((kind for kind in (_T, _B) if kind in kinds), _G)


# Questions about the bot itself, in the same languages: answered with `help`, never searched (a search for
# "what can you do" finds whatever mentions doing). Matched as the whole message, with greetings, mentions,
# punctuation and the words in ABOUT_FILLERS ("please", "Lighthouse", "here") left out.
ABOUT_THE_BOT = frozenset({
    # English
    "what can you do", "what do you do", "what are you", "who are you", "what is this", "what is lighthouse",
    "whats lighthouse", "what s lighthouse", "what is this bot", "what is this about", "what are you for",
    "how does this work", "how does it work", "how do you work", "how does lighthouse work", "how do i use you",
    "how do i use this", "how do i use lighthouse", "how to use", "how to use you", "how to use this",
    "what can i ask", "what can i ask you", "what should i ask", "what can i do", "what can i do here",
    "commands", "what commands", "list commands", "menu", "options", "get started", "getting started",
    "how do i start", "where do i start", "i need help", "can you help me", "can you help",
    # Danish, Norwegian, Swedish
    "hvad kan du", "hvad kan du gøre", "hvem er du", "hvad er lighthouse", "hvordan virker det",
    "hvordan bruger jeg dig", "hva kan du", "hva kan du gjøre", "hva er lighthouse", "hvordan fungerer det",
    "vad kan du", "vad kan du göra", "vem är du", "vad är lighthouse", "hur fungerar det", "hur använder jag dig",
    # German, Dutch
    "was kannst du", "was kannst du machen", "wer bist du", "was ist lighthouse", "wie funktioniert das",
    "wat kun je", "wat kun jij", "wat kan je", "wie ben jij", "wie ben je", "wat is lighthouse", "hoe werkt het",
    "hoe werkt dit",
    # French, Spanish
    "que peux tu faire", "qu est ce que tu peux faire", "qui es tu", "qu est ce que lighthouse",
    "comment ça marche", "qué puedes hacer", "quién eres", "qué es lighthouse", "cómo funciona",
    # Kiswahili
    "unaweza kufanya nini", "wewe ni nani", "lighthouse ni nini", "unafanya nini",
})
ABOUT_FILLERS = frozenset("please pls lighthouse bot here exactly actually again for me then so now anyway".split())
_ABOUT = frozenset(" ".join(_folded(phrase).split()) for phrase in ABOUT_THE_BOT)
_ABOUT_FILLERS = frozenset(_folded(word) for word in ABOUT_FILLERS)
_GREETING_WORDS = frozenset(words[0] for words, kind in _TABLE.items() if kind is _G and len(words) == 1)


def asks_about_the_bot(text: str) -> bool:
    """Whether the whole message asks what the bot is or does ("hi, what can you do?", "wer bist du")."""
    if len(text) > MAX_SMALL_TALK_CHARS:
        return False
    words = LETTER_WORDS.findall(_folded(without_mentions(text)))
    while words and words[0] in _GREETING_WORDS:
        words = words[1:]
    said = [word for word in words if word not in _ABOUT_FILLERS]
    return bool(said) and (" ".join(said) in _ABOUT or " ".join(words) in _ABOUT)
