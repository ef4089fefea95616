"""Buttons and forms whose custom_id says what they do, so they work after a restart and in any process.

A button's custom_id is `lh:<command>`: a click is the clicking user typing that command. Commands are kept
short by convention; one that would not fit Discord's 100 characters is stored in the database under a
content hash and the button carries `lh#<hash>`. Forms (modals) do the same with `lhf:` / `lhf#`.
Nothing lives only in this process's memory: discord.py matches the custom_id against the template of
`CommandButton` on every click, however old the message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import discord

from adapters.discord.render import ButtonSpec, plain, shorten
from bot.reply import Form

if TYPE_CHECKING:
    from adapters.discord.client import LighthouseClient
    from bot.delivery import Deliveries

CUSTOM_ID_LIMIT = 100
BUTTON_PREFIX = "lh"
FORM_PREFIX = "lhf"
INLINE, STORED = ":", "#"
MODAL_TITLE_LIMIT = 45
MODAL_INPUTS_LIMIT = 5
INPUT_LABEL_LIMIT = 45
INPUT_PLACEHOLDER_LIMIT = 100
INPUT_VALUE_LIMIT = 4000
# discord.py keeps an open modal in memory until it is submitted or this many seconds pass; the submission
# itself is handled from its custom_id, so this only bounds that memory.
MODAL_MEMORY_SECONDS = 15 * 60

_CUSTOM_ID = re.compile(rf"(?P<prefix>{FORM_PREFIX}|{BUTTON_PREFIX})(?P<kind>[:#])(?P<value>.+)", re.DOTALL)


class CommandStore:
    """Maps commands to custom_ids and back, storing the ones too long to travel inside the id."""

    def __init__(self, deliveries: Deliveries) -> None:
        self.deliveries = deliveries

    async def custom_id(self, command: str, *, prefix: str = BUTTON_PREFIX) -> str:
        inline = f"{prefix}{INLINE}{command}"
        if len(inline) <= CUSTOM_ID_LIMIT:
            return inline
        return f"{prefix}{STORED}{await self.deliveries.store_command(command)}"

    async def command(self, custom_id: str) -> str | None:
        """The command a custom_id stands for; None when it is not one of ours or was never stored."""
        match = _CUSTOM_ID.fullmatch(custom_id)
        if match is None:
            return None
        if match["kind"] == INLINE:
            return match["value"]
        return await self.deliveries.stored_command(match["value"])


class CommandButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=re.compile(rf"{BUTTON_PREFIX}[:#].+", re.DOTALL),
):
    """Any button the bot ever sent. The command is looked up from the custom_id at click time."""

    def __init__(self, custom_id: str, *, label: str = "…", style: discord.ButtonStyle = discord.ButtonStyle.secondary):
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=custom_id))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CommandButton:
        button = item if isinstance(item, discord.ui.Button) else None
        return cls(
            str(getattr(item, "custom_id", match.string)),
            label=(button.label if button and button.label else "…"),
            style=(button.style if button else discord.ButtonStyle.secondary),
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        client: LighthouseClient = interaction.client  # type: ignore[assignment]
        if client.adapter is not None:
            await client.adapter.on_button(interaction, self.item.custom_id or "")


async def build_view(rows: list[list[ButtonSpec]], store: CommandStore) -> discord.ui.View | None:
    """A persistent view (no timeout) of command buttons; a command repeated in one message is shown once,
    since Discord refuses two equal custom_ids in a message."""
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    seen: set[str] = set()
    row_number = 0
    for row in rows:
        added = 0
        for spec in row:
            custom_id = await store.custom_id(spec.command)
            if custom_id in seen:
                continue
            seen.add(custom_id)
            item = CommandButton(custom_id, label=spec.label, style=spec.style)
            item.row = row_number
            view.add_item(item)
            added += 1
        row_number += 1 if added else 0
    return view if view.children else None


def form_fits_a_modal(form: Form) -> bool:
    return 0 < len(form.fields) <= MODAL_INPUTS_LIMIT


class FormModal(discord.ui.Modal):
    """A core Form as a Discord modal. Submissions are handled from the custom_id (see the client's
    on_interaction), so a form opened before a restart can still be submitted after it."""

    def __init__(self, form: Form, custom_id: str) -> None:
        super().__init__(
            title=shorten(plain(form.title), MODAL_TITLE_LIMIT) or "Lighthouse",
            custom_id=custom_id,
            timeout=MODAL_MEMORY_SECONDS,
        )
        for form_field in form.fields[:MODAL_INPUTS_LIMIT]:
            max_length = min(max(form_field.max_length, 1), INPUT_VALUE_LIMIT)
            self.add_item(
                discord.ui.TextInput(
                    label=shorten(plain(form_field.label), INPUT_LABEL_LIMIT) or form_field.name,
                    custom_id=form_field.name,
                    placeholder=shorten(form_field.placeholder, INPUT_PLACEHOLDER_LIMIT) or None,
                    style=discord.TextStyle.paragraph if form_field.multiline else discord.TextStyle.short,
                    required=form_field.required,
                    max_length=max_length,
                    # Discord refuses the whole modal when a value is longer than its input allows.
                    default=form_field.value[:max_length] or None,
                )
            )


async def build_modal(form: Form, store: CommandStore) -> FormModal:
    return FormModal(form, await store.custom_id(form.command, prefix=FORM_PREFIX))


def is_form_custom_id(custom_id: str) -> bool:
    match = _CUSTOM_ID.fullmatch(custom_id)
    return match is not None and match["prefix"] == FORM_PREFIX


def submitted_values(components: list[dict[str, Any]]) -> dict[str, str]:
    """{input custom_id: value} from a modal submission, in the order shown (action rows or labels)."""
    values: dict[str, str] = {}
    for component in components:
        if "components" in component:
            values.update(submitted_values(component["components"]))
        elif "component" in component:
            values.update(submitted_values([component["component"]]))
        elif "custom_id" in component and isinstance(component.get("value"), str):
            values[component["custom_id"]] = component["value"]
    return values
