"""Plain data for JSON (corridor._json): what each kind of value becomes, and the same
text as the general conversion for the exact types its fast paths take."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from corridor._json import canonical_json, plain


class Text(str):
    pass


@dataclass(frozen=True)
class Row:
    id: str
    when: dt.date
    shape: tuple[tuple[float, float], ...]
    by: MappingProxyType[Any, Any]


def test_each_kind_of_value():
    row = Row(
        "r1",
        dt.date(2025, 12, 20),
        ((1.5, math.inf), (-0.0, 2.0)),
        MappingProxyType({1: (True, None), "x": {"y": [math.nan, 3]}}),
    )
    assert plain(row) == {
        "id": "r1",
        "when": "2025-12-20",
        "shape": [[1.5, "inf"], [-0.0, 2.0]],
        "by": {"1": [True, None], "x": {"y": ["nan", 3]}},
    }
    assert plain({frozenset({"b", "a"}), 2}) in ([2, ["a", "b"]], [["a", "b"], 2])
    assert plain((Text("t"), -math.inf)) == ["t", "-inf"]
    assert canonical_json({"b": (1.0, 2), "a": "é"}) == '{"a":"é","b":[1.0,2]}'


def _general(value: Any) -> Any:
    """The general branches alone: any mapping, sequence, set, dataclass, date or float."""
    if isinstance(value, dict | MappingProxyType):
        return {str(k): _general(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_general(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value


leaves = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=3), st.builds(Text)
)
values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.one_of(st.text(max_size=2), st.integers()), inner, max_size=4),
        st.dictionaries(st.text(max_size=2), inner, max_size=3).map(MappingProxyType),
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(values)
def test_fast_paths_give_the_general_conversion(value):
    assert plain(value) == _general(value)
    want = json.dumps(_general(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == want
