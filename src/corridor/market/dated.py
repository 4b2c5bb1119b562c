"""The network of each year: a year's route costs from the dated states in force in it.

A calibration year, a backtest year or a break-even year is priced on the network as it
stood then, not today's: the year is cut into the stretches over which the same set of
dated states (``states.csv``: the Red Sea closure from December 2023, Caspian low water
from 2024, the Caspian winter in November and December) holds, each stretch is priced on
the network of its first day, and the family costs are averaged with the stretches' lengths
as weights. A state that starts after the ``known_on`` date of a backtest was not known
then and is left out.

This module only cuts the year and averages; the pricing (``corridor.compare`` on
``network_on(day)``) is done one layer up, in :mod:`corridor.analysis.market`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from corridor.market.choice import FamilyCost
from corridor.network.model import State

CostsOf = Callable[[int, "dt.date | None"], Mapping[str, FamilyCost]]
"""``(year, known_on) -> family -> cost``: a year priced on its own network, with only the
states known on ``known_on`` (``None``: all)."""


@dataclass(frozen=True)
class Stretch:
    """Days of one year over which the same dated states hold."""

    first_day: dt.date
    days: int
    states: frozenset[str]


def known_states(states: Sequence[State], known_on: dt.date | None) -> tuple[State, ...]:
    """The states a forecaster on ``known_on`` knew of (those started by then)."""
    if known_on is None:
        return tuple(states)
    return tuple(s for s in states if s.start <= known_on)


def year_stretches(states: Sequence[State], year: int) -> list[Stretch]:
    """The year cut where the set of states in force changes, in order of first day."""
    day, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    first: dict[frozenset[str], dt.date] = {}
    days: dict[frozenset[str], int] = {}
    while day <= last:
        key = frozenset(s.id for s in states if s.holds_on(day))
        first.setdefault(key, day)
        days[key] = days.get(key, 0) + 1
        day += dt.timedelta(days=1)
    return [Stretch(first[k], days[k], k) for k in first]


def blend(parts: Sequence[tuple[float, Mapping[str, FamilyCost]]]) -> dict[str, FamilyCost]:
    """Day-weighted average of family costs priced on several networks of one year.

    A family missing from a stretch (no route while a state holds) is averaged over the
    stretches where it has one. Exposures are the union over the stretches (a regime on an
    exposure then applies for the share of the year it is in force, as before).
    """
    out: dict[str, FamilyCost] = {}
    families = dict.fromkeys(f for _, costs in parts for f in costs)
    for fam in families:
        got = [(w, c[fam]) for w, c in parts if fam in c]
        total = sum(w for w, _ in got)

        def avg(
            attr: str, got: list[tuple[float, FamilyCost]] = got, total: float = total
        ) -> float:
            return sum(w * float(getattr(fc, attr)) for w, fc in got) / total

        first = got[0][1]
        out[fam] = FamilyCost(
            fam,
            avg("cost_usd_per_t"),
            avg("days_mean"),
            avg("days_p95"),
            tuple(dict.fromkeys(e for _, fc in got for e in fc.exposures)),
            first.value_usd_per_t,
            avg("events_per_year"),
            avg("disrupted_days_per_year"),
        )
    return out


def same_every_year(base: Mapping[str, FamilyCost] | CostsOf) -> CostsOf:
    """``base`` as a :data:`CostsOf`: a fixed table of costs is the same in every year."""
    if callable(base):
        return base
    fixed = dict(base)

    def costs(year: int, known_on: dt.date | None = None) -> Mapping[str, FamilyCost]:
        return fixed

    return costs
