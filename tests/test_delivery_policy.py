"""One delivery policy for every platform (adapters/delivery_policy.py): the same cases, run against what each
adapter declares it can do, give the answers each declaration promises, in one wording."""

from __future__ import annotations

import pytest

from adapters.console import CONSOLE_CAPABILITIES, PIPED_CAPABILITIES, ConsoleTransport
from adapters.delivery_policy import (
    DIRECT_CLOSED,
    DIRECT_CLOSED_SHOWN_HERE,
    DIRECT_SENT,
    FORM_BUTTON,
    Capabilities,
    DeliveryPolicy,
    Entry,
    Request,
)
from adapters.discord.transport import DISCORD_CAPABILITIES, DiscordTransport
from adapters.slack.transport import SLACK_CAPABILITIES, SlackTransport
from bot.reply import Button, Form, FormField, Reply

DECLARED = {
    "console": CONSOLE_CAPABILITIES,
    "console (piped)": PIPED_CAPABILITIES,
    "slack": SLACK_CAPABILITIES,
    "discord": DISCORD_CAPABILITIES,
}
CASES = [
    pytest.param(capabilities, entry, id=f"{platform}-{entry.value}")
    for platform, capabilities in DECLARED.items()
    for entry in sorted(capabilities.entries, key=lambda entry: entry.value)
]
FORM = Form(title="New event", command="event add", fields=[FormField("title", "Title")])
FORM_REPLY = Reply(text="Add one with: event add title='...'", form=FORM, buttons=[Button("Help", "help")])
OPEN_FORM = Button(FORM_BUTTON, "event add", style="primary")


def request(entry: Entry, **details: object) -> Request:
    return Request(entry=entry, command="event add", **details)  # type: ignore[arg-type]


@pytest.mark.parametrize(("can", "entry"), CASES)
def test_a_form_opens_as_a_modal_only_where_the_platform_can_show_one(can: Capabilities, entry: Entry):
    delivery = DeliveryPolicy(can).plan(FORM_REPLY, request(entry))
    if entry in can.modals:
        assert delivery.form == FORM and delivery.answer is None
        return
    # Its one-line syntax instead, and a button that asks again where a click can open the form.
    assert delivery.form is None and delivery.answer is not None and delivery.answer.form is None
    expected = [Button("Help", "help"), OPEN_FORM] if Entry.BUTTON in can.modals else [Button("Help", "help")]
    assert delivery.answer.text == FORM_REPLY.text and delivery.answer.buttons == expected


@pytest.mark.parametrize(("can", "entry"), CASES)
def test_a_form_too_late_or_too_big_for_a_modal_is_never_opened(can: Capabilities, entry: Entry):
    policy = DeliveryPolicy(can)
    late = policy.plan(FORM_REPLY, request(entry, form_window=False))
    assert late.form is None and late.answer is not None and late.answer.form is None
    big = Form(title="Long", command="event add", fields=[FormField(f"f{n}", f"Field {n}") for n in range(7)])
    too_big = policy.plan(Reply(text="Use: event add f0=...", form=big), request(entry))
    assert (too_big.form is None) == (not can.modal_fits(big) or entry not in can.modals)
    if too_big.answer is not None:
        assert (OPEN_FORM in too_big.answer.buttons) == (can.modal_fits(big) and Entry.BUTTON in can.modals)


@pytest.mark.parametrize("can", DECLARED.values(), ids=DECLARED.keys())
def test_an_open_the_form_button_needs_a_command_that_fits_a_button(can: Capabilities):
    policy = DeliveryPolicy(can)
    assert OPEN_FORM not in policy.without_form(FORM_REPLY, "  ").buttons
    assert policy.without_form(FORM_REPLY, "event add").form is None
    if can.button_command_chars is not None:
        too_long = "event add " + "x" * can.button_command_chars
        assert policy.without_form(FORM_REPLY, too_long).buttons == FORM_REPLY.buttons


@pytest.mark.parametrize(("can", "entry"), CASES)
def test_a_private_answer_is_shown_to_the_asker_alone_or_sent_to_them_directly(can: Capabilities, entry: Entry):
    policy = DeliveryPolicy(can)
    private = Reply(text="Your profile", private=True)
    delivery = policy.plan(private, request(entry))
    if entry is Entry.DIRECT:
        assert delivery.answer == private and not delivery.private and delivery.direct is None
    elif entry in can.ephemeral:
        assert delivery.answer == private and delivery.private and delivery.direct is None
    else:
        assert delivery.answer is None and delivery.direct is not None and delivery.direct.text == "Your profile"
    # A refusal concerns only what was just asked: where the asker cannot be answered alone, it is said there.
    refusal = policy.plan(Reply(text="Only coordinators can do that.", private=True, tone="error"), request(entry))
    assert refusal.direct is None and refusal.answer is not None
    assert refusal.private == (entry in can.ephemeral and entry is not Entry.DIRECT)
    # A click on a message only the asker sees: its answer stays theirs.
    clicked = policy.plan(Reply(text="Page 2"), request(entry, private_origin=True))
    if entry in can.ephemeral:
        assert clicked.private


@pytest.mark.parametrize(("can", "entry"), CASES)
def test_a_direct_answer_goes_to_the_askers_direct_messages_with_a_note_where_they_asked(
    can: Capabilities, entry: Entry
):
    policy = DeliveryPolicy(can)
    export = Reply(text="Your data is attached.", direct=True)
    delivery = policy.plan(export, request(entry))
    if entry is Entry.DIRECT:
        assert delivery.direct is None and delivery.answer is not None and not delivery.answer.direct
        return
    assert can.direct_messages and delivery.direct is not None and not delivery.direct.direct
    here = entry in can.ephemeral
    sent = policy.after_direct(delivery.direct, request(entry), sent=True)
    assert sent.answer is not None and sent.answer.text == DIRECT_SENT and sent.private == here
    closed = policy.after_direct(delivery.direct, request(entry), sent=False)
    assert closed.answer is not None and closed.private == here
    if here:  # the answer itself, for the asker alone
        assert closed.answer.text == f"{DIRECT_CLOSED_SHOWN_HERE}\n\nYour data is attached."
    else:  # never the answer in public
        assert closed.answer.text == DIRECT_CLOSED


@pytest.mark.parametrize(("can", "entry"), CASES)
def test_an_answer_asked_in_a_direct_conversation_stays_there(can: Capabilities, entry: Entry):
    delivery = DeliveryPolicy(can).plan(Reply(text="x", private=True, direct=True), request(entry, in_direct=True))
    assert delivery.answer is not None and delivery.direct is None and not delivery.private


def test_each_transport_declares_what_its_platform_can_do():
    for transport, can in [
        (SlackTransport, SLACK_CAPABILITIES),
        (DiscordTransport, DISCORD_CAPABILITIES),
        (ConsoleTransport, CONSOLE_CAPABILITIES),
    ]:
        assert transport.capabilities is can and transport.page_budget is can.page_budget
        # Threads are what a transport can start (a question to the community opens one).
        assert can.threads == hasattr(transport, "start_thread")
        assert can.modals <= can.entries and can.ephemeral <= can.entries


def test_a_file_that_only_a_direct_message_carries_is_not_promised_here_when_that_message_fails():
    from adapters.delivery_policy import DIRECT_CLOSED_FILES
    from adapters.slack.transport import SLACK_CAPABILITIES
    from bot.reply import Attachment

    export = Reply(text="Here is everything I store about you.", direct=True,
                   attachments=[Attachment("lighthouse-data-7.json", b"{}", "application/json")])
    closed = DeliveryPolicy(SLACK_CAPABILITIES).after_direct(export, request(Entry.COMMAND), sent=False)
    assert closed.private and closed.answer.attachments == []
    assert closed.answer.text == DIRECT_CLOSED_FILES.format(names="lighthouse-data-7.json")
    assert "here is my answer" not in closed.answer.text
