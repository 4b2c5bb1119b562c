"""YAML with line numbers, for the files people write by hand (contracts, scenarios).

Loading is safe (:class:`yaml.SafeLoader`); every mapping comes back as a
:class:`LinedMap` that remembers the line of each key and any key given twice, so that a
problem in the file can be reported at its line.

Loading is also bounded, because these files come from users: at most :data:`MAX_CHARS`
characters, :data:`MAX_DEPTH` levels of nesting (PyYAML composes recursively, so 5,000 nested
brackets would otherwise end in a RecursionError), :data:`MAX_ALIASES` aliases, and
:data:`MAX_NODES` values once aliases are expanded (an "alias bomb" of a kilobyte expands to
billions of values, which every later walk over the document would visit). A file beyond a
limit is a YAML error at its line, like a syntax error.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, SequenceNode

from corridor.i18n import Message

MAX_CHARS = 2_000_000
"""Largest YAML text read (a contracts file of thousands of contracts is far smaller)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and lists."""
MAX_ALIASES = 1_000
"""Most aliases (``*name``) in one document."""
MAX_NODES = 200_000
"""Most values in the document with every alias expanded."""


class LinedMap(dict[str, Any]):
    """A YAML mapping that remembers its line, the line of each of its keys and the keys
    it was given more than once."""

    line: int = 0
    lines: dict[str, int]
    duplicates: list[str]


class _Loader(yaml.SafeLoader):
    """Safe YAML loader whose mappings are :class:`LinedMap`, with bounded nesting and
    aliases."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise ComposerError(None, None, f"more than {MAX_ALIASES:,} aliases", mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep", mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LinedMap:
    loader.flatten_mapping(node)
    out = LinedMap()
    out.line = node.start_mark.line + 1
    out.lines, out.duplicates = {}, []
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in out:
            out.duplicates.append(key)
        out.lines[key] = key_node.start_mark.line + 1
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def load(text: str) -> Any:
    """Parse YAML text safely, mappings as :class:`LinedMap`, within the limits above.

    Raises
    ------
    yaml.YAMLError
        Not valid YAML, or beyond a limit (the message says which, at its line).
    """
    if len(text) > MAX_CHARS:
        raise yaml.YAMLError(f"the file is larger than {MAX_CHARS:,} characters")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expanded_size(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _check_expanded_size(root: Node) -> None:
    """Raise if the document holds more than :data:`MAX_NODES` values with aliases expanded,
    or an alias inside itself (a document that never ends). Each distinct node is sized
    once, so the check is linear in the file, not in the expansion."""
    size: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            if size[key] > MAX_NODES:
                raise ComposerError(
                    None,
                    None,
                    f"more than {MAX_NODES:,} values once its aliases are expanded",
                    node.start_mark,
                )
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise ComposerError(
                None, None, "an alias refers to a value it is part of", node.start_mark
            )
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


def where_wrong(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line (1-based, if known) and a message for a YAML syntax error."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = ", ".join(
        str(x) for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x
    )
    return line, Message("prob_not_yaml", reason=what or str(exc))
