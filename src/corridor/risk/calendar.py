"""The calendar of a simulated year: shipping schedules and dated closures.

A year is 365 days, day 0 being 1 January. A contract ships its annual volume in lots on a
:class:`Schedule`; a :class:`Closure` is a dated interval during which a share of the
capacity of what it names (an exposure, a link or a node) is lost. A closure that starts
late in a year runs into the next: the horizon of a year's shipments is two years.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from corridor.errors import RequestError
from corridor.network.scenario import Edit
from corridor.risk._common import DAYS, FloatArray

SCHEDULES = ("even", "monthly", "lots")
DEFAULT_STOCK_DAYS = 30.0
"""Safety stock at the buyer, in days of consumption, when a contract gives none: about a
month of cover, a common target for imported industrial inputs (an assumption, user-set)."""
CLASS7_LOTS_PER_YEAR = 4
"""Class-7 cargo moves in a few chartered consolidated lots a year (wnn_titr_uranium_2022:
material is consolidated at Poti before a chartered sailing); 4 a year is an estimate."""


@dataclass(frozen=True)
class Schedule:
    """When a contract's tonnes leave the origin.

    ``even``: one lot a day; ``monthly``: 12 lots; ``lots``: ``lots_per_year`` equal lots
    at even intervals (class-7 charters: few and large).
    """

    kind: str = "even"
    lots_per_year: int = 365

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULES:
            raise RequestError(f"schedule must be one of {', '.join(SCHEDULES)}, not {self.kind}")
        if not 1 <= self.lots_per_year <= 365:
            raise RequestError(f"lots per year must be between 1 and 365, not {self.lots_per_year}")

    @classmethod
    def default(cls, cargo_class: str) -> Schedule:
        """Class-7 cargo in a few charter lots; everything else evenly."""
        if cargo_class == "class7":
            return cls("lots", CLASS7_LOTS_PER_YEAR)
        return cls("even", 365)

    def lots(self, volume_t_per_year: float) -> tuple[FloatArray, FloatArray]:
        """Departure days and tonnes of the year's lots."""
        n = {"even": 365, "monthly": 12}.get(self.kind, self.lots_per_year)
        days = np.floor(np.arange(n) * DAYS / n)
        return days, np.full(n, volume_t_per_year / n)


@dataclass(frozen=True)
class Closure:
    """A dated interruption: from ``start_day`` for ``days`` days, ``capacity_loss`` of
    the capacity of every target is lost; tonnes still passing wait ``delay_days`` more and
    pay ``surcharge_usd_per_t``."""

    targets: frozenset[str]
    start_day: float
    days: float
    capacity_loss: float = 1.0
    delay_days: float = 0.0
    surcharge_usd_per_t: float = 0.0
    label: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.start_day < DAYS:
            raise RequestError(f"a closure starts on a day of the year 0–364, not {self.start_day}")
        if not 0 < self.days <= 2 * DAYS:
            raise RequestError(f"a closure lasts more than 0 and at most 730 days, not {self.days}")
        if not 0 <= self.capacity_loss <= 1:
            raise RequestError(f"capacity loss is a share in [0, 1], not {self.capacity_loss}")

    @property
    def end_day(self) -> float:
        return self.start_day + self.days

    def active(self, day: float) -> bool:
        return self.start_day <= day < self.end_day


def closures_of(edits: Sequence[Edit]) -> tuple[Closure, ...]:
    """The scenario's ``close`` edits as dated closures (from 1 January if no ``from``)."""
    return tuple(
        Closure(
            frozenset({e.target}),
            e.from_day if e.from_day is not None else 0.0,
            e.days if e.days is not None else DAYS,
            label=e.describe(),
        )
        for e in edits
        if e.action == "close"
    )
