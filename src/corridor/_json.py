"""Plain data for JSON: one conversion for the run store, the CLI and the web API."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from typing import Any


def plain(value: Any) -> Any:
    """Mappings to dicts with string keys, sequences to lists, sets to sorted lists,
    dataclasses to dicts, dates to ISO text and non-finite floats to their text, recursively."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value  # the commonest, first (a network's data version reads every cell)
    if kind is float:
        return value if math.isfinite(value) else repr(value)
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


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces: equal inputs give equal text."""
    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
