"""Stored pages of long answers: a private answer's "More" link opens only for the member it was for (a public
answer's, shown in a channel, for anyone there), and a bad page link changes nothing a bare `more` continues."""

from bot.reply import Reply, Section
from tests.events_support import make_member
from tests.support import Chat


def long_answer(private: bool, direct: bool = False) -> Reply:
    sections = [Section(title=f"Result {number}", text="text") for number in range(1, 13)]
    return Reply(text="Audit log", sections=sections, private=private, direct=direct)


async def stored(core, owner: str, reply: Reply) -> str:
    member_id = await make_member(core, owner)
    first = await core.paginator.paginate(reply, member_id=member_id, now=core.clock.now(), max_sections=5)
    assert "(page 1 of 3)" in first.text
    return first.buttons[0].command  # "more <page-id> 2"


async def test_a_private_answers_more_link_works_only_for_its_member(core, chat: Chat):
    link = await stored(core, "admin", long_answer(private=True))
    await make_member(core, "mallory")
    refused = await chat.text(link, as_user="mallory")
    assert "Result 6" not in refused and "another member's private answer" in refused
    assert "Result 6" in await chat.text(link, as_user="admin")


async def test_a_direct_answers_pages_are_its_members_too(core, chat: Chat):
    link = await stored(core, "admin", long_answer(private=False, direct=True))
    await make_member(core, "mallory")
    assert "Result 6" not in await chat.text(link, as_user="mallory")


async def test_a_public_answers_more_link_works_for_anyone_in_the_channel(core, chat: Chat):
    link = await stored(core, "carol", long_answer(private=False))
    await make_member(core, "dave")
    assert "Result 6" in await chat.text(link, as_user="dave")
    # Someone else's page does not become dave's "last answer"; carol's `more` still continues hers.
    assert "Result 6" in await chat.text("more", as_user="carol")


async def test_more_after_a_bad_page_link_continues_the_last_answer(core, chat: Chat):
    link = await stored(core, "alice", long_answer(private=True))
    page_id = link.split()[1]
    bad = await chat.text("more nosuchpage0000 2", as_user="alice")
    assert "not valid" in bad and "Result" not in bad
    assert "had 3 pages" in await chat.text(f"more {page_id} 9", as_user="alice")
    assert "not valid" in await chat.text("more x", as_user="alice")
    second = await chat.text("more", as_user="alice")
    assert "(page 2 of 3)" in second and "Result 6" in second
