"""Cutting a year where its dated states change, and averaging its costs by days."""

from __future__ import annotations

import datetime as dt

import pytest

from corridor.market.choice import FamilyCost
from corridor.market.dated import blend, known_states, same_every_year, year_stretches
from corridor.network.model import State


def _state(sid: str, start: dt.date, end: dt.date | None = None, months=()) -> State:
    return State(sid, sid, "", "regime", ("X",), start, end, 1.0, 1.0, 0.0, {}, "", months)


def _fc(cost: float, days: float, exposures=("KZ",)) -> FamilyCost:
    return FamilyCost("tc", cost, days, days + 2, exposures, 1000.0, 1.0, 4.0)


def test_a_year_is_cut_where_the_states_in_force_change():
    winter = _state("W", dt.date(2016, 1, 1), months=(11, 12))
    closure = _state("C", dt.date(2023, 12, 15))
    got = year_stretches([winter, closure], 2023)
    assert [(s.first_day, s.days, set(s.states)) for s in got] == [
        (dt.date(2023, 1, 1), 304, set()),  # January to October
        (dt.date(2023, 11, 1), 44, {"W"}),  # 1 November – 14 December
        (dt.date(2023, 12, 15), 17, {"W", "C"}),
    ]
    assert sum(s.days for s in got) == 365
    # a year before the closure never sees it
    assert all("C" not in s.states for s in year_stretches([winter, closure], 2022))


def test_a_state_not_yet_known_is_left_out():
    closure = _state("C", dt.date(2023, 12, 15))
    assert known_states([closure], dt.date(2023, 12, 14)) == ()
    assert known_states([closure], dt.date(2023, 12, 15)) == (closure,)
    assert known_states([closure], None) == (closure,)


def test_blend_weights_by_days_and_unites_exposures():
    got = blend([(300.0, {"tc": _fc(100, 20)}), (65.0, {"tc": _fc(200, 40, ("KZ", "CAPE"))})])
    tc = got["tc"]
    assert tc.cost_usd_per_t == pytest.approx((300 * 100 + 65 * 200) / 365)
    assert tc.days_mean == pytest.approx((300 * 20 + 65 * 40) / 365)
    assert tc.days_p95 == pytest.approx(tc.days_mean + 2)
    assert tc.exposures == ("KZ", "CAPE")


def test_a_fixed_table_is_the_same_every_year():
    fixed = {"tc": _fc(100, 20)}
    costs_of = same_every_year(fixed)
    assert costs_of(2021, None) == costs_of(2025, dt.date(2024, 1, 1)) == fixed
