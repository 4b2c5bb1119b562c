"""The ``ranges`` table: a low and a high for figures of the other tables.

One row per figure (table, record id, column): the range an expert would not be surprised
to see the true value in, its shape, the unknown it belongs to (figures resting on one
assumption move together) and how it was derived. The loader checks every row here and
keeps the table as a typed mapping on the :class:`~corridor.network.Network`;
:mod:`corridor.uncertainty` draws from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from corridor.errors import Problem
from corridor.i18n import Message
from corridor.network.schema import TABLES, schema

RANGES_TABLE = "ranges"

RangeKey = tuple[str, str, str]
"""(table, record id, column) of one figure."""


@dataclass(frozen=True)
class Range:
    """Plausible values of one figure.

    Attributes
    ----------
    table, record, column : str
        Where the figure is.
    low, high : float
        Inclusive bounds, in the unit of the figure; they contain the figure itself.
    distribution : str
        ``uniform`` between the bounds, or ``triangular`` peaking at the figure.
    factor : str
        The unknown the figure belongs to: figures with one factor are drawn together (at
        the same quantile of their own ranges).
    method : str
        How the range was derived.
    sources : tuple of str
        Source ids giving or justifying the range.
    """

    table: str
    record: str
    column: str
    low: float
    high: float
    distribution: str
    factor: str
    method: str
    sources: tuple[str, ...]

    @property
    def key(self) -> RangeKey:
        return (self.table, self.record, self.column)


class _TableRow(Protocol):
    file: str
    line: int
    values: dict[str, Any]
    raw: dict[str, str]


def range_key(values: Mapping[str, Any]) -> RangeKey | None:
    """The figure a parsed ``ranges`` row is about (None if a part is missing)."""
    key = (values.get("table"), values.get("record"), values.get("column"))
    if not all(isinstance(k, str) for k in key):
        return None
    return (str(key[0]), str(key[1]), str(key[2]))


R = TypeVar("R", bound=_TableRow)


def drop_replaced_ranges(rows: Mapping[str, Sequence[R]]) -> list[R]:
    """The ``ranges`` rows whose figure still rests on the estimate they describe.

    An overlay may replace an estimated figure by one from other sources (a dwell computed by
    the simulation, say); the estimate's range then no longer describes it and is dropped,
    rather than refusing the overlay. A figure that still cites the range's sources keeps it,
    and is checked against it.
    """
    by_id = {t: {r.values.get("id"): r for r in rows.get(t, ())} for t in TABLES}
    kept = []
    for r in rows.get(RANGES_TABLE, ()):
        key = range_key(r.values)
        target = by_id.get(key[0], {}).get(key[1]) if key else None
        if target is not None and key is not None:
            cited = target.values.get("_provenance", {}).get(key[2].partition(":")[0])
            if cited is not None and not set(cited) & set(r.values.get("sources") or ()):
                continue
        kept.append(r)
    return kept


def check_ranges(rows: Mapping[str, Sequence[_TableRow]], problems: list[Problem]) -> None:
    """Add a problem for every ``ranges`` row that names no figure or does not contain it."""
    by_id = {t: {r.values.get("id"): r for r in rows.get(t, ())} for t in TABLES}
    sources = set(by_id["sources"])
    seen: dict[RangeKey, int] = {}
    for r in rows.get(RANGES_TABLE, ()):
        for sid in r.values.get("sources") or ():
            if sid not in sources:
                what = Message("prob_not_an_id", id=sid, where="sources.csv")
                problems.append(Problem(r.file, r.line, "sources", what))
        key = range_key(r.values)
        low, high = r.values.get("low"), r.values.get("high")
        if key is None or low is None or high is None:
            continue  # the cell errors are already listed
        if key in seen:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "column",
                    Message("prob_second_range", figure="/".join(key), row=seen[key]),
                )
            )
        seen[key] = r.line
        if low > high:
            what = Message("prob_high_below_low", high=f"{high:g}", low=f"{low:g}")
            problems.append(Problem(r.file, r.line, "high", what))
        _check_figure(r, key, float(low), float(high), by_id, problems)


def _check_figure(
    r: _TableRow,
    key: RangeKey,
    low: float,
    high: float,
    by_id: Mapping[str, Mapping[Any, _TableRow]],
    problems: list[Problem],
) -> None:
    table, record, column = key
    target = by_id[table].get(record)
    if target is None:
        what = Message("prob_not_an_id", id=record, where=f"{table}.csv")
        problems.append(Problem(r.file, r.line, "record", what))
        return
    cols = {c.name: c for c in schema()[table] if c.sourced}
    column, _, entry = column.partition(":")
    if column not in cols:
        allowed = ", ".join(cols) or Message("prob_none")
        problems.append(
            Problem(
                r.file,
                r.line,
                "column",
                Message("prob_not_figure", column=column, table=table, allowed=allowed),
            )
        )
        return
    value = target.values.get(column)
    if entry and isinstance(value, str):
        value = map_entries(value).get(entry)
    if target.raw.get(column, "") == "" or not isinstance(value, int | float):
        problems.append(
            Problem(
                r.file,
                r.line,
                "column",
                Message("prob_no_figure", table=table, record=record, column=column),
            )
        )
        return
    lo_bound, hi_bound = cols[column].bounds
    for name, bound in (("low", low), ("high", high)):
        if (lo_bound is not None and bound < lo_bound) or (
            hi_bound is not None and bound > hi_bound
        ):
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    name,
                    Message("prob_outside", bound=f"{bound:g}", allowed=cols[column].allowed),
                )
            )
    slack = 1e-9 * max(1.0, abs(value))
    if not low - slack <= value <= high + slack:
        problems.append(
            Problem(
                r.file,
                r.line,
                "low" if value < low else "high",
                Message(
                    "prob_range_misses",
                    low=f"{low:g}",
                    high=f"{high:g}",
                    value=f"{value:g}",
                    table=table,
                    record=record,
                    column=column,
                    row=target.line,
                ),
            )
        )


def map_entries(cell: str) -> dict[str, float]:
    """The numbers of a ``KEY=number|KEY=number`` cell (a figure per key, e.g. a multiple per
    country); a range names one of them as ``column:KEY``."""
    out: dict[str, float] = {}
    for part in (p.strip() for p in cell.split("|")):
        key, _, number = part.partition("=")
        try:
            out[key.strip()] = float(number)
        except ValueError:
            continue
    return out


def build_ranges(rows: Sequence[_TableRow]) -> Mapping[RangeKey, Range]:
    """The checked ``ranges`` rows as an immutable mapping by figure."""
    out: dict[RangeKey, Range] = {}
    for r in rows:
        v = r.values
        key = range_key(v)
        assert key is not None
        low, high = float(v["low"]), float(v["high"])
        assert math.isfinite(low) and math.isfinite(high)
        out[key] = Range(
            *key,
            low,
            high,
            v.get("distribution") or "uniform",
            v.get("factor") or "/".join(key),
            v["method"],
            tuple(v.get("sources") or ()),
        )
    return MappingProxyType(out)
