"""Slack's published Block Kit limits, checked on whatever the adapter sends (shared by the Slack tests)."""

from __future__ import annotations

from collections.abc import Iterator

from slack_sdk.models.blocks import Block

LIMITS = {
    "blocks": 50,
    "text": 3000,
    "fields": 10,
    "field_text": 2000,
    "actions": 25,
    "button_label": 75,
    "button_value": 2000,
    "context_elements": 10,
}


def text_objects(node: object) -> Iterator[dict]:
    if isinstance(node, dict):
        if node.get("type") in ("mrkdwn", "plain_text") and "text" in node:
            yield node
        for value in node.values():
            yield from text_objects(value)
    elif isinstance(node, list):
        for item in node:
            yield from text_objects(item)


def limit_problems(blocks: list[dict]) -> list[str]:
    problems = []
    if len(blocks) > LIMITS["blocks"]:
        problems.append(f"{len(blocks)} blocks")
    action_ids = []
    for block in blocks:
        try:
            Block.parse(block).validate_json()  # slack_sdk's own checks, where it has them
        except Exception as exc:  # noqa: BLE001 - report every kind of refusal
            problems.append(f"slack_sdk: {exc}")
        for text in text_objects(block):
            if not 1 <= len(text["text"]) <= LIMITS["text"]:
                problems.append(f"text of {len(text['text'])} characters")
        for field in block.get("fields", []):
            if len(field["text"]) > LIMITS["field_text"]:
                problems.append(f"field of {len(field['text'])} characters")
        if len(block.get("fields", [])) > LIMITS["fields"]:
            problems.append(f"{len(block['fields'])} fields")
        if block["type"] == "actions" and len(block["elements"]) > LIMITS["actions"]:
            problems.append(f"{len(block['elements'])} actions")
        if block["type"] == "context" and len(block["elements"]) > LIMITS["context_elements"]:
            problems.append(f"{len(block['elements'])} context elements")
        for element in block.get("elements", []):
            if element.get("type") == "button":
                action_ids.append(element["action_id"])
                if len(element["text"]["text"]) > LIMITS["button_label"]:
                    problems.append(f"button label of {len(element['text']['text'])} characters")
                if len(element.get("value", "")) > LIMITS["button_value"]:
                    problems.append("button value too long")
    if len(action_ids) != len(set(action_ids)):
        problems.append("repeated action_id")
    return problems


def mrkdwn_strings(message: dict) -> list[str]:
    """Every string Slack parses as mrkdwn in a posted message: the fallback text and mrkdwn objects."""
    strings = [message.get("text") or ""]
    strings += [t["text"] for t in text_objects(message.get("blocks") or []) if t["type"] == "mrkdwn"]
    return strings


def visible_text(message: dict) -> str:
    return "\n".join(t["text"] for t in text_objects(message.get("blocks") or []))


def buttons(message: dict) -> list[dict]:
    return [
        element for block in message.get("blocks") or [] if block["type"] == "actions" for element in block["elements"]
    ]
