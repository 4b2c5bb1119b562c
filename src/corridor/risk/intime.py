"""Dated closures against a plan, deterministically: the what-if in time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corridor.risk.allocation import Allocation
from corridor.risk.calendar import DEFAULT_STOCK_DAYS, Closure
from corridor.risk.timeline import TimedResult, simulate_year, timed_plan


def closures_in_time(
    allocation: Allocation,
    closures: Sequence[Closure],
    *,
    stock_days: float = DEFAULT_STOCK_DAYS,
) -> TimedResult:
    """Late and undelivered tonnes, stock-out days and extra cost of dated closures.

    Parameters
    ----------
    allocation : Allocation
        The plan or volume put on routes (on the network before the closures).
    closures : sequence of Closure
        Dated closures (:func:`corridor.risk.calendar.closures_of` turns a scenario's
        ``close`` edits into them).
    stock_days : float
        The buyer's safety stock in days of consumption, for every contract.
    """
    return simulate_year(timed_plan(allocation, stock_days=stock_days), closures)


def in_time_dict(
    result: TimedResult, closures: Sequence[Closure], stock_days: float
) -> dict[str, Any]:
    """The JSON block of ``corridor whatif`` for the closures in time."""
    return {
        "stock_days": stock_days,
        "closures": [
            {"targets": sorted(c.targets), "start_day": c.start_day + 1, "days": c.days}
            for c in closures
        ],
        **result.to_dict(),
        "rules": "docs/risk.md#disruptions-in-time",
    }
