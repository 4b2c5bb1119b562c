"""Disruption risk: Monte Carlo stress tests of a split of volumes over routes.

Events
    Each row of the events table (``net.events``) occurs as a Poisson process with
    ``events_per_year`` occurrences a year; each occurrence lasts a lognormal number of days
    with median ``duration_days`` and 95th percentile ``duration_days_p95`` (a fixed
    duration when the two are equal). With the default **stationary** timing a simulated
    year is a window on the long-run process: an occurrence counts for the days it overlaps
    the year, including occurrences that began earlier (a two-year Red Sea regime covers
    whole years). With **onset** timing each year is drawn afresh: occurrences begin in the
    year and count ``min(days, 365)`` days. Either way an event is active a share ``s`` of
    the year (the days of its occurrences, capped at the whole year).

Exposure
    An event hits a route when one of its targets (an exposure, a link or a node) is on the
    route; its severity there is the event's ``capacity_loss`` (the sanction kind closes
    the country targets it names outright). A route's **cut share** in a year is
    ``min(1, sum of s × severity)`` over the events that hit it; the tonnes planned on it are
    displaced in that share, event by event.

Re-routing rule
    Tonnes ``D`` displaced from a route by an event move to the candidate routes of the
    same contract that the event does not hit ("survivors"), cheapest first. Survivor
    ``j`` takes ``min(D × open_j − moved, room_j)`` (never less than 0), where ``open_j`` is
    the share of the year it is itself open (1 − its cut share), ``moved`` what cheaper
    survivors already took and ``room_j`` its spare capacity (every capacity it uses, at the
    year's available share, minus what the plan's own tonnes still use and what earlier
    moves took). So the survivors together take at most ``D`` times the best open share
    among them: their closures are taken as nested, which is exact for variants of one
    corridor and cautious for independent corridors, and adding a dearer, no less exposed
    variant changes nothing. What no survivor takes is **undelivered**. Events are served in
    table order; within an event, contracts in their order and planned routes in plan
    order (the order matters only where spare capacity runs out). Candidates are
    the planned routes, the ``k`` cheapest distinct routes, the cheapest route of each
    family and, for each event that hits one of those, the cheapest route avoiding it
    (overall and within each family). A re-routed tonne is not hit again.

Costs
    Extra cost per year: re-routed tonnes times the cost difference of the two routes
    (negative when the survivor is cheaper) plus, on the tonnes still moving on a hit route,
    the event's surcharge, its insurance add-on (on CIF × 110 %) and its delay priced as
    in-transit inventory. Extra days are tonne-days over the volume.

Reproducibility
    Years are simulated in chunks of :data:`CHUNK_YEARS`; in chunk ``i`` each event draws
    from ``SeedSequence(seed, spawn_key=(i, key of its id))`` and chunks are reduced in
    order, so a seed gives the same numbers whatever the number of workers, and a scenario
    that changes one event leaves the others' draws unchanged. Distributions are kept as fixed-bin
    histograms with per-bin sums, so memory does not grow with the number of years.

"""

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "CHUNK_YEARS": "_common",
    "MAX_YEARS": "_common",
    "MIN_MOVE_T": "_common",
    "THRESHOLDS": "_common",
    "Allocation": "allocation",
    "Flow": "allocation",
    "from_contracts": "allocation",
    "from_plan": "allocation",
    "from_plan_json": "allocation",
    "from_routes": "allocation",
    "Move": "engine",
    "Outcome": "engine",
    "simulate": "engine",
    "unit_losses": "engine",
    "EventTable": "model",
    "RiskModel": "model",
    "compile_model": "model",
    "StressResult": "result",
    "stress_parameters": "result",
    "run": "runner",
    "sample_years": "runner",
    "sample_shares": "sampling",
    "stress": "annual",
    "Tally": "tally",
    "chunk_tally": "tally",
    "route_links": "targets",
}
"""Where each name of the package lives: loaded on first use, so that importing one module
of the package (``corridor.risk.measures`` for ``corridor compare``) does not load the
annual engine."""

__all__ = [
    "CHUNK_YEARS",
    "MAX_YEARS",
    "MIN_MOVE_T",
    "THRESHOLDS",
    "Allocation",
    "EventTable",
    "Flow",
    "Move",
    "Outcome",
    "RiskModel",
    "StressResult",
    "Tally",
    "chunk_tally",
    "compile_model",
    "from_contracts",
    "from_plan",
    "from_plan_json",
    "from_routes",
    "route_links",
    "run",
    "sample_shares",
    "sample_years",
    "simulate",
    "stress",
    "stress_parameters",
    "unit_losses",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


if TYPE_CHECKING:
    from corridor.risk._common import CHUNK_YEARS, MAX_YEARS, MIN_MOVE_T, THRESHOLDS
    from corridor.risk.allocation import (
        Allocation,
        Flow,
        from_contracts,
        from_plan,
        from_plan_json,
        from_routes,
    )
    from corridor.risk.annual import stress
    from corridor.risk.engine import Move, Outcome, simulate, unit_losses
    from corridor.risk.model import EventTable, RiskModel, compile_model
    from corridor.risk.result import StressResult, stress_parameters
    from corridor.risk.runner import run, sample_years
    from corridor.risk.sampling import sample_shares
    from corridor.risk.tally import Tally, chunk_tally
    from corridor.risk.targets import route_links
