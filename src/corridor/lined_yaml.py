"""YAML with line numbers, for the files people write by hand (contracts, scenarios).

Loading is safe (:class:`yaml.SafeLoader`); every mapping comes back as a
:class:`LinedMap` that remembers the line of each key and any key given twice, so that a
problem in the file can be reported at its line.
"""

from __future__ import annotations

from typing import Any

import yaml


class LinedMap(dict[str, Any]):
    """A YAML mapping that remembers its line, the line of each of its keys and the keys
    it was given more than once."""

    line: int = 0
    lines: dict[str, int]
    duplicates: list[str]


class _Loader(yaml.SafeLoader):
    """Safe YAML loader whose mappings are :class:`LinedMap`."""


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
    """Parse YAML text safely, mappings as :class:`LinedMap`; raises :class:`yaml.YAMLError`."""
    return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass


def where_wrong(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line (1-based, if known) and a message for a YAML syntax error."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = ", ".join(
        str(x) for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x
    )
    return line, f"not valid YAML: {what or exc}"
