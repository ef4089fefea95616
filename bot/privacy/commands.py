"""`privacy`: what I store about you and why, your consent flags, export and erasure."""

from __future__ import annotations

from bot.commands import Subcommand, command_with_subcommands, context_only
from bot.context import CommandContext
from bot.privacy.service import (
    CONSENT_FLAGS,
    ERASE_CONFIRMATION_TTL,
    ERASE_PURPOSE,
    erase_member,
    export_json,
    export_member_data,
    held_data,
    issue_confirmation,
    parse_consent_flag,
    redeem_confirmation,
    set_consent,
)
from bot.reply import Attachment, Button, Field, Reply, Section
from config.errors import UserError
from storage.models import Member

USAGE = "privacy [consent <flag> on|off | export | erase]"
_ON = {"on", "yes", "true", "1", "allow"}
_OFF = {"off", "no", "false", "0", "deny", "stop"}


async def _erase_step(ctx: CommandContext, words: list[str]) -> Reply:
    """`privacy erase` asks to confirm; its button sends `privacy erase confirm <token>`."""
    if not words:
        return await _ask_to_confirm(ctx)
    if len(words) == 2 and words[0].lower() == "confirm":
        return await _erase(ctx, words[1])
    raise UserError("To erase your data, type `privacy erase` and press the confirmation button.")


async def _explain(ctx: CommandContext) -> Reply:
    async with ctx.db.session() as session:
        member = await session.get(Member, ctx.member.id)
        assert member is not None
        held = await held_data(session, member)
    platforms = ", ".join(sorted(set(held.identities))) or "—"
    stored = [
        Field(
            "Your profile",
            "name, organisation, sector, country, time zone, expertise, interests and bio as you set them — "
            "so others can find the right person, and so I can count exchanges across organisations, "
            "sectors and countries.",
        ),
        Field(
            "Your chat accounts",
            f"{platforms}: the account id and display name — so I recognise you and can send you messages.",
        ),
        Field(
            f"Introductions ({held.introductions})",
            "who asked whom, your reason when you asked, the answer and dates — to broker the introduction and "
            "follow it up.",
        ),
        Field(
            f"Exchanges linked to you ({held.exchanges})",
            "when, where (platform and channel) and the organisations, sectors and countries involved — never "
            "what was said — to measure knowledge transfer.",
        ),
        Field(f"Event replies ({held.rsvps})", "which events you said you'd attend — for reminders and counts."),
        Field(f"Events you organise ({held.events_organised})", "title, time and place, shown to everyone."),
        Field(
            f"Audit log ({held.audit_entries})",
            "entries by or about you — coordinator and admin actions are logged for accountability.",
        ),
        Field(
            "Knowledge base",
            (
                ("your expert profile is searchable." if member.consent_expert_search
                 else "your expert profile is hidden while expert search is off.")
                if held.expert_documents
                else "no expert profile of yours (set your expertise with `profile set expertise ...` to be found)."
            ),
        ),
    ]
    flags = [
        Field(f"{flag.label}: {'on' if getattr(member, flag.column) else 'off'}", f"{flag.meaning}.")
        for flag in CONSENT_FLAGS.values()
    ]
    return Reply(
        text="I never store the text of your conversations, only what is listed here.",
        sections=[
            Section(title="What I store about you, and why", fields=stored),
            Section(
                title="Your consent",
                fields=flags,
                context="Change one with `privacy consent <expert-search|introductions|exchange-logging> on|off`.",
            ),
            Section(
                title="Your rights",
                text=(
                    "• `privacy export` — all your data as a file in a direct message\n"
                    "• `privacy erase` — delete your profile and accounts (asks you to confirm)\n"
                    "• `profile clear <field>` — remove one field\n"
                    "Long answers are kept for 14 days so the “More” button works; then they are deleted."
                ),
            ),
        ],
        private=True,
    )


async def _consent(ctx: CommandContext, args: list[str]) -> Reply:
    names = ", ".join(f"`{name}`" for name in CONSENT_FLAGS)
    if len(args) != 2:
        raise UserError("Usage: `privacy consent <flag> on|off`.", hint=f"Flags: {names}.")
    flag = parse_consent_flag(args[0])
    if flag is None:
        raise UserError(f"“{args[0][:30]}” is not a consent flag.", hint=f"Flags: {names}.")
    answer = args[1].lower()
    if answer not in _ON | _OFF:
        raise UserError(f"Say `on` or `off`, for example `privacy consent {flag.name} off`.")
    value = answer in _ON
    async with ctx.db.session() as session, session.begin():
        unlinked = await set_consent(session, ctx.member.id, flag, value, ctx.now())
    text = f"{flag.label} is now {'on' if value else 'off'}: {flag.meaning if value else 'no longer so'}."
    if not value and flag.name == "exchange-logging":
        text = (
            "Exchange logging is now off: new exchanges count only your organisation, sector and country, "
            f"anonymously. {unlinked} earlier exchange record(s) no longer carry your name."
        )
    elif not value and flag.name == "expert-search":
        text = "Expert search is now off: you no longer appear when people search for experts."
    elif not value and flag.name == "introductions":
        text = "Introductions are now off: nobody can ask me to introduce them to you."
    return Reply(text=text, tone="success", private=True)


async def _export(ctx: CommandContext) -> Reply:
    async with ctx.db.session() as session:
        data = await export_member_data(session, ctx.member.id, ctx.now())
    stamp = ctx.now().strftime("%Y%m%d")
    attachment = Attachment(
        filename=f"lighthouse-data-{ctx.member.id}-{stamp}.json",
        content=export_json(data),
        mime_type="application/json",
    )
    return Reply(
        text=(
            "Here is everything I store about you, as JSON: your profile, accounts, introductions, event replies, "
            "exchange records and audit entries about you. Other people appear only by name and organisation."
        ),
        attachments=[attachment],
        direct=True,
        private=True,
    )


async def _ask_to_confirm(ctx: CommandContext) -> Reply:
    async with ctx.db.session() as session, session.begin():
        token = await issue_confirmation(session, ctx.member.id, ERASE_PURPOSE, ctx.now())
    minutes = int(ERASE_CONFIRMATION_TTL.total_seconds() // 60)
    return Reply(
        text=(
            "This deletes your profile, your chat accounts' link to me, your event replies and your expert "
            "profile in the knowledge base. Introductions and exchanges you took part in stay only as anonymous "
            "counts (organisation, sector, country), without your name or anything you wrote. "
            f"It cannot be undone. The button works for {minutes} minutes; you may want `privacy export` first."
        ),
        buttons=[Button("Erase my data", f"privacy erase confirm {token}", style="danger")],
        private=True,
        tone="warning",
    )


async def _erase(ctx: CommandContext, token: str) -> Reply:
    async with ctx.db.session() as session, session.begin():
        if not await redeem_confirmation(session, ctx.member.id, ERASE_PURPOSE, token, ctx.now()):
            raise UserError(
                "That confirmation is not valid for you or has expired; nothing was erased.",
                hint="Type `privacy erase` to get a fresh button.",
            )
        report = await erase_member(session, ctx.member.id, ctx.now())
    return Reply(
        text=(
            "Your data is erased: profile and accounts deleted, "
            f"{report.rsvps_deleted} event repl{'y' if report.rsvps_deleted == 1 else 'ies'} deleted, "
            f"{report.introductions_anonymised} introduction(s) and {report.exchanges_anonymised} exchange(s) "
            "kept only as anonymous counts. If you write to me again, I start a new, empty profile."
        ),
        tone="success",
        private=True,
    )


command_with_subcommands(
    "privacy",
    summary="What I store about you and why; consent, export and erasure",
    usage=USAGE,
    help=(
        "`privacy` explains in plain words what I keep about you and why, and shows your consent flags.\n"
        "`privacy consent <flag> on|off` changes a flag. Flags: "
        + ", ".join(f"`{name}` ({flag.meaning})" for name, flag in CONSENT_FLAGS.items())
        + ".\n`privacy export` sends you all your data as a JSON file in a direct message.\n"
        "`privacy erase` deletes your profile and accounts after you confirm with a button; introductions "
        "and exchanges you took part in stay only as anonymous counts by organisation, sector and country."
    ),
    examples=(
        "privacy",
        "privacy consent expert-search off",
        "privacy consent introductions on",
        "privacy consent exchange-logging off",
        "privacy export",
        "privacy erase",
    ),
    subcommands=(
        Subcommand("show", context_only(_explain), "What I store about you and why, and your consent flags"),
        Subcommand("consent", _consent, "Switch a consent flag on or off", "<flag> on|off"),
        Subcommand("export", context_only(_export), "All your data as a file, in a direct message"),
        Subcommand("erase", _erase_step, "Delete your profile and accounts (asks you to confirm)"),
    ),
    default="show",
)
