"""The compiled loop of the in-time engine: :func:`corridor.risk.timeline.simulate_year`'s rules,
year after year over a block of drawn years, compiled once with Numba (``cache=True``: later
processes load it from the cache).

Per year it does what the reference does, in the same order:

* other users displaced by each closure claim the spare capacity of the crossings they
  spill to first, day by day;
* per contract, the lots a closure touches (and only those: the others arrive as planned)
  are shipped in order of day and planned route (stamped, then walked in that order: no
  sort): through, switched to the first candidate that has room on its departure day, is
  open and reaches the buyer sooner than waiting, or waiting; a contract's year tallies are
  kept in local sums, added to in the reference's order (the same floating-point sums);
* stock-out days are the undisturbed count corrected over the days the hit lots' moves
  reach; when the year's late tonnes cannot lift the backlog above the stock anywhere, the
  undisturbed count stands (an exact bound, not an approximation);
* with ``parts`` (years × events × 4, else empty), each hit lot's late tonnes, tonne-days,
  undelivered tonnes and extra cost are also added to the event whose closure cut it (the
  worst active on its route and day, whose end it would wait for): the year's figures by
  cause, adding up to the year's.

The capacity budget of a year is restored afterwards over the span of days it changed on each
capacity (the claims note their capacities' spans, the moves their route's departure days:
no list of cells, nothing grows in the loop, nothing is allocated per move). The
arrays are built by :func:`corridor.risk.intime_fast.compile_fast`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from corridor.risk._common import FloatArray, IntArray

HORIZON_DAYS = 1095
""":data:`corridor.risk.timeline.HORIZON_DAYS` (a constant the compiled code can see)."""
_EPS = 1e-9


@njit(cache=True, inline="always")
def _bin(day: float) -> int:
    return min(int(np.ceil(day - 0.5)), HORIZON_DAYS - 1)


# Per contract and year: the OUT_FIELDS of intime_fast (stock-out days are set apart).
_LATE, _TDAYS, _UNDEL, _EXTRA, _PLANNING, _REROUTED, _WAITED = 0, 1, 3, 4, 5, 6, 7


@njit(cache=True, inline="always")
def _arrive(
    t: tuple[float, float, float, float, float],
    tonnes: float,
    actual: float,
    planned: float,
    year_end: float,
    carry: float,
) -> tuple[float, float, float, float, float]:
    """``tonnes`` due at ``planned`` arrive at ``actual``: the contract's year tally ``t``
    (late tonnes, tonne-days late, extra cost, undelivered tonnes, tonnes later than planned
    at all, for the stock-out bound) counted as timeline._arrive counts it."""
    late, tdays, extra, undel, later = t
    dl = actual - planned
    if dl > 0.0:
        later += tonnes
    if dl > _EPS:
        late += tonnes
        tdays += tonnes * dl
        extra += tonnes * dl * carry
        if actual >= year_end > planned:
            undel += tonnes
    return late, tdays, extra, undel, later


@njit(cache=True, inline="always")
def _move(delta: FloatArray, lo: int, hi: int, day: float, tonnes: float) -> tuple[int, int]:
    """Add ``tonnes`` to the arrival series' change on ``day``'s bin; the days changed, first
    (``lo``) and last (``hi``), widened to it."""
    b = _bin(day)
    delta[b] += tonnes
    return min(lo, b), max(hi, b)


@njit(cache=True, inline="always")
def _first_lot(first_at: IntArray, lot_days: FloatArray, f: int, day: float) -> int:
    """Of contract ``f``'s lots (days ``lot_days``), the first on or after ``day``:
    looked up for a whole day of the horizon (the draws start and end closures on whole
    days), searched otherwise."""
    d = int(day)
    if d == day and 0 <= d <= HORIZON_DAYS:
        return int(first_at[f, d])
    return int(np.searchsorted(lot_days, day, side="left"))


@njit(cache=True, inline="always")
def _mark(changed: IntArray, cap: int, first: int, last: int) -> None:
    """Note budget cells ``first``..``last - 1`` of ``cap`` as changed (to restore them):
    per capacity, the span of days the year changed."""
    changed[cap, 0] = min(changed[cap, 0], first)
    changed[cap, 1] = max(changed[cap, 1], last)


@njit(cache=True, nogil=True)
def order_occurrences(
    raw_year: IntArray,
    raw_event: IntArray,
    raw_start: IntArray,
    raw_days: IntArray,
    years: int,
    days_per_year: int,
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """A block's occurrences from the raw draws (year −1: the year before the block), sorted
    by (year, event, start, days): each draw in force in its year, and its rest at the start
    of the next year where it runs past the year's end (within the block). A count by year,
    then a sort of each year's few occurrences by their packed (event, start, days): bit
    fields wide enough for the largest start and length, taken apart by shifts and masks."""
    n = len(raw_year)
    top_s = 0
    top_d = 0
    for i in range(n):
        top_s = max(top_s, raw_start[i])
        top_d = max(top_d, raw_days[i], raw_start[i] + raw_days[i] - days_per_year)
    bits_s = 0
    while (1 << bits_s) <= top_s:
        bits_s += 1
    bits_d = 0
    while (1 << bits_d) <= top_d:
        bits_d += 1
    ptr = np.zeros(years + 1, dtype=np.int64)
    for i in range(n):
        y = raw_year[i]
        if y >= 0:
            ptr[y + 1] += 1
        if raw_start[i] + raw_days[i] > days_per_year and y + 1 < years:
            ptr[y + 2] += 1
    for y in range(years):
        ptr[y + 1] += ptr[y]
    fill = ptr[:-1].copy()
    key = np.empty(ptr[years], dtype=np.int64)
    for i in range(n):
        y = raw_year[i]
        packed = raw_event[i] << (bits_s + bits_d)
        if y >= 0:
            key[fill[y]] = packed | (raw_start[i] << bits_d) | raw_days[i]
            fill[y] += 1
        rest = raw_start[i] + raw_days[i] - days_per_year
        if rest > 0 and y + 1 < years:
            key[fill[y + 1]] = packed | rest
            fill[y + 1] += 1
    year = np.empty(len(key), dtype=np.int64)
    for y in range(years):
        a, b = ptr[y], ptr[y + 1]
        year[a:b] = y
        if b - a > 32:
            key[a:b] = np.sort(key[a:b])
            continue
        for i in range(a + 1, b):  # insertion sort: a year has a few occurrences
            k = key[i]
            j = i - 1
            while j >= a and key[j] > k:
                key[j + 1] = key[j]
                j -= 1
            key[j + 1] = k
    event = np.empty_like(key)
    start = np.empty_like(key)
    days = np.empty_like(key)
    for i in range(len(key)):
        event[i] = key[i] >> (bits_s + bits_d)
        start[i] = (key[i] >> bits_d) & ((1 << bits_s) - 1)
        days[i] = key[i] & ((1 << bits_d) - 1)
    return year, event, start, days


@njit(cache=True, nogil=True)
def kernel(
    year_ptr: IntArray,
    o_event: IntArray,
    o_start: FloatArray,
    o_days: FloatArray,
    g_loss: FloatArray,
    g_delay: FloatArray,
    g_sur: FloatArray,
    first_group: IntArray,
    group_count: IntArray,
    claim_ptr: IntArray,
    item_rate: FloatArray,
    item_ptr: IntArray,
    item_tgt: IntArray,
    spare: FloatArray,
    f_route_ptr: IntArray,
    r_transit: FloatArray,
    r_cost: FloatArray,
    r_lead: FloatArray,
    r_new: Any,
    r_share: FloatArray,
    rc_ptr: IntArray,
    rc_idx: IntArray,
    hits: Any,
    f_lot_ptr: IntArray,
    lot_days: FloatArray,
    lot_t: FloatArray,
    f_carry: FloatArray,
    f_year_end: FloatArray,
    f_thr: FloatArray,
    f_margin: FloatArray,
    f_stock0: FloatArray,
    base_backlog: FloatArray,
    base_over: IntArray,
    premium: float,
    parts: FloatArray,
) -> FloatArray:
    n_years = len(year_ptr) - 1
    n_flows = len(f_route_ptr) - 1
    n_routes = len(r_transit)
    out = np.zeros((n_flows, 8, n_years))
    # day-major: a day's capacities side by side (a move reads and takes them together)
    budget = np.empty((HORIZON_DAYS, len(spare)))
    for d in range(HORIZON_DAYS):
        budget[d, :] = spare
    # Per capacity, the days of the budget a year changed: first, last + 1; per route, the
    # departure days its moves took capacity on (its capacities' spans, noted at year end).
    changed = np.empty((len(spare), 2), dtype=np.int64)
    changed[:, 0] = HORIZON_DAYS
    changed[:, 1] = 0
    taken = np.empty((n_routes, 2), dtype=np.int64)
    taken[:, 0] = HORIZON_DAYS
    taken[:, 1] = 0
    # Per route, the price of switching to it (spot premium on a new route).
    price = np.empty(n_routes)
    for a in range(n_routes):
        price[a] = r_cost[a] * (1.0 + (premium if r_new[a] else 0.0))
    max_occ = 0
    for y in range(n_years):
        max_occ = max(max_occ, year_ptr[y + 1] - year_ptr[y])
    max_c = max_occ * (int(group_count.max()) if len(group_count) else 0)
    c_group = np.empty(max_c, dtype=np.int64)
    c_start = np.empty(max_c)
    c_end = np.empty(max_c)
    c_event = np.empty(max_c, dtype=np.int64)
    by_cause = parts.shape[0] > 0
    # Per route, the closures hitting it this year.
    by_route = np.empty((n_routes, max_c), dtype=np.int64)
    n_by = np.zeros(n_routes, dtype=np.int64)
    max_lots = 0
    for f in range(n_flows):
        max_lots = max(max_lots, f_lot_ptr[f + 1] - f_lot_ptr[f])
    max_r = 0
    for f in range(n_flows):
        max_r = max(max_r, f_route_ptr[f + 1] - f_route_ptr[f])
    # Per contract and whole day of the horizon: its first lot on or after the day.
    first_at = np.empty((n_flows, HORIZON_DAYS + 1), dtype=np.int64)
    for f in range(n_flows):
        days_f = lot_days[f_lot_ptr[f] : f_lot_ptr[f + 1]]
        for d in range(HORIZON_DAYS + 1):
            first_at[f, d] = np.searchsorted(days_f, float(d), side="left")
    # The hit (lot, route) pairs of a contract, stamped with its ticket, and its hit lots:
    # walked in order of lot, then route (the reference's order, no sort).
    stamp = np.zeros((max_lots, max_r), dtype=np.int64)
    lot_stamp = np.zeros(max_lots, dtype=np.int64)
    # The hit lots' changes of a contract's arrival series (+ arrived, − planned): zero
    # again after each contract.
    delta = np.zeros(HORIZON_DAYS)
    ticket = 0
    # Per route, within a year: its worst active closure and an alternative's state, with
    # the interval of days over which they hold (the same closures are active throughout).
    w_stamp = np.zeros(n_routes, dtype=np.int64)
    w_lo = np.empty(n_routes)
    w_hi = np.empty(n_routes)
    w_c = np.empty(n_routes, dtype=np.int64)
    s_stamp = np.zeros(n_routes, dtype=np.int64)
    s_lo = np.empty(n_routes)
    s_hi = np.empty(n_routes)
    s_loss = np.empty(n_routes)
    s_delay = np.empty(n_routes)
    for y in range(n_years):
        # ---- the year's closures, in the reference's order
        n_c = 0
        for o in range(year_ptr[y], year_ptr[y + 1]):
            e = o_event[o]
            for j in range(group_count[e]):
                c_group[n_c] = first_group[e] + j
                c_start[n_c] = o_start[o]
                c_end[n_c] = o_start[o] + o_days[o]
                c_event[n_c] = e
                n_c += 1
        if n_c == 0:
            for f in range(n_flows):
                out[f, 2, y] = f_stock0[f]
            continue
        for r in range(n_routes):
            n_by[r] = 0
        for c in range(n_c):
            g = c_group[c]
            for r in range(n_routes):
                if hits[g, r]:
                    by_route[r, n_by[r]] = c
                    n_by[r] += 1
        # ---- other users displaced by each closure claim spare capacity first
        for c in range(n_c):
            g = c_group[c]
            d0 = int(c_start[c])
            d1 = min(int(np.ceil(c_end[c])), HORIZON_DAYS)
            for it in range(claim_ptr[g], claim_ptr[g + 1]):
                lo, hi = item_ptr[it], item_ptr[it + 1]
                if hi == lo:
                    continue
                for d in range(d0, d1):
                    need = item_rate[it]
                    for q in range(lo, hi):
                        k = item_tgt[q]
                        took = min(need, budget[d, k])
                        budget[d, k] -= took
                        need -= took
                for q in range(lo, hi):
                    _mark(changed, item_tgt[q], d0, d1)
        # ---- each contract
        for f in range(n_flows):
            r0, r1 = f_route_ptr[f], f_route_ptr[f + 1]
            l0, l1 = f_lot_ptr[f], f_lot_ptr[f + 1]
            ticket += 1
            first_lot, end_lot = max_lots, 0
            days_f = lot_days[l0:l1]
            for r in range(r0, r1):
                if r_share[r] <= 0:
                    continue
                for i in range(n_by[r]):
                    c = by_route[r, i]
                    lo = _first_lot(first_at, days_f, f, c_start[c])
                    hi = _first_lot(first_at, days_f, f, c_end[c])
                    for li in range(lo, hi):
                        stamp[li, r - r0] = ticket
                        lot_stamp[li] = ticket
                    if hi > lo:
                        first_lot = min(first_lot, lo)
                        end_lot = max(end_lot, hi)
            if end_lot <= first_lot:
                out[f, 2, y] = f_stock0[f]
                continue
            # late, tonne-days, extra, undelivered, later at all; planning, rerouted, waited
            t = (0.0, 0.0, 0.0, 0.0, 0.0)
            planning = rerouted = waited = 0.0
            span_lo, span_hi = HORIZON_DAYS, -1
            carry = f_carry[f]
            year_end = f_year_end[f]
            for li in range(first_lot, end_lot):
                if lot_stamp[li] != ticket:
                    continue
                day = lot_days[l0 + li]
                for r in range(r0, r1):
                    if stamp[li, r - r0] != ticket:
                        continue
                    tonnes = lot_t[l0 + li] * r_share[r]
                    planned_arr = day + r_transit[r]
                    # the worst closure active on the day: most loss, then latest end, first
                    # listed (kept with the days over which the route's active closures stay)
                    if not (w_stamp[r] == y + 1 and w_lo[r] <= day < w_hi[r]):
                        w = -1
                        lo_t, hi_t = -np.inf, np.inf
                        for i in range(n_by[r]):
                            c = by_route[r, i]
                            if c_start[c] <= day < c_end[c]:
                                lo_t = max(lo_t, c_start[c])
                                hi_t = min(hi_t, c_end[c])
                                if w < 0:
                                    w = c
                                else:
                                    gw, gc = c_group[w], c_group[c]
                                    if g_loss[gc] > g_loss[gw] or (
                                        g_loss[gc] == g_loss[gw] and c_end[c] > c_end[w]
                                    ):
                                        w = c
                            elif c_start[c] > day:
                                hi_t = min(hi_t, c_start[c])
                            else:
                                lo_t = max(lo_t, c_end[c])
                        w_stamp[r] = y + 1
                        w_lo[r], w_hi[r], w_c[r] = lo_t, hi_t, w
                    w = w_c[r]
                    gw = c_group[w]
                    t_was = t
                    cut = tonnes * g_loss[gw]
                    through = tonnes - cut
                    span_lo, span_hi = _move(delta, span_lo, span_hi, planned_arr, -tonnes)
                    if through > 0:
                        actual = planned_arr + g_delay[gw]
                        span_lo, span_hi = _move(delta, span_lo, span_hi, actual, through)
                        t = _arrive(t, through, actual, planned_arr, year_end, carry)
                        t = (t[0], t[1], t[2] + through * g_sur[gw], t[3], t[4])
                    wait_arr = c_end[w] + r_transit[r]
                    for a in range(r0, r1):
                        if cut <= _EPS:
                            break
                        if a == r:
                            continue
                        leave = max(day, c_start[w] + r_lead[a])
                        if leave + r_transit[a] >= wait_arr:
                            continue  # not sooner than waiting, whatever the delay on it
                        tday = min(int(leave), HORIZON_DAYS - 1)
                        # No room on the departure day: nothing moves (checked first: cheap).
                        room = np.inf
                        for q in range(rc_ptr[a], rc_ptr[a + 1]):
                            room = min(room, budget[tday, rc_idx[q]])
                        if room <= 0.0:
                            continue
                        # the alternative's state on leaving (kept over the days it holds)
                        if not (s_stamp[a] == y + 1 and s_lo[a] <= leave < s_hi[a]):
                            a_loss = 0.0
                            a_delay = 0.0
                            lo_t, hi_t = -np.inf, np.inf
                            for i in range(n_by[a]):
                                c = by_route[a, i]
                                if c_start[c] <= leave < c_end[c]:
                                    a_loss = max(a_loss, g_loss[c_group[c]])
                                    a_delay = max(a_delay, g_delay[c_group[c]])
                                    lo_t = max(lo_t, c_start[c])
                                    hi_t = min(hi_t, c_end[c])
                                elif c_start[c] > leave:
                                    hi_t = min(hi_t, c_start[c])
                                else:
                                    lo_t = max(lo_t, c_end[c])
                            s_stamp[a] = y + 1
                            s_lo[a], s_hi[a], s_loss[a], s_delay[a] = lo_t, hi_t, a_loss, a_delay
                        a_loss = s_loss[a]
                        arrival = leave + r_transit[a] + s_delay[a]
                        if arrival >= wait_arr or a_loss >= 1.0:
                            continue
                        moved = min(cut * (1.0 - a_loss), max(room, 0.0))
                        if moved != 0.0:
                            for q in range(rc_ptr[a], rc_ptr[a + 1]):
                                budget[tday, rc_idx[q]] -= moved
                            taken[a, 0] = min(taken[a, 0], tday)
                            taken[a, 1] = max(taken[a, 1], tday + 1)
                        if moved <= _EPS:
                            continue
                        cut -= moved
                        diff = price[a] - r_cost[r]
                        planning += moved * min(diff, 0.0)
                        rerouted += moved
                        span_lo, span_hi = _move(delta, span_lo, span_hi, arrival, moved)
                        t = (t[0], t[1], t[2] + moved * max(diff, 0.0), t[3], t[4])
                        t = _arrive(t, moved, arrival, planned_arr, year_end, carry)
                    if cut > _EPS:
                        waited += cut
                        span_lo, span_hi = _move(delta, span_lo, span_hi, wait_arr, cut)
                        t = _arrive(t, cut, wait_arr, planned_arr, year_end, carry)
                    if by_cause:  # the lot's part, to the event whose closure cut it
                        ev = c_event[w]
                        parts[y, ev, 0] += t[0] - t_was[0]  # late tonnes
                        parts[y, ev, 1] += t[1] - t_was[1]  # tonne-days
                        parts[y, ev, 2] += t[3] - t_was[3]  # undelivered tonnes
                        parts[y, ev, 3] += t[2] - t_was[2]  # extra cost
            late, tdays, extra, undel, later = t
            out[f, _LATE, y] = late
            out[f, _TDAYS, y] = tdays
            out[f, _UNDEL, y] = undel
            out[f, _EXTRA, y] = extra
            out[f, _PLANNING, y] = planning
            out[f, _REROUTED, y] = rerouted
            out[f, _WAITED, y] = waited
            # ---- stock-out days: the undisturbed count, corrected where the moves reach
            if f_stock0[f] == 0 and later <= f_margin[f] - 1e-9 * max(f_thr[f], 1.0):
                delta[span_lo : span_hi + 1] = 0.0
                continue
            thr = f_thr[f]
            cum = 0.0
            count = base_over[f, span_lo]
            for d in range(span_lo, HORIZON_DAYS):
                if d <= span_hi:
                    cum += delta[d]
                    delta[d] = 0.0
                elif abs(cum) <= 1e-9 * thr:
                    count += base_over[f, HORIZON_DAYS] - base_over[f, d]
                    break
                if base_backlog[f, d] - cum > thr:
                    count += 1
            out[f, 2, y] = float(count)
        # ---- restore the budget
        for a in range(n_routes):
            if taken[a, 1] > taken[a, 0]:
                for q in range(rc_ptr[a], rc_ptr[a + 1]):
                    _mark(changed, rc_idx[q], taken[a, 0], taken[a, 1])
                taken[a, 0] = HORIZON_DAYS
                taken[a, 1] = 0
        for k in range(len(spare)):
            for d in range(changed[k, 0], changed[k, 1]):
                budget[d, k] = spare[k]
            changed[k, 0] = HORIZON_DAYS
            changed[k, 1] = 0
    return out
