"""Friction of recovery: switching lead times, the spot premium and other users' traffic.

The figures are the network's ``risk_recovery`` table (``risk_recovery.csv``, loaded,
overlaid and checked with the other tables by :func:`corridor.network.load.load_network`);
every row names its rows of ``sources.csv`` and carries a low–high range.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corridor.errors import RequestError
from corridor.network.model import Network, RecoverTimeRow, RecoveryRow


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


def recovery_of(net: Network) -> Recovery:
    """The recovery figures of ``net``'s ``risk_recovery`` table (built once per network).

    Raises
    ------
    RequestError
        The network's tables have no ``risk_recovery`` rows.
    """
    return net.derived.get(("risk-recovery",), lambda: _recovery(net.risk_recovery))


def figure(row: RecoveryRow | RecoverTimeRow) -> Figure:
    """A table row's value with its range and the sources of its value."""
    return Figure(row.value, row.low, row.high, row.sources.get("value", ()), row.note)


def _recovery(rows: tuple[RecoveryRow, ...]) -> Recovery:
    if not rows:
        raise RequestError(
            "the network's tables have no risk_recovery.csv: recovery in time needs its lead "
            "times, spot premium and other users' traffic"
        )
    lead: dict[tuple[str, str], Figure] = {}
    background: dict[str, Background] = {}
    premium = None
    for row in rows:
        if row.kind == "lead_time":
            lead[row.key, row.to[0] if row.to else "*"] = figure(row)
        elif row.kind == "spot_premium":
            premium = figure(row)
        else:
            background[row.key] = Background(row.key, figure(row), row.to)
    if premium is None:  # the loader refuses a table without one
        raise RequestError("risk_recovery.csv: no spot_premium row")
    return Recovery(lead, premium, background)
