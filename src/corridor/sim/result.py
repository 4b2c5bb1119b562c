"""Results of the simulation: one replication's numbers and their summary across
replications, with 95 % confidence intervals from the spread of the replication means."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class ResourceStats:
    """One resource in one replication (NaN where a figure does not apply)."""

    utilisation: float
    mean_queue: float
    max_queue: float
    mean_wait_h: float
    served: float
    load_factor: float = math.nan


@dataclass(frozen=True)
class Replication:
    """What one replication measured."""

    total_days: tuple[float, ...]
    """End-to-end days of every traced train that arrived."""
    stage_hours: tuple[tuple[tuple[str, float], ...], ...]
    """Per traced train: (stage label, hours) in path order."""
    traced_timeline: tuple[tuple[str, str, float, float], ...]
    """The first traced train's stages: label, place, start hour, end hour."""
    unfinished: int
    resources: dict[str, ResourceStats]
    throughput_t_per_year: dict[str, float]
    node_dwell_hours: dict[str, tuple[float, float, int]]
    """Node -> (mean, p95, count) of the hours consignments spent there."""
    china_days: float
    """Mean days of the China–Europe background trains from the gauge-change yard to Alat."""
    storm_closed_days: float
    queue_series: dict[str, tuple[float, ...]]
    """Port -> wagons waiting, sampled daily over the horizon."""


def summarise_samples(values: list[float]) -> tuple[float, float, int]:
    """(mean, p95, count) of a sample (NaN when empty)."""
    if not values:
        return math.nan, math.nan, 0
    arr = np.asarray(values)
    return float(arr.mean()), float(np.quantile(arr, 0.95)), len(values)


@dataclass(frozen=True)
class Estimate:
    """A mean over replications with its 95 % confidence half-width (Student t)."""

    mean: float
    half_width: float
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {"mean": _r(self.mean), "ci95": _r(self.half_width), "replications": self.n}


def estimate(values: list[float]) -> Estimate:
    """Mean and 95 % CI half-width of per-replication values (NaNs left out)."""
    arr = np.asarray([v for v in values if not math.isnan(v)], dtype=float)
    if arr.size == 0:
        return Estimate(math.nan, math.nan, 0)
    if arr.size == 1:
        return Estimate(float(arr[0]), math.nan, 1)
    t = float(stats.t.ppf(0.975, arr.size - 1))
    return Estimate(float(arr.mean()), t * float(arr.std(ddof=1)) / math.sqrt(arr.size), arr.size)


@dataclass(frozen=True)
class SimResult:
    """Summary of ``replications`` runs of one model."""

    commodity: str
    origin: str
    destination: str
    route_nodes: tuple[str, ...]
    volume_t: float
    seed: int
    replications: int
    horizon_days: float
    end_to_end_days: Estimate
    p50_days: float
    p95_days: float
    stage_hours: dict[str, Estimate]
    resources: dict[str, dict[str, Estimate]]
    throughput_t_per_year: dict[str, Estimate]
    node_dwell_hours: dict[str, tuple[float, float]]
    china_days: Estimate
    storm_closed_days: Estimate
    unfinished: int
    traced_timeline: tuple[tuple[str, str, float, float], ...]
    queue_series: dict[str, tuple[float, ...]]
    days_sample: tuple[float, ...] = field(repr=False, default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (see docs/sim.md)."""
        return {
            "commodity": self.commodity,
            "origin": self.origin,
            "destination": self.destination,
            "route": list(self.route_nodes),
            "volume_t": self.volume_t,
            "seed": self.seed,
            "replications": self.replications,
            "horizon_days": self.horizon_days,
            "end_to_end_days": {
                **self.end_to_end_days.to_dict(),
                "p50": _r(self.p50_days),
                "p95": _r(self.p95_days),
            },
            "stage_hours": {k: v.to_dict() for k, v in self.stage_hours.items()},
            "resources": {
                name: {k: v.to_dict() for k, v in figures.items()}
                for name, figures in self.resources.items()
            },
            "throughput_t_per_year": {
                k: v.to_dict() for k, v in self.throughput_t_per_year.items()
            },
            "node_dwell_hours": {
                k: {"mean": _r(m), "p95": _r(p)} for k, (m, p) in self.node_dwell_hours.items()
            },
            "china_europe_days_yard_to_alat": self.china_days.to_dict(),
            "storm_closed_days": self.storm_closed_days.to_dict(),
            "unfinished_shipments": self.unfinished,
            "traced_timeline": [
                {"stage": lab, "at": at, "start_h": _r(a), "end_h": _r(b)}
                for lab, at, a, b in self.traced_timeline
            ],
        }


_FIGURES = ("utilisation", "mean_queue", "max_queue", "mean_wait_h", "served", "load_factor")


def aggregate(
    reps: list[Replication],
    *,
    commodity: str,
    origin: str,
    destination: str,
    route_nodes: tuple[str, ...],
    volume_t: float,
    seed: int,
    horizon_days: float,
) -> SimResult:
    """Summarise replications: CIs from replication means, percentiles from pooled trains."""
    pooled = [d for r in reps for d in r.total_days]
    per_stage: dict[str, list[float]] = {}
    for r in reps:
        sums: dict[str, list[float]] = {}
        for train in r.stage_hours:
            for label, hours in train:
                sums.setdefault(label, []).append(hours)
        for label, values in sums.items():
            per_stage.setdefault(label, []).append(float(np.mean(values)))
    resources = {
        name: {
            f: estimate([getattr(r.resources[name], f) for r in reps if name in r.resources])
            for f in _FIGURES
        }
        for name in reps[0].resources
    }
    dwell = {}
    for node in reps[0].node_dwell_hours:
        means = [r.node_dwell_hours[node][0] for r in reps if r.node_dwell_hours[node][2]]
        p95s = [r.node_dwell_hours[node][1] for r in reps if r.node_dwell_hours[node][2]]
        if means:
            dwell[node] = (float(np.mean(means)), float(np.mean(p95s)))
    return SimResult(
        commodity=commodity,
        origin=origin,
        destination=destination,
        route_nodes=route_nodes,
        volume_t=volume_t,
        seed=seed,
        replications=len(reps),
        horizon_days=horizon_days,
        end_to_end_days=estimate([float(np.mean(r.total_days)) for r in reps if r.total_days]),
        p50_days=float(np.quantile(pooled, 0.5)) if pooled else math.nan,
        p95_days=float(np.quantile(pooled, 0.95)) if pooled else math.nan,
        stage_hours={k: estimate(v) for k, v in per_stage.items()},
        resources=resources,
        throughput_t_per_year={
            n: estimate([r.throughput_t_per_year[n] for r in reps])
            for n in reps[0].throughput_t_per_year
        },
        node_dwell_hours=dwell,
        china_days=estimate([r.china_days for r in reps]),
        storm_closed_days=estimate([r.storm_closed_days for r in reps]),
        unfinished=sum(r.unfinished for r in reps),
        traced_timeline=reps[0].traced_timeline,
        queue_series=reps[0].queue_series,
        days_sample=tuple(pooled),
    )


def _r(x: float) -> float | None:
    return None if math.isnan(x) else round(x, 3)
