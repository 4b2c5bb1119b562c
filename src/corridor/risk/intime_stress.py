"""Stress in time: simulated years of dated event occurrences against a plan, and a comparison.

Each event occurs as a Poisson process (``events_per_year``); an occurrence starts on a
uniform day of its year and lasts a lognormal number of days (capped at 730); one that runs
past 31 December carries into the next year from 1 January. Starts and durations are rounded
to whole days, so that a year's closures are a small key: years with the same closures are
computed once (memoised route choice). Each year is then run by
:func:`corridor.risk.timeline.simulate_year` with a full buyer's stock at its start.

An event's targets are grouped by their loss (a sanction closes the countries it names and
leaves its sea areas open): one closure per group. Insurance add-ons are not priced here.

Each event's random stream is keyed by the seed, the chunk of years and the event id
(:func:`corridor.risk.sampling.event_stream`), so a seed gives the same years whatever the
number of chunks or workers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.errors import RequestError
from corridor.i18n import Joined, Message, Named
from corridor.network.model import Network
from corridor.risk import _common
from corridor.risk._common import DAYS, FloatArray, IntArray
from corridor.risk.allocation import Allocation
from corridor.risk.calendar import DEFAULT_STOCK_DAYS
from corridor.risk.intime_fast import (
    CAUSE_FIELDS,
    OUT_FIELDS,
    FastPlan,
    Occurrences,
    compile_fast,
    run_block,
    sample_block,
)
from corridor.risk.model import EventTable
from corridor.risk.occurrences import draw_event
from corridor.risk.runner import check_workers, dask_client, run_chunks
from corridor.risk.timeline import TimedPlan, timed_plan

FIELDS = ("stockout_days", "late_t", "tonne_days_late", "undelivered_t", "extra_cost_usd")
DEFAULT_YEARS = 5_000
_Key = tuple[tuple[int, int, int], ...]

if TYPE_CHECKING:
    from distributed import Client


def sample_occurrences(
    net: Network, events: Sequence[int], years: int, seed: int, chunk: int
) -> list[list[tuple[int, int, int]]]:
    """Per year of the chunk: (event index, start day, days) of the occurrences in force."""
    table = EventTable.of(net.events)
    out: list[list[tuple[int, int, int]]] = [[] for _ in range(years)]
    for e in events:
        year, start, days = draw_event(net, table, e, years, seed, chunk)
        for y, s, d in zip(year.tolist(), start.tolist(), days.tolist(), strict=True):
            if y >= 0:
                out[y].append((e, s, d))
            if s + d > DAYS and y + 1 < years:
                out[y + 1].append((e, 0, int(s + d - int(DAYS))))
    return out


TAIL_OCTAVES = (-20, 44)
"""The tail histograms' range: values from 2**-20 to 2**44 (smaller ones share the first
bin above zero, larger ones the last)."""
TAIL_STEPS = 64
"""Bins per octave (a doubling): each bin spans at most 1.1 % of its values."""
TAIL_BINS = 1 + (TAIL_OCTAVES[1] - TAIL_OCTAVES[0]) * TAIL_STEPS
"""Bin 0 holds the years at zero (or below)."""


@dataclass(frozen=True)
class InTimeModel:
    """What a worker needs to run chunks of one plan in time: shipped to it once."""

    fast: FastPlan
    events: tuple[int, ...]
    """Indices into the network's events: those drawn."""


@dataclass
class InTimeTally:
    """Mergeable summary of simulated years in time, of a fixed size whatever their number:
    per field the sum, a histogram of years on log-spaced bins with the sum of each bin's
    values (for the tail means), and each drawn event's attributed sum."""

    years: int
    sums: FloatArray
    """(FIELDS,)."""
    counts: IntArray
    """(FIELDS, TAIL_BINS)."""
    bin_sums: FloatArray
    """(FIELDS, TAIL_BINS)."""
    attributed: FloatArray
    """(events, FIELDS), the model's events in order."""
    distinct_years: int
    """Distinct years (sets of occurrences) of each chunk, summed over chunks."""

    def merge(self, other: InTimeTally) -> InTimeTally:
        return InTimeTally(
            self.years + other.years,
            self.sums + other.sums,
            self.counts + other.counts,
            self.bin_sums + other.bin_sums,
            self.attributed + other.attributed,
            self.distinct_years + other.distinct_years,
        )

    def tail_mean(self, field: int, level: float) -> float:
        """Mean of the worst ``1 − level`` share of years (the bin at the boundary counted at
        its mean: exact when its years are equal, within 1.1 % otherwise)."""
        tail = max(1, round((1 - level) * self.years))
        counts, sums = self.counts[field, ::-1], self.bin_sums[field, ::-1]
        running = np.cumsum(counts)
        j = int(np.searchsorted(running, tail))
        taken = int(running[j - 1]) if j else 0
        total = float(sums[:j].sum()) + (tail - taken) * float(sums[j]) / int(counts[j])
        return total / tail


def _tail_bins(values: FloatArray) -> IntArray:
    """Each value's bin: 0 at or below zero, else by octave and step within it."""
    mantissa, exponent = np.frexp(values)  # values = mantissa · 2**exponent, 0.5 ≤ mantissa < 1
    step = np.floor((2 * mantissa - 1) * TAIL_STEPS).astype(np.int64)
    index = 1 + (exponent.astype(np.int64) - 1 - TAIL_OCTAVES[0]) * TAIL_STEPS + step
    return np.where(values > 0, np.clip(index, 1, TAIL_BINS - 1), 0)


@dataclass(frozen=True)
class InTimeStress:
    """Simulated years of a plan in time: portfolio figures and per-event shares."""

    name: str
    years: int
    seed: int
    stock_days: float
    tally: InTimeTally
    """Per field (:data:`FIELDS`, stock-out days are contract-days): sums and histograms."""
    by_event: dict[str, dict[str, float]]
    """Event id -> field -> mean per year attributed to it."""

    @property
    def distinct_years(self) -> int:
        return self.tally.distinct_years

    def mean(self, name: str) -> float:
        return float(self.tally.sums[FIELDS.index(name)]) / self.years

    def cvar(self, name: str, level: float = 0.95) -> float:
        """Mean of the worst ``1 − level`` share of years."""
        return self.tally.tail_mean(FIELDS.index(name), level)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "years": self.years,
            "seed": self.seed,
            "stock_days": self.stock_days,
            "distinct_years": self.distinct_years,
            **{f"mean_{k}": self.mean(k) for k in FIELDS},
            **{f"cvar95_{k}": self.cvar(k) for k in FIELDS},
            "by_event": self.by_event,
        }


def stress_in_time(
    allocation: Allocation,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    stock_days: float = DEFAULT_STOCK_DAYS,
    progress: Callable[[int], None] | None = None,
    events: Sequence[int] | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
) -> InTimeStress:
    """Simulate ``years`` years of the network's events against ``allocation`` in time.

    ``events`` (indices into ``network.events``) are the events drawn; by default those
    touching any candidate route of the plan (:func:`relevant_events`). Two plans compared
    on the same years must be given the same set: each event's occurrences come from its
    own random stream, so the same set means the same years.

    Chunks of years run in this process, or on Dask (``workers``: a local cluster of that
    many processes; ``scheduler``: an address; ``client``: a client) through
    :func:`corridor.risk.runner.run_chunks`: the compiled plan is shipped to each worker
    once, each chunk returns its tally, tallies are folded in chunk order, so a seed gives
    the same numbers however the work is spread."""
    if years < 1 or seed < 0:
        raise RequestError(f"years must be ≥ 1 and the seed ≥ 0 (got {years}, {seed})")
    check_workers(workers)
    net = allocation.network
    plan = timed_plan(allocation, stock_days=stock_days)
    events = sorted(events) if events is not None else relevant_events(net, [plan])
    model = InTimeModel(compile_fast(plan, net), tuple(events))
    report = progress or (lambda done: None)
    with dask_client(workers, scheduler, client) as on:
        tally: InTimeTally = run_chunks(intime_chunk, model, seed, years, (), report, on)
    means = {
        net.events[e].id: dict(zip(FIELDS, (tally.attributed[i] / years).tolist(), strict=True))
        for i, e in enumerate(events)
    }
    return InTimeStress(allocation.name, years, seed, stock_days, tally, means)


def intime_chunk(model: InTimeModel, seed: int, chunk: int, years: int) -> InTimeTally:
    """Simulate and summarise chunk ``chunk`` (its first ``years`` years) of a seeded run.

    The chunk always draws its full CHUNK_YEARS: its first ``years`` do not depend on how
    many years the run has, nor on where it runs.

    A year's figures are split over its events: late and undelivered tonnes, tonne-days and
    extra cost by cause (each hit lot's to the event whose closure cut it: an event that
    touches none of the plan's lots gets none); stock-out days by each event's marginal
    effect (the year run again without it), scaled to add up to the year's, and where no
    single event explains them, in proportion to the events' tonne-days late (closure days ×
    loss, at least 0.05, in a year without any). Worked over arrays of years × events; sums
    run year after year, as a running total, so the figures are the same whatever the
    layout."""
    fast, events = model.fast, model.events
    net = fast.net
    occ = sample_block(net, events, _common.CHUNK_YEARS, seed, chunk).first(years)
    block = run_block(fast, occ, by_event=True)
    assert block.by_event is not None
    bounds = np.searchsorted(occ.year, np.arange(years + 1))
    has = np.diff(bounds) > 0
    values = np.where(has, block.values[[OUT_FIELDS.index(f) for f in FIELDS]], 0.0)
    present = np.zeros((years, len(net.events)), dtype=bool)
    present[occ.year, occ.event] = True
    # stock-out days no single event explains: by tonne-days late, else closure days x loss
    loss = np.array([max(ev.capacity_loss, 0.05) for ev in net.events])
    weight = np.zeros((years, len(net.events)))
    np.add.at(weight, (occ.year, occ.event), occ.days * loss[occ.event])
    caused = block.by_event[:, :, CAUSE_FIELDS.index("tonne_days_late")]
    weight = np.where((caused.sum(axis=1) > 0)[:, None], caused, weight)
    with np.errstate(invalid="ignore", divide="ignore"):  # years without events: no share
        stockout = weight / np.cumsum(weight, axis=1)[:, -1:]  # summed in event order
    stockout[~present] = 0.0
    _stockout_shares(fast, occ, bounds, values[0], present, stockout)
    attributed = np.zeros((len(events), len(FIELDS)))
    cols = np.asarray(events, dtype=np.int64)
    for f, name in enumerate(FIELDS):
        if not years:
            continue
        if name == "stockout_days":
            part = values[f][:, None] * stockout[:, cols]
        else:
            part = block.by_event[:, cols, CAUSE_FIELDS.index(name)]
        attributed[:, f] = np.cumsum(part, axis=0)[-1]  # added year after year
    bins = _tail_bins(values) + (np.arange(len(FIELDS)) * TAIL_BINS)[:, None]
    size = len(FIELDS) * TAIL_BINS
    counts = np.bincount(bins.ravel(), minlength=size).reshape(len(FIELDS), TAIL_BINS)
    sums = np.bincount(bins.ravel(), weights=values.ravel(), minlength=size)
    packed = (occ.event << 42) | (occ.start << 21) | occ.days
    distinct = {packed[a:b].tobytes() for a, b in itertools.pairwise(bounds.tolist()) if b > a}
    return InTimeTally(
        years,
        values.sum(axis=1),
        counts.astype(np.int64),
        sums.reshape(len(FIELDS), TAIL_BINS).astype(np.float64),
        attributed,
        len(distinct),
    )


def _stockout_shares(
    fast: FastPlan,
    occ: Occurrences,
    bounds: IntArray,
    stockout_days: FloatArray,
    present: Any,
    out: FloatArray,
) -> None:
    """Where a year with stock-out days has several events, each event's share of them by
    its marginal effect (the year run again without it), scaled to add up to one; left as
    ``out`` has it (by tonne-days late, else closure days × loss) where no single event
    explains them."""
    rows, events = np.nonzero(present & ((stockout_days > 0) & (present.sum(axis=1) > 1))[:, None])
    if not len(rows):
        return
    # one year per (year, event) pair: the year's occurrences without that event's, in order
    first, length = bounds[rows], bounds[rows + 1] - bounds[rows]
    ends = np.cumsum(length)
    pair = np.repeat(np.arange(len(rows)), length)
    idx = np.repeat(first - (ends - length), length) + np.arange(int(ends[-1]))
    keep = occ.event[idx] != events[pair]
    idx, pair = idx[keep], pair[keep]
    again = Occurrences(pair, occ.event[idx], occ.start[idx], occ.days[idx], len(rows))
    sub = run_block(fast, again).values[OUT_FIELDS.index("stockout_days")]
    marginal = np.maximum(stockout_days[rows] - sub, 0.0).tolist()
    cut = np.flatnonzero(np.diff(rows)) + 1
    for a, b in itertools.pairwise([0, *cut.tolist(), len(rows)]):
        total = sum(marginal[a:b])  # in event order, as the shares
        if total > 0:
            out[rows[a], events[a:b]] = [m / total for m in marginal[a:b]]


def relevant_events(net: Network, plans: Sequence[TimedPlan]) -> list[int]:
    """Events that touch a route any of ``plans`` may use: its planned routes *and* the
    alternatives it switches to (an event on an alternative only, such as sanctions closing
    the northern route that China's cut tonnes would take, changes the year's outcome).
    Others cannot change an outcome and are not drawn."""
    targets = [r.targets for plan in plans for f in plan.flows for r in f.routes]
    return [
        e
        for e, ev in enumerate(net.events)
        if any(not set(ev.targets).isdisjoint(t) for t in targets)
    ]


def comparison_sentence(a: InTimeStress, b: InTimeStress, net: Network) -> str:
    """Which of two plans protects the buyer more, by how much and why, in quotable words.

    Plans are ranked on expected stock-out days, then (a tie, e.g. none at this stock) on
    expected tonne-days of delay. The three events that widen the difference most are
    named, then the two (of at least 1 % of the difference) that narrow it most: an event
    the better plan meets more often, such as a Black Sea closure on a Trans-Caspian share.
    """

    def rank(r: InTimeStress) -> tuple[float, float]:
        return (round(r.mean("stockout_days"), 2), r.mean("tonne_days_late"))

    better, worse = (b, a) if rank(b) < rank(a) else (a, b)
    measure = "stockout_days" if rank(better)[0] < rank(worse)[0] else "tonne_days_late"
    lo, hi = better.mean(measure), worse.mean(measure)
    unit = Message("versus_unit_stockout" if measure == "stockout_days" else "versus_unit_late")
    parts: list[str] = [
        Message(
            "versus_head",
            years=f"{a.years:,}",
            seed=a.seed,
            stock=f"{a.stock_days:g}",
            better=better.name,
            worse=worse.name,
            lo=f"{lo:,.2f}",
            unit=unit,
            hi=f"{hi:,.2f}",
            fewer=f"{hi - lo:,.2f}",
            less=f"{(hi - lo) / hi if hi else 0.0:.0%}",
        )
    ]
    if measure != "stockout_days":
        parts.append(Message("versus_both", days=f"{better.mean('stockout_days'):.2f}"))
    parts.append(
        Message(
            "versus_body",
            late_a=f"{better.mean('late_t'):,.0f}",
            late_b=f"{worse.mean('late_t'):,.0f}",
            cvar_a=f"{better.cvar('stockout_days'):.1f}",
            cvar_b=f"{worse.cvar('stockout_days'):.1f}",
            usd_a=f"{better.mean('extra_cost_usd'):,.0f}",
            usd_b=f"{worse.mean('extra_cost_usd'):,.0f}",
        )
    )
    diffs = sorted(
        (
            worse.by_event.get(eid, {}).get(measure, 0.0)
            - better.by_event.get(eid, {}).get(measure, 0.0),
            eid,
        )
        for eid in set(worse.by_event) | set(better.by_event)
    )[::-1]

    def listed(picked: list[tuple[float, str]]) -> Joined:
        return Joined(
            "; ",
            [
                Joined("", [Named(net.event(e).name_en, net.event(e).name_ja), f" ({d:+,.2f})"])
                for d, e in picked
            ],
        )

    widen = [(d, e) for d, e in diffs[:3] if d > 0.005]
    floor = max(0.005, 0.01 * abs(worse.mean(measure) - better.mean(measure)))
    narrow = [(d, e) for d, e in diffs[::-1][:2] if d < -floor]
    if widen:
        parts.append(Message("versus_drivers", unit=unit, names=listed(widen)))
    if narrow:
        parts.append(Message("versus_against", names=listed(narrow)))
    return Joined("", parts)
