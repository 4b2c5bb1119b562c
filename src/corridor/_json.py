"""Plain data for JSON: one conversion for the run store, the CLI and the web API."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

isfinite = math.isfinite

_LEAVES = (str, int, bool, type(None))
_MAPPINGS = (dict, MappingProxyType)
_SEQUENCES = (list, tuple)


def plain(value: Any) -> Any:
    """Mappings to dicts with string keys, sequences to lists, sets to sorted lists,
    dataclasses to dicts, dates to ISO text and non-finite floats to their text, recursively."""
    kind = type(value)
    if kind in _LEAVES:
        return value  # the commonest, first (a network's data version reads every cell)
    if kind is float:
        return value if math.isfinite(value) else repr(value)
    # Exactly these types first, and members that are leaves without a call: what the
    # general branches below make of them, faster (most cells of a table are leaves).
    if kind in _SEQUENCES:
        return [
            v if (t := type(v)) in _LEAVES or (t is float and isfinite(v)) else plain(v)
            for v in value
        ]
    if kind in _MAPPINGS:
        return {
            str(k): v if (t := type(v)) in _LEAVES or (t is float and isfinite(v)) else plain(v)
            for k, v in value.items()
        }
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if hasattr(value, "__dataclass_fields__"):
        return plain(vars(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal inputs give equal text."""
    return _CANONICAL.encode(plain(value))
