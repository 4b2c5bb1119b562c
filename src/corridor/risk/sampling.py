"""Random draws: event occurrences per simulated year, reproducible per chunk and event."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass
from corridor.risk._common import DAYS, FloatArray
from corridor.risk.model import EventTable


def event_stream(seed: int, chunk: int, event_id: str) -> np.random.Generator:
    """The random stream of one event in one chunk of a seeded run.

    Keyed by the event's id, so a scenario that changes or adds one event leaves every
    other event's draws as they were (common random numbers for comparisons).
    """
    key = int.from_bytes(hashlib.sha256(event_id.encode()).digest()[:4], "little")
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(chunk, key)))


def sample_shares(
    events: EventTable, years: int, seed: int, chunk: int = 0, timing: str = "stationary"
) -> FloatArray:
    """Share of each year each event is active: an array (events, years) in [0, 1].

    A Poisson process over ``years`` independent years is drawn as its total count
    (Poisson with mean ``rate × years``) with a uniform year for each occurrence, which is
    the same law as a Poisson count per year and much cheaper to draw.

    Parameters
    ----------
    events : EventTable
        Rates and duration distributions.
    years : int
        Number of years to draw.
    seed, chunk : int
        Each event draws from :func:`event_stream` of the seed, chunk and its id.
    timing : str
        'stationary' (occurrences overlapping the year, from the long-run process) or
        'onset' (occurrences beginning in the year).
    """
    out = np.zeros((len(events.ids), years))
    mean_days = events.mean_days
    for e, eid in enumerate(events.ids):
        rng = event_stream(seed, chunk, eid)
        rate = events.rate[e]
        if timing == "stationary":
            rate *= 1.0 + mean_days[e] / DAYS
        n = int(rng.poisson(rate * years))
        year = rng.integers(0, years, n)
        days = _occurrence_days(events, e, n, rng, timing, mean_days[e])
        out[e] = np.minimum(np.bincount(year, weights=days, minlength=years) / DAYS, 1.0)
    return out


def _occurrence_days(
    events: EventTable,
    e: int,
    n: int,
    rng: np.random.Generator,
    timing: str,
    mean_days: float,
) -> FloatArray:
    """Days of the year covered by each of ``n`` occurrences of event ``e``."""
    mu, sigma = events.log_median[e], events.sigma[e]
    if timing == "onset":
        days: FloatArray = np.minimum(np.exp(mu + sigma * rng.standard_normal(n)), DAYS)
        return days
    # Occurrences that overlap a window are length-biased: a share E[d]/(365 + E[d]) of them
    # come from the size-biased lognormal, which is lognormal(mu + sigma^2, sigma).
    biased = rng.random(n) < mean_days / (DAYS + mean_days)
    length = np.exp(mu + sigma * rng.standard_normal(n) + biased * sigma**2)
    start = rng.random(n) * (DAYS + length) - length
    overlap: FloatArray = np.minimum(start + length, DAYS) - np.maximum(start, 0.0)
    return overlap


# --------------------------------------------------------------------------- the engine
