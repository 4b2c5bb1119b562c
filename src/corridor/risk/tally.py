"""Tallies of simulated years: fixed-bin histograms with per-bin sums (memory flat in years)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass
from corridor.risk import _common
from corridor.risk._common import BINS, FloatArray, IntArray
from corridor.risk.engine import Outcome, simulate
from corridor.risk.model import RiskModel
from corridor.risk.sampling import sample_shares


@dataclass
class Tally:
    """Mergeable summary of simulated years: sums, exceedance counts and histograms.

    Histograms have :data:`BINS` bins over exact bounds per group, with the count and the
    sum of the values in each bin, and (portfolio only) the sum of each event's share.
    """

    years: int
    sums: FloatArray
    """(4, groups): undelivered, extra cost, squares of both... see ``_MOMENTS``."""
    flow_sums: FloatArray
    """(3, flows): cut tonnes, extra tonne-days and the planning effect (USD, ≤ 0)."""
    exceed: IntArray
    """(groups, thresholds): years losing more than the threshold share of volume."""
    counts: IntArray
    """(2, groups, BINS)."""
    bin_sums: FloatArray
    """(2, groups, BINS)."""
    attribution: FloatArray
    """(2, events, BINS): per portfolio bin, each event's undelivered t and extra USD."""

    def merge(self, other: Tally) -> Tally:
        return Tally(
            self.years + other.years,
            self.sums + other.sums,
            self.flow_sums + other.flow_sums,
            self.exceed + other.exceed,
            self.counts + other.counts,
            self.bin_sums + other.bin_sums,
            self.attribution + other.attribution,
        )


def tally(model: RiskModel, out: Outcome, thresholds: Sequence[float]) -> Tally:
    """Summarise the years of an :class:`Outcome`."""
    values = (out.by_group("undelivered"), out.by_group("extra_cost"))
    counts, sums = [], []
    attribution = []
    for m, v in enumerate(values):
        idx = _bin_index(v, model.bounds[m])
        flat = idx + (np.arange(v.shape[0]) * BINS)[:, None]
        counts.append(np.bincount(flat.ravel(), minlength=v.shape[0] * BINS))
        sums.append(np.bincount(flat.ravel(), weights=v.ravel(), minlength=v.shape[0] * BINS))
        by_event = (out.undelivered_by_event, out.extra_cost_by_event)[m]
        attribution.append(_attribute(idx[0], by_event))
    groups = values[0].shape[0]
    exceed = np.array(
        [
            [np.count_nonzero(row > volume * q) for q in thresholds]
            for row, volume in zip(values[0], model.group_volumes, strict=True)
        ],
        dtype=np.int64,
    ).reshape(groups, len(thresholds))
    return Tally(
        years=values[0].shape[1],
        sums=np.stack([v.sum(axis=1) for v in values] + [(v * v).sum(axis=1) for v in values]),
        flow_sums=np.stack([out.cut, out.extra_tdays, out.planning]),
        exceed=exceed,
        counts=np.stack(counts).reshape(2, groups, BINS).astype(np.int64),
        bin_sums=np.stack(sums).reshape(2, groups, BINS).astype(np.float64),
        attribution=np.stack(attribution),
    )


def _bin_index(values: FloatArray, bounds: FloatArray) -> IntArray:
    lo, hi = bounds[:, 0:1], bounds[:, 1:2]
    width = np.where(hi > lo, (hi - lo) / BINS, 1.0)
    idx = np.floor((values - lo) / width).astype(np.int64)
    return np.clip(idx, 0, BINS - 1)


def _attribute(index: IntArray, by_event: FloatArray) -> FloatArray:
    events = by_event.shape[0]
    flat = index[None, :] + (np.arange(events) * BINS)[:, None]
    sums = np.bincount(flat.ravel(), weights=by_event.ravel(), minlength=events * BINS)
    return sums.reshape(events, BINS).astype(np.float64)


def chunk_tally(
    model: RiskModel, seed: int, chunk: int, years: int, thresholds: Sequence[float]
) -> Tally:
    """Simulate and summarise chunk ``chunk`` (its first ``years`` years) of a seeded run.

    The chunk always draws :data:`CHUNK_YEARS` years, each event from its own stream
    (:func:`event_stream`), so its years do not depend on how a run is cut into chunks or
    spread over workers.
    """
    shares = sample_shares(model.events, _common.CHUNK_YEARS, seed, chunk, model.timing)[:, :years]
    return tally(model, simulate(model, shares), thresholds)
