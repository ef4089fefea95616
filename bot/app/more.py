"""`more` (or `next`): the next page of a long answer; the "More" button sends `more <page-id> <page>`."""

from __future__ import annotations

from bot.context import CommandContext
from bot.feature import Feature
from bot.members.service import is_plain_number
from bot.pagination import NoLastAnswer, PageAlreadyPosted, PageMissing, PageNotYours
from bot.reply import Reply
from config.errors import UserError

FEATURE = Feature("more")


@FEATURE.command(
    "more",
    summary="Show the next page of a long answer",
    usage="more",
    help=(
        "A long answer shows its first results and a “More” button; the rest is kept for 14 days. "
        "Press the button, or type `more` (or `next`) alone on any platform (Slack, Discord, the console) for "
        "the next page of your last answer (the long answer whose page you saw last). The button sends "
        "`more <page-id> <page>`, which works in any conversation; the pages of a private answer only for "
        "the member it was for. A button posts its page once: pressed again, it tells only you that the page "
        "is already there. `more 3` shows page 3 of your last answer."
    ),
    examples=("more", "next", "more 3"),
    aliases=("next",),
    hidden=True,
    takes=lambda words: len(words) <= 2,  # a page number, or a page link's two words (a wrong one is answered)
)
async def more(ctx: CommandContext) -> Reply:
    args = ctx.args
    if not args:
        return await _next_page(ctx)
    if len(args) == 1 and _page_number(args[0]) is not None:
        return await _next_page(ctx, _page_number(args[0]))
    if len(args) == 2 and _page_number(args[1]) == 1:
        return Reply(
            text="Page 1 of that answer is the answer itself, with its first results; its “More” button shows "
            f"page 2 (`more {args[0]} 2`).",
            private=True,
        )
    if not _valid_page_link(args):
        raise UserError(
            "That page link is not valid.",
            hint="Type `more` alone for the next page of your last answer, or `more 3` for its page 3.",
        )
    return await _linked_page(ctx, args[0], int(args[1]))


def _page_number(word: str) -> int | None:
    """A page number as typed (`4`), or None."""
    return int(word) if is_plain_number(word) and len(word) <= 6 else None


async def _next_page(ctx: CommandContext, number: int | None = None) -> Reply:
    """The next page of the asker's last answer, or its page `number` (`more 4`)."""
    if number is not None and number < 2:
        return Reply(
            text="Page 1 of your last answer is the answer itself, with its first results; `more` shows the next "
            "page, `more 2` its page 2.",
            private=True,
        )
    try:
        return await ctx.core.paginator.next_page(ctx.member.id, number)
    except NoLastAnswer:
        if number is not None:
            return Reply(
                text=f"Your last answer has no page {number}: none of your answers had a further page.", private=True
            )
        return Reply(text="No more results: your last answer has no further page.", private=True)
    except PageMissing as missing:
        if number is not None:
            return Reply(
                text=f"Your last answer has no page {number}: it had {missing.total} pages.", private=True
            )
        return Reply(text=f"No more results: your last answer had {missing.total} pages.", private=True)


def _valid_page_link(args: list[str]) -> bool:
    """`<page-id> <page>`, the page a number from 2 to 999999."""
    return len(args) == 2 and is_plain_number(args[1]) and len(args[1]) <= 6 and int(args[1]) >= 2


async def _linked_page(ctx: CommandContext, page_id: str, number: int) -> Reply:
    """The page a "More" button names."""
    try:
        return await ctx.core.paginator.page(
            page_id, number, member_id=ctx.member.id, from_button=ctx.message.from_button
        )
    except PageAlreadyPosted as posted:
        return Reply(
            text=f"Page {posted.number} of {posted.total} of that answer is already posted, below the message "
            "with its button.",
            private=True,
        )
    except PageNotYours:
        raise UserError(
            "That page belongs to another member's private answer, so it is shown only to them.",
            hint="Ask the question yourself to get your own results.",
        ) from None
    except PageMissing as missing:
        if missing.total is None:  # never stored, or expired: nothing changes what a bare `more` continues
            raise UserError(
                "That page link is not valid, or its results have expired (pages are kept for 14 days).",
                hint="Type `more` alone for the next page of your last answer, or ask your question again.",
            ) from None
        return Reply(text=f"No more results: that answer had {missing.total} pages.", private=True)
