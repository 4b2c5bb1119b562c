"""Uncertain factors and their joint draws.

A **factor** is one unknown: the figures of the ``ranges`` table that share a factor name
rest on one assumption (one tariff estimate applied to thirty links, one assumed train
speed) and move together — each member is drawn at the same quantile of its own range —
while factors are independent of each other. Draws are quasi-random (scrambled Sobol'
points, :mod:`scipy.stats.qmc`), mapped to each range's uniform or triangular shape.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from corridor.costs import ASSUMPTION_SOURCES, Assumptions
from corridor.network.model import Network
from corridor.network.ranges import Range, RangeKey
from corridor.uncertainty.labels import factor_names

ASSUMPTIONS_TABLE = "assumptions"
"""Pseudo-table of model parameters that are not in the network (see :class:`Assumptions`)."""

CARRYING_RANGE = Range(
    ASSUMPTIONS_TABLE,
    "default",
    "carrying_pct_per_year",
    8.0,
    12.0,
    "uniform",
    "assumptions:carrying_pct_per_year",
    "the reference's own range 8–12 %/yr of cargo value (capital and insurance in transit): "
    + ASSUMPTION_SOURCES["carrying_pct_per_year"],
    (),
)
"""The in-transit carrying rate, an estimate that lives in :class:`Assumptions`."""


@dataclass(frozen=True)
class Factor:
    """One unknown and the figures it moves.

    Attributes
    ----------
    name : str
        The factor name of the ``ranges`` rows (``source:column`` for shared estimates,
        ``table/record/column`` for a figure alone).
    members : tuple of Range
        The figures, with their ranges.
    base : tuple of float
        Each member's figure as the tables state it.
    """

    name: str
    members: tuple[Range, ...]
    base: tuple[float, ...]
    name_en: str = ""
    name_ja: str = ""
    """What the estimate is and the figure it moves, for people (see
    :mod:`corridor.uncertainty.labels`); ``label`` keeps the ids."""

    @property
    def label(self) -> str:
        """Short description: what it is and how many figures it moves."""
        first = self.members[0]
        if first.table == ASSUMPTIONS_TABLE:
            return f"model assumption: {first.column} ({first.low:g}–{first.high:g})"
        what = f"{first.column} of {first.table}/{first.record}"
        if len(self.members) > 1:
            what = f"{first.column} of {len(self.members)} {first.table}"
        sources = "+".join(first.sources)
        return f"{sources}: {what}" if sources else what

    def values(self, u: np.ndarray) -> np.ndarray:
        """Member values at quantiles ``u`` (shape ``(n,)``): an array ``(n, members)``."""
        from scipy.stats import triang

        out = np.empty((u.shape[0], len(self.members)))
        for j, (r, x) in enumerate(zip(self.members, self.base, strict=True)):
            width = r.high - r.low
            if r.distribution == "triangular" and width > 0:
                out[:, j] = triang.ppf(u, (x - r.low) / width, loc=r.low, scale=width)
            else:
                out[:, j] = r.low + u * width
        return out


def figure_value(net: Network, a: Assumptions, key: RangeKey) -> float:
    """The figure at ``key`` as the model uses it."""
    table, record, column = key
    if table == ASSUMPTIONS_TABLE:
        return float(getattr(a, column))
    row = net.record(table, record)
    column, _, entry = column.partition(":")
    if entry:
        return float(getattr(row, column).get(entry, 1.0))
    if column.startswith("handling_usd_per_t_"):
        return float(row.handling_usd_per_t.get(column.rsplit("_", 1)[1], 0.0))
    value = getattr(row, column)
    return float(value) if value is not None else 0.0


def factors_for(
    net: Network,
    a: Assumptions,
    keys: Iterable[RangeKey],
    assumption_ranges: Iterable[Range] = (CARRYING_RANGE,),
) -> list[Factor]:
    """The factors that move any of ``keys``, with only those members.

    ``assumption_ranges`` are the ranges of model parameters outside the tables (by
    default the in-transit carrying rate).

    A range that no longer contains its figure (a scenario changed the figure) is left
    out: the figure is then taken as known.
    """
    wanted = set(keys)
    ranges = dict(net.ranges)
    ranges.update((r.key, r) for r in assumption_ranges)
    groups: dict[str, list[tuple[Range, float]]] = {}
    for key in sorted(wanted):
        r = ranges.get(key)
        if r is None or r.high <= r.low:
            continue
        if key[0] != ASSUMPTIONS_TABLE and not net.has(key[0], key[1]):
            continue  # the record is gone (a dated closure removed the link)
        x = figure_value(net, a, key)
        if not r.low <= x <= r.high:
            continue
        groups.setdefault(r.factor, []).append((r, x))
    out = []
    for name, members in sorted(groups.items()):
        first = members[0][0]
        names = factor_names(net, name, first.table, first.record, first.column,
                             tuple(first.sources), len(members) == 1)  # fmt: skip
        out.append(Factor(name, tuple(r for r, _ in members), tuple(x for _, x in members), *names))
    return out


def unit_draws(n: int, d: int, seed: int) -> np.ndarray:
    """``n`` scrambled Sobol' points in the unit cube of ``d`` dimensions.

    Drawn as the next power of two (where the sequence is balanced) and cut to ``n``.
    """
    from scipy.stats import qmc

    m = max(1, math.ceil(math.log2(max(n, 2))))
    return np.asarray(qmc.Sobol(d, scramble=True, seed=seed).random_base2(m)[:n])


def factor_values(factors: list[Factor], u: np.ndarray) -> dict[RangeKey, np.ndarray]:
    """Figure key -> its values at the quantiles ``u`` (shape ``(n, factors)``)."""
    out: dict[RangeKey, np.ndarray] = {}
    for j, f in enumerate(factors):
        vals = f.values(u[:, j])
        for k, r in enumerate(f.members):
            out[r.key] = vals[:, k]
    return out


def perturbed(
    net: Network, a: Assumptions, values: Mapping[RangeKey, float]
) -> tuple[Network, Assumptions]:
    """A copy of the network (and assumptions) with the figures at ``values`` replaced.

    The slow, exact way to evaluate one draw: everything downstream is rebuilt from it.
    """
    by_record: dict[tuple[str, str], dict[str, float]] = {}
    for (table, record, column), v in values.items():
        by_record.setdefault((table, record), {})[column] = float(v)
    changes: dict[str, dict[str, object]] = {}
    for (table, record), cols in by_record.items():
        if table == ASSUMPTIONS_TABLE:
            a = dataclasses.replace(a, **cols)  # type: ignore[arg-type]  # float fields only
            continue
        row = net.record(table, record)
        fields: dict[str, object] = {}
        handling = dict(getattr(row, "handling_usd_per_t", {}))
        for column, v in cols.items():
            name, _, entry = column.partition(":")
            if entry:
                entries: dict[str, float] = dict(fields.get(name) or getattr(row, name))  # type: ignore[arg-type]
                entries[entry] = v
                fields[name] = MappingProxyType(entries)
            elif column.startswith("handling_usd_per_t_"):
                handling[column.rsplit("_", 1)[1]] = v
                fields["handling_usd_per_t"] = MappingProxyType(handling)
            else:
                fields[column] = v
        changes.setdefault(table, {})[record] = dataclasses.replace(row, **fields)
    tables = {
        table: tuple(changed.get(r.id, r) for r in getattr(net, table))
        for table, changed in changes.items()
    }
    return dataclasses.replace(net, **tables), a  # type: ignore[arg-type]
