"""PyYAML, read within `ReadLimits` (knowledge/sources.py): imported only when a knowledge file is read, so
a bot that only searches never loads it."""

from __future__ import annotations

from typing import Any

import yaml

from knowledge.sources import ReadLimits, _OverLimit, _too_deep, _too_many

__all__ = ["load_yaml", "yaml", "yaml_problem"]


def yaml_problem(exc: Exception) -> str:
    """What went wrong, with its line when PyYAML says it (anything else it raised: its message)."""
    if not isinstance(exc, yaml.YAMLError):
        return str(exc) or exc.__class__.__name__
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "syntax error"
    return f"{problem} at line {mark.line + 1}" if mark is not None else str(problem)


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a document over the limits while it is composed.

    Every node's size (values, counting each alias as the whole subtree it stands for) and depth are
    known once it is composed, so an alias bomb is refused after a few hundred nodes rather than expanded
    into gigabytes later (by `str()`, say), and deep nesting is refused long before Python's recursion
    limit. An alias to a node that contains itself is refused too.
    """

    def __init__(self, stream: str, limits: ReadLimits) -> None:
        super().__init__(stream)
        self.limits = limits
        self._level = 0
        self._shape: dict[int, tuple[int, int]] = {}  # id(node) -> (values, depth), once composed

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            target = self.anchors.get(self.peek_event().anchor)
            if target is not None and id(target) not in self._shape:
                raise _OverLimit("has an alias inside the value it names (a recursive structure)")
            return super().compose_node(parent, index)  # its shape is known: counted by the parent
        self._level += 1
        if self._level > self.limits.max_depth:
            raise _too_deep(self.limits)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._level -= 1
        self._shape[id(node)] = self._checked_shape(node)
        return node

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (yaml.YAMLError, _OverLimit):
            raise
        except Exception as exc:  # noqa: BLE001 - only PyYAML's constructors run here
            # PyYAML builds a value it cannot make sense of into a plain error (`2024-02-30`: ValueError,
            # `!!bool maybe`: KeyError); as a YAML error it names the value and its line.
            raise yaml.constructor.ConstructorError(problem=_unbuildable(node, exc)) from None

    def _checked_shape(self, node: yaml.Node) -> tuple[int, int]:
        """(values, depth) of a composed node, from its children's; _OverLimit when over a limit."""
        children = [self._shape[id(child)] for child in _children(node)]
        values = 1 + sum(count for count, _ in children)
        depth = 1 + max((level for _, level in children), default=0)
        if values > self.limits.max_values:
            raise _too_many(self.limits)
        if depth > self.limits.max_depth:
            raise _too_deep(self.limits)
        return values, depth


# What a value of a YAML type is called in a problem.
_TYPE_NAMES = {"timestamp": "date", "int": "whole number", "float": "number", "bool": "yes/no value"}


def _unbuildable(node: yaml.Node, exc: Exception) -> str:
    """Which value could not be built, as what, and (for a ValueError, whose message says it) why."""
    type_name = node.tag.rsplit(":", 1)[-1]
    shown = f"“{node.value[:40]}”" if isinstance(node, yaml.ScalarNode) else "the value"
    why = f": {exc}" if isinstance(exc, ValueError) else ""
    return f"{shown} on line {node.start_mark.line + 1} is not a valid {_TYPE_NAMES.get(type_name, type_name)}{why}"


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def load_yaml(text: str, limits: ReadLimits) -> Any:
    loader = _BoundedLoader(text, limits)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


