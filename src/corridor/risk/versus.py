"""Two plans stressed in time on the same simulated years, as one storable run.

:func:`compare_in_time` runs :func:`corridor.risk.intime_stress.stress_in_time` on both
allocations with the same seed and stock and keeps the quotable sentence of
:func:`~corridor.risk.intime_stress.comparison_sentence` (which plan protects more, by how
much, and the events that make the difference), so that the comparison is saved in the run
store like any other run (kind ``stress_versus``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from corridor.errors import RequestError
from corridor.risk.allocation import Allocation
from corridor.risk.calendar import DEFAULT_STOCK_DAYS
from corridor.risk.intime_stress import (
    DEFAULT_YEARS,
    InTimeStress,
    comparison_sentence,
    relevant_events,
    stress_in_time,
)
from corridor.risk.runner import Announce, check_workers, dask_client
from corridor.risk.timeline import timed_plan

if TYPE_CHECKING:
    from distributed import Client

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class VersusResult:
    """Two plans in time, the sentence that compares them, and what the store needs."""

    first: Allocation
    second: Allocation
    results: tuple[InTimeStress, InTimeStress]
    summary: str
    seconds: float
    data_version: str
    scenario: str = ""
    notes: tuple[str, ...] = ()
    kind: str = "stress_versus"

    @property
    def parameters(self) -> dict[str, Any]:
        a = self.results[0]
        return {
            "plans": [self.first.to_dict(), self.second.to_dict()],
            "years": a.years,
            "seed": a.seed,
            "stock_days": a.stock_days,
            "scenario": self.scenario,
        }

    def headline(self) -> dict[str, float | None]:
        a, b = (r.mean("stockout_days") for r in self.results)
        return {
            "stockout_days_a": a,
            "stockout_days_b": b,
            "stockout_days_fewer": abs(a - b),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "kind": self.kind,
            "parameters": self.parameters,
            "plans": [r.to_dict() for r in self.results],
            "summary": self.summary,
            "notes": list(self.notes),
            "seconds": self.seconds,
            "definitions": "docs/risk.md#two-plans-in-time",
            "data_version": self.data_version,
        }

    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """None apart: both plans' figures and per-event parts are in the stored result."""
        return {}


def compare_in_time(
    first: Allocation,
    second: Allocation,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    stock_days: float = DEFAULT_STOCK_DAYS,
    scenario: str = "",
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    dashboard: Announce | None = None,
) -> VersusResult:
    """Stress both plans in time on the same years and say which protects the buyer more.

    Parameters
    ----------
    first, second : Allocation
        The plans, on the same network.
    years, seed : int
        Simulated years and the seed (the same for both: the same event occurrences).
    stock_days : float
        Buyer's safety stock in days of consumption for contracts that give none.
    scenario : str
        Name of a scenario applied to the network (recorded).
    progress : callable, optional
        Called with (plan index, years done).
    workers, scheduler, client, dashboard
        Run on Dask, as :func:`corridor.risk.runner.run` (one cluster for both plans; the
        same numbers as in one process).

    Raises
    ------
    RequestError
        A stock outside 0–3650 days, or plans on different networks.
    """
    if not 0 <= stock_days <= 3650:
        raise RequestError(f"stock days must be within 0–3650, not {stock_days}")
    check_workers(workers)
    if first.network.data_version != second.network.data_version:
        raise RequestError("the two plans must be on the same network")
    started = time.perf_counter()
    # Both plans on the same years: the events touching any route either may use.
    plans = [timed_plan(a, stock_days=stock_days) for a in (first, second)]
    events = relevant_events(first.network, plans)
    out = []
    with dask_client(workers, scheduler, client, dashboard) as on:
        for i, alloc in enumerate((first, second)):

            def step(done: int, i: int = i) -> None:
                if progress is not None:
                    progress(i, done)

            out.append(
                stress_in_time(
                    alloc,
                    years=years,
                    seed=seed,
                    stock_days=stock_days,
                    progress=step,
                    events=events,
                    client=on,
                )
            )
    pair = (out[0], out[1])
    return VersusResult(
        first,
        second,
        pair,
        comparison_sentence(pair[0], pair[1], first.network),
        time.perf_counter() - started,
        first.network.data_version,
        scenario,
    )
