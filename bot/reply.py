"""What the core answers: a platform-neutral reply that each adapter renders its own way.

Text is plain (adapters escape and format it). A button carries the command it stands for, so a click
is the same as typing that command: one mechanism for buttons on every platform, after any restart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ButtonStyle = Literal["default", "primary", "danger"]
# The longest command a button carries on every platform (Slack's button value; Discord stores longer ones).
BUTTON_COMMAND_CHARS = 2000
# The longest that fits in a Discord custom id as it is (nothing stored): for a command built from what a
# member typed, which may be anything.
INLINE_COMMAND_CHARS = 90


@dataclass
class Button:
    label: str
    command: str
    style: ButtonStyle = "default"


@dataclass
class Field:
    label: str
    value: str


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Section:
    title: str | None = None
    text: str = ""
    fields: list[Field] = field(default_factory=list)
    link: Link | None = None
    context: str | None = None  # small print, e.g. "why this match"
    buttons: list[Button] = field(default_factory=list)
    # The knowledge-base document this section shows (its `source_id`), when it shows one.
    source_id: str | None = None


@dataclass
class FormField:
    name: str
    label: str
    placeholder: str = ""
    multiline: bool = False
    required: bool = True
    max_length: int = 200
    value: str = ""  # filled in when the form opens (platforms cut it to the field's length)


@dataclass
class Form:
    """A guided form: Slack and Discord show a modal; submitting it runs `command` with the values as
    `name="value"` pairs (see `form_command`). Where there are no modals the one-line syntax is shown."""

    title: str
    command: str
    fields: list[FormField]
    submit_label: str = "Submit"
    note: str = ""  # a line above the fields (why the form opened: "“hello” is a bit short"); not on Discord


def form_command(form: Form, values: dict[str, str]) -> str:
    """The command text a submitted form stands for: `event add title='...' start='...'`."""
    import shlex

    parts = [form.command]
    for form_field in form.fields:
        value = (values.get(form_field.name) or "").strip()
        if value:
            parts.append(f"{form_field.name}={shlex.quote(value)}")
    return " ".join(parts)


@dataclass
class Attachment:
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass
class Reply:
    text: str = ""
    sections: list[Section] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    # Only the asker sees it (Slack ephemeral, Discord ephemeral, console: as usual).
    private: bool = False
    # Sent as a direct message to the asker instead of into the channel.
    direct: bool = False
    attachments: list[Attachment] = field(default_factory=list)
    # Where the platform has modals, open this form instead of posting the reply's text.
    form: Form | None = None
    tone: Literal["info", "success", "warning", "error"] = "info"
    # A search's answer whose best match is weak (`Answer.weak`): it says nothing matches well.
    weak: bool = False
    # A search's answer whose results may only partly answer the question (`Answer.unsure`).
    unsure: bool = False
    # What the later pages of a long answer continue, as its first page names it (a search's question, without
    # the command or filters); empty: the message that asked (bot.pagination.page_topic).
    topic: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["attachments"] = []  # files and forms are never stored with pages
        data["form"] = None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reply:
        sections = []
        for raw in data.get("sections", []):
            sections.append(
                Section(
                    title=raw.get("title"),
                    text=raw.get("text", ""),
                    fields=[Field(**f) for f in raw.get("fields", [])],
                    link=Link(**raw["link"]) if raw.get("link") else None,
                    context=raw.get("context"),
                    buttons=[Button(**b) for b in raw.get("buttons", [])],
                    source_id=raw.get("source_id"),
                )
            )
        return cls(
            text=data.get("text", ""),
            sections=sections,
            buttons=[Button(**b) for b in data.get("buttons", [])],
            private=data.get("private", False),
            direct=data.get("direct", False),
            tone=data.get("tone", "info"),
            weak=data.get("weak", False),
            unsure=data.get("unsure", False),
        )

    def plain_text(self) -> str:
        """Everything a reader would see, as one string (used by tests and the console)."""
        parts = [self.text] if self.text else []
        for section in self.sections:
            parts.extend(p for p in (section.title, section.text) if p)
            parts.extend(f"{f.label}: {f.value}" for f in section.fields)
            if section.link:
                parts.append(f"{section.link.label}: {section.link.url}")
            if section.context:
                parts.append(section.context)
            parts.extend(f"[{b.label}]" for b in section.buttons)
        parts.extend(f"[{b.label}]" for b in self.buttons)
        return "\n".join(parts)


def error_reply(text: str) -> Reply:
    return Reply(text=text, tone="error", private=True)
