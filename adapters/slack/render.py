"""Core `Reply` -> Slack Block Kit, within Slack's limits, with every piece of text escaped.

Text in a reply is plain and may contain what a user typed, so `&`, `<` and `>` are always escaped: nobody
can make the bot post `<!channel>`, `<!here>` or a user mention. Bare `@channel`, `@here` and `@everyone`
get an invisible word joiner as well, so no automatic parsing can turn them into a broadcast either. Text the
renderer sets in bold (titles, field labels) goes through `bold`: mrkdwn has no escape for `*`, `_`, `~` and
`` ` ``, so inside the bold span they are shown as look-alikes mrkdwn does not read, and an event called
"Walk *and* talk" stays one bold title.

Limits (Slack's): 50 blocks per message, 3,000 characters per text object, 10 fields of 2,000 characters
per section, 25 elements per actions block, 75 characters per button label, 2,000 per button value.
How many sections fit in one message is measured by `plan_pages`, which the transport declares to the core
as Slack's page budget: the core's paginator pages by it and stores the other pages behind a "More" button.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace

from bot.reply import Button, Field, Form, Link, Reply, Section

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_ACTIONS = 25
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
MAX_URL = 3000
MAX_TITLE = 200
MAX_FALLBACK = 300
# A reply's own text longer than this is laid out as sections, so it can be paged like them.
MAX_HEAD_TEXT = 3 * MAX_TEXT
# Buttons below a whole reply; more than this is a bug in a command, not something to page.
MAX_REPLY_BUTTONS = 4 * MAX_ACTIONS

MODAL_TITLE = 24
MODAL_BLOCKS = 100
MODAL_PLACEHOLDER = 150
MODAL_LABEL = 2000
PRIVATE_METADATA = 3000

COMMAND_ACTION = "lh:cmd"
LINK_ACTION = "lh:link"
FORM_CALLBACK = "lh:form"
FORM_INPUT = "value"

_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_TONE_PREFIX = {"error": ":warning: ", "warning": ":warning: ", "success": ":white_check_mark: ", "info": ""}
_SAFE_URL = re.compile(r"^(https?://|mailto:)[^\s<>|]+$", re.IGNORECASE)
# mrkdwn's formatting characters, each as a look-alike that mrkdwn does not read (one character for one,
# so lengths stay as measured): asterisk operator, modifier letter low macron, tilde operator, grave accent.
_FORMATTING_LOOKALIKES = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})


def escape(text: str) -> str:
    """Plain text -> mrkdwn that shows exactly that text and pings nobody."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda match: "@\u2060" + match.group(1), text)


def bold(text: str) -> str:
    """Plain text as one bold mrkdwn span that nothing in the text can end or nest into: escaped, on one line
    (a span does not cross lines), its formatting characters shown as look-alikes. Empty for blank text."""
    inner = escape(" ".join(text.split())).translate(_FORMATTING_LOOKALIKES)
    return f"*{inner}*" if inner else ""


def _escaped_len(text: str) -> int:
    return len(escape(text))


def _fitting_prefix(text: str, limit: int) -> int:
    """Length of the longest prefix of plain `text` whose escaped form fits `limit`."""
    low, high = 0, len(text)
    while low < high:  # binary search: escaping makes lengths uneven
        middle = (low + high + 1) // 2
        if _escaped_len(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def truncate(text: str, limit: int) -> str:
    """Plain `text`, cut with an ellipsis so that its escaped form fits `limit`."""
    if _escaped_len(text) <= limit:
        return text
    return text[: _fitting_prefix(text, limit - 1)] + "…"


def truncate_plain(text: str, limit: int) -> str:
    """For plain_text objects (button labels, modal titles): no escaping, only the length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int, first_limit: int | None = None) -> list[str]:
    """Plain text in pieces whose escaped form fits `limit` (`first_limit` for the first), cut at whitespace
    where possible. Empty or blank text gives no pieces."""
    pieces: list[str] = []
    current: list[str] = []
    used = 0  # escaped length of `current`: additive, as no escape spans whitespace

    def budget() -> int:
        return first_limit if first_limit is not None and not pieces else limit

    def flush() -> None:
        nonlocal current, used
        piece = "".join(current).strip("\n")
        if piece.strip():
            pieces.append(piece)
        current, used = [], 0

    for token in re.split(r"(\s+)", text):
        if not token:
            continue
        cost = _escaped_len(token)
        if used + cost <= budget():
            current.append(token)
            used += cost
            continue
        flush()
        if token.isspace():
            continue
        while _escaped_len(token) > budget():  # one word longer than a whole text object
            head = token[: max(1, _fitting_prefix(token, budget()))]
            current = [head]
            flush()
            token = token[len(head) :]
        current, used = [token], _escaped_len(token)
    flush()
    return pieces


def _chunks(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _title_line(title: str | None) -> str:
    return bold(truncate(title, MAX_TITLE)) if title else ""


def _field_text(field: Field) -> str:
    label = bold(truncate(field.label, 100))
    value = escape(truncate(field.value or "—", MAX_FIELD_TEXT - len(label) - 1))
    return f"{label}\n{value}"


def atomise(section: Section) -> list[Section]:
    """Split one section into pieces that each render within every per-block limit (at most three blocks:
    text and fields, context, actions). Pieces are ordinary sections, so they can be stored as pages."""
    pieces = _text_pieces(section)
    contexts = split_text(section.context or "", MAX_TEXT)
    link = _openable(section.link)
    if section.link and link is None:  # not a link Slack can open: show it as text instead
        contexts.append(f"{section.link.label}: {section.link.url}")
    button_groups = _button_groups(section.buttons, link)
    last = pieces[-1]
    last.context = contexts[0] if contexts else None
    last.link = link
    last.buttons = button_groups[0]
    pieces.extend(Section(context=context, source_id=section.source_id) for context in contexts[1:])
    pieces.extend(Section(buttons=group, source_id=section.source_id) for group in button_groups[1:] if group)
    return pieces


def _text_pieces(section: Section) -> list[Section]:
    """The section's title, text and fields as pieces within the text and field limits; at least one."""
    title_cost = len(_title_line(section.title)) + 1 if section.title else 0
    texts = split_text(section.text, MAX_TEXT, first_limit=MAX_TEXT - title_cost)
    field_groups = _chunks(section.fields, MAX_FIELDS)
    count = max(len(texts), len(field_groups), 1)
    return [
        Section(
            title=section.title if index == 0 else None,
            text=texts[index] if index < len(texts) else "",
            fields=field_groups[index] if index < len(field_groups) else [],
            # Every piece still shows the document: a stored page leaves all of them out once it may no longer be shown.
            source_id=section.source_id,
        )
        for index in range(count)
    ]


def _openable(link: Link | None) -> Link | None:
    """The link when Slack can open it as a button (a safe URL of a length Slack accepts), else None."""
    return link if link and _SAFE_URL.match(link.url) and len(link.url) <= MAX_URL else None


def _button_groups(buttons: list[Button], link: Link | None) -> list[list[Button]]:
    """Buttons in groups of one actions block each; the first group leaves room for the link's button."""
    first_slots = MAX_ACTIONS - (1 if link else 0)
    return [buttons[:first_slots]] + _chunks(buttons[first_slots:], MAX_ACTIONS)


class ActionIds:
    """Action ids must be unique within a message: lh:cmd:0, lh:cmd:1, ..."""

    def __init__(self) -> None:
        self.count = 0

    def next(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}:{self.count}"


def _mrkdwn(text: str) -> dict:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str, limit: int) -> dict:
    return {"type": "plain_text", "text": truncate_plain(text, limit), "emoji": True}


def button_element(button: Button, ids: ActionIds) -> dict | None:
    if not button.command or len(button.command) > MAX_BUTTON_VALUE:
        return None  # a button that cannot carry its command would do nothing
    element = {
        "type": "button",
        "text": _plain(button.label or button.command, MAX_BUTTON_LABEL),
        "action_id": ids.next(COMMAND_ACTION),
        "value": button.command,
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def link_element(link: Link, ids: ActionIds) -> dict:
    return {
        "type": "button",
        "text": _plain(link.label or link.url, MAX_BUTTON_LABEL),
        "action_id": ids.next(LINK_ACTION),
        "url": link.url,
    }


def actions_blocks(buttons: list[Button], ids: ActionIds, link: Link | None = None) -> list[dict]:
    elements = [link_element(link, ids)] if link else []
    elements += [element for button in buttons if (element := button_element(button, ids)) is not None]
    return [{"type": "actions", "elements": group} for group in _chunks(elements, MAX_ACTIONS)]


def section_blocks(section: Section, ids: ActionIds) -> list[dict]:
    """Blocks for one atomised section."""
    main = _main_block(section)
    blocks: list[dict] = [main] if main else []
    if section.context and section.context.strip():
        blocks.append({"type": "context", "elements": [_mrkdwn(escape(section.context))]})
    blocks.extend(actions_blocks(section.buttons, ids, section.link))
    return blocks


def _main_block(section: Section) -> dict | None:
    """The section block with the title, text and fields; None when the section has none of them."""
    main = "\n".join(part for part in (_title_line(section.title), escape(section.text).strip("\n")) if part.strip())
    if not (main or section.fields):
        return None
    block: dict = {"type": "section"}
    if main:
        block["text"] = _mrkdwn(main)
    if section.fields:
        block["fields"] = [_mrkdwn(_field_text(field)) for field in section.fields]
    return block


def _head_blocks(reply: Reply) -> list[dict]:
    prefix = _TONE_PREFIX.get(reply.tone, "")
    pieces = split_text(reply.text, MAX_TEXT, first_limit=MAX_TEXT - len(prefix))
    return [
        {"type": "section", "text": _mrkdwn((prefix if index == 0 else "") + escape(piece))}
        for index, piece in enumerate(pieces)
    ]


def _with_divider(section: Section, first_on_page: bool) -> bool:
    # A titled section starts a new result; a divider sets it apart from the one before.
    return bool(section.title) and not first_on_page


def normalise(reply: Reply) -> Reply:
    """The same reply with every section atomised, an over-long text moved into sections, and runaway
    button lists cut (a command never needs a hundred buttons)."""
    sections = list(reply.sections)
    text = reply.text
    if _escaped_len(text) > MAX_HEAD_TEXT:
        sections.insert(0, Section(text=text))
        text = ""
    atoms = [atom for section in sections for atom in atomise(section)]
    return replace(reply, text=text, sections=atoms, buttons=reply.buttons[:MAX_REPLY_BUTTONS])


def blocks_for(reply: Reply) -> list[dict]:
    """All blocks of a normalised reply, in order (no limit on their number: see `plan_pages`)."""
    ids = ActionIds()
    blocks = _head_blocks(reply)
    for index, section in enumerate(reply.sections):
        if _with_divider(section, first_on_page=index == 0):
            blocks.append({"type": "divider"})
        blocks.extend(section_blocks(section, ids))
    blocks.extend(actions_blocks(reply.buttons, ids))
    return blocks


def _section_cost(section: Section, first_on_page: bool) -> int:
    return len(section_blocks(section, ActionIds())) + (1 if _with_divider(section, first_on_page) else 0)


def plan_pages(reply: Reply) -> list[list[Section]]:
    """How a normalised reply's sections fall into messages of at most 50 blocks.

    One page when everything fits. Otherwise the first page carries the reply's text and a "More" button,
    later pages a one-line "(page n of m)" text and either "More" or the reply's own buttons.
    """
    if len(blocks_for(reply)) <= MAX_BLOCKS:
        return [reply.sections]
    first_head = len(_head_blocks(replace(reply, text=f"{reply.text}\n(page 1 of 99)", sections=[], buttons=[])))
    tail = max(1, len(actions_blocks(reply.buttons, ActionIds())))
    pages: list[list[Section]] = []
    current: list[Section] = []
    used = first_head + 1  # the "More" button
    for section in reply.sections:
        cost = _section_cost(section, first_on_page=not current)
        if current and used + cost > MAX_BLOCKS:
            pages.append(current)
            current = []
            used = 1 + tail  # "(page n of m)" and the buttons below it
            cost = _section_cost(section, first_on_page=True)
        current.append(section)
        used += cost
    if current:
        pages.append(current)
    return pages


def fallback_text(reply: Reply) -> str:
    """The message's `text`: what notifications and screen readers show. Escaped like everything else."""
    candidates = [reply.text] + [part for section in reply.sections for part in (section.title, section.text)]
    first = next((text for text in candidates if text and text.strip()), "Lighthouse")
    return escape(truncate(" ".join(first.split()), MAX_FALLBACK))


@dataclass
class SlackMessage:
    text: str
    blocks: list[dict]


def render(reply: Reply) -> SlackMessage:
    """One message for a reply that fits (callers page it first with `plan_pages` when it does not)."""
    normalised = normalise(reply)
    return SlackMessage(text=fallback_text(normalised), blocks=blocks_for(normalised)[:MAX_BLOCKS])


# Blocks of a modal that are no field: why it opened, and why a submission was refused.
FORM_NOTE_BLOCK = "lh-note"
FORM_PROBLEM_BLOCK = "lh-problem"


def form_view(form: Form, metadata: dict) -> dict:
    """A modal for a core form. `metadata` (the form's command, its field names, where to answer) travels
    in private_metadata and comes back with the submission."""
    private_metadata = json.dumps(metadata, separators=(",", ":"))
    if len(private_metadata) > PRIVATE_METADATA:
        raise ValueError("form metadata is too long for a Slack modal")
    blocks = [{"type": "section", "block_id": FORM_NOTE_BLOCK, "text": _mrkdwn(escape(truncate(form.note, MAX_TEXT)))}] if form.note else []
    for form_field in form.fields[: MODAL_BLOCKS - len(blocks)]:
        element: dict = {
            "type": "plain_text_input",
            "action_id": FORM_INPUT,
            "multiline": form_field.multiline,
            "max_length": max(1, min(form_field.max_length, 3000)),
        }
        if form_field.value:  # Slack refuses the modal when the initial value is longer than max_length
            element["initial_value"] = form_field.value[: element["max_length"]]
        if form_field.placeholder:
            element["placeholder"] = _plain(form_field.placeholder, MODAL_PLACEHOLDER)
        blocks.append(
            {
                "type": "input",
                "block_id": form_field.name,
                "optional": not form_field.required,
                "label": _plain(form_field.label or form_field.name, MODAL_LABEL),
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "title": _plain(form.title or "Lighthouse", MODAL_TITLE),
        "submit": _plain(form.submit_label or "Submit", MODAL_TITLE),
        "close": _plain("Cancel", MODAL_TITLE),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def form_view_again(view: dict, problem: Reply) -> dict:
    """The submitted modal again (Slack's `response_action: update`), each field holding what was typed,
    with why the submission was refused above them."""
    typed = form_values(view)
    blocks = [_with_typed_value(block, typed) for block in view.get("blocks", []) if block.get("block_id") != FORM_PROBLEM_BLOCK]
    prefix = _TONE_PREFIX.get(problem.tone, "")
    shown = {"type": "section", "block_id": FORM_PROBLEM_BLOCK,
             "text": _mrkdwn(prefix + escape(truncate(problem.text, MAX_TEXT - len(prefix))))}
    kept = ("type", "callback_id", "title", "submit", "close", "private_metadata")
    return {**{key: view[key] for key in kept if key in view}, "blocks": [shown, *blocks]}


def _with_typed_value(block: dict, typed: dict[str, str]) -> dict:
    element = block.get("element")
    if element is None:
        return block
    element = {key: value for key, value in element.items() if key != "initial_value"}
    value = typed.get(block.get("block_id", ""))
    if value:
        element["initial_value"] = value[: element.get("max_length", 3000)]
    return {**block, "element": element}


def form_values(view: dict) -> dict[str, str]:
    """{field name: typed value} from a submitted modal's state."""
    values: dict[str, str] = {}
    for block_id, inputs in (view.get("state", {}).get("values") or {}).items():
        value = (inputs.get(FORM_INPUT) or {}).get("value")
        if value is not None:
            values[block_id] = value
    return values
