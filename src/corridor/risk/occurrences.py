"""Dated occurrences of the events table: the random draws of one event over a chunk of
years, and an occurrence as closures. Shared by the in-time engines
(:mod:`corridor.risk.intime_stress` and its fast form :mod:`corridor.risk.intime_fast`), which
must draw the same numbers."""

from __future__ import annotations

import numpy as np

from corridor.network.model import Event, Network
from corridor.risk._common import DAYS, IntArray
from corridor.risk.calendar import Closure
from corridor.risk.model import EventTable
from corridor.risk.sampling import event_stream
from corridor.risk.targets import target_loss


def draw_event(
    net: Network, table: EventTable, e: int, years: int, seed: int, chunk: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Occurrences of event ``e`` in a chunk of ``years``: year (-1 for the year before the
    chunk, whose occurrences may carry in), start day and length in whole days (1–730)."""
    rng = event_stream(seed, chunk, "in-time:" + net.events[e].id)
    n = int(rng.poisson(table.rate[e] * (years + 1)))
    year = rng.integers(-1, years, n)
    start = np.floor(rng.random(n) * DAYS).astype(np.int64)
    length = np.exp(table.log_median[e] + table.sigma[e] * rng.standard_normal(n))
    days = np.clip(np.rint(length), 1, 2 * DAYS).astype(np.int64)
    return year, start, days


def event_closures(net: Network, event: Event, start_day: float, days: float) -> list[Closure]:
    """One occurrence of ``event`` as closures, one per distinct loss of its targets."""
    by_loss: dict[float, set[str]] = {}
    for t in event.targets:
        by_loss.setdefault(target_loss(net, event, t), set()).add(t)
    return [
        Closure(
            frozenset(targets),
            start_day,
            days,
            loss,
            event.delay_days,
            event.surcharge_usd_per_t,
            event.id,
        )
        for loss, targets in sorted(by_loss.items())
        if loss > 0 or event.delay_days or event.surcharge_usd_per_t
    ]
