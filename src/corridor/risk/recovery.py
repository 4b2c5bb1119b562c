"""Friction of recovery: switching lead times, the spot premium and other users' traffic.

The figures live in ``data/risk_recovery.csv``; every row names its rows of
``data/sources.csv`` (estimates carry a low–high range and their derivation there).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from corridor.errors import RequestError


@dataclass(frozen=True)
class Figure:
    """One figure with its range and provenance."""

    value: float
    low: float
    high: float
    sources: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Background:
    """Other traffic on a capacity, and where it goes when that capacity closes.

    ``spills_to`` lists capacity ids in the order the displaced traffic tries them.
    """

    capacity: str
    used_t_per_year: Figure
    spills_to: tuple[str, ...]


@dataclass(frozen=True)
class Recovery:
    """Lead times by cargo class and target family, the spot premium, background traffic."""

    lead_times: dict[tuple[str, str], Figure]
    spot_premium: Figure
    background: dict[str, Background] = field(default_factory=dict)

    def lead_days(self, cargo_class: str, family: str) -> float:
        """Days before the first departure on a route the plan does not use yet."""
        group = "class7" if cargo_class == "class7" else "general"
        for key in ((group, family), (group, "*")):
            if key in self.lead_times:
                return self.lead_times[key].value
        raise RequestError(f"risk_recovery.csv has no lead time for {group} cargo to {family}")


def load_recovery(text: str | None = None) -> Recovery:
    """Read ``risk_recovery.csv`` (the bundled one unless ``text`` is given).

    Raises
    ------
    RequestError
        A row with an unknown kind or a value that is not a non-negative number, named by
        its line.
    """
    if text is None:
        text = resources.files("corridor").joinpath("data/risk_recovery.csv").read_text("utf-8")
    lead: dict[tuple[str, str], Figure] = {}
    premium: Figure | None = None
    background: dict[str, Background] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        figure = _figure(row, line)
        kind = row.get("kind", "")
        if kind == "lead_time":
            lead[row["key"], row["to"]] = figure
        elif kind == "spot_premium":
            premium = figure
        elif kind == "background":
            spills = tuple(x for x in (row.get("to") or "").split("|") if x)
            background[row["key"]] = Background(row["key"], figure, spills)
        else:
            raise RequestError(f"risk_recovery.csv line {line}, kind: unknown kind '{kind}'")
    if premium is None:
        raise RequestError("risk_recovery.csv: no spot_premium row")
    return Recovery(lead, premium, background)


def _figure(row: dict[str, str], line: int) -> Figure:
    return read_figure(
        row, line, "risk_recovery.csv", lambda v: v >= 0 and v != float("inf"), "≥ 0 and finite"
    )


def read_figure(
    row: dict[str, str],
    line: int,
    file: str,
    valid: Callable[[float], bool],
    bound: str,
) -> Figure:
    """A row's ``value``, ``low``, ``high``, ``sources`` and ``note`` as a :class:`Figure`;
    a cell that is not a number, or fails ``valid``, is an error naming ``file``, the line
    and the column (the message says the value "must be {bound}")."""
    values = []
    for name in ("value", "low", "high"):
        try:
            v = float(row.get(name) or "")
        except ValueError:
            raise RequestError(
                f"{file} line {line}, {name}: '{row.get(name)}' is not a number"
            ) from None
        if not valid(v):
            raise RequestError(f"{file} line {line}, {name}: must be {bound}")
        values.append(v)
    sources = tuple(x for x in (row.get("sources") or "").split("+") if x)
    if not sources:
        raise RequestError(f"{file} line {line}, sources: no source given")
    return Figure(values[0], values[1], values[2], sources, row.get("note") or "")
