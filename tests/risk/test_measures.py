"""Comparison measures on hand-checkable cases (fixed durations, one event per route)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from corridor.analysis.queries import compare
from corridor.network.model import Network
from corridor.risk.measures import compare_measures, measures


def _with_events(net: Network, **changes: dict[str, float]) -> Network:
    """The bundled network with only the named events, changed as given."""
    events = tuple(replace(e, **changes[e.id]) for e in net.events if e.id in changes)
    return replace(net, events=events)


@pytest.fixture(scope="module")
def routes(bundled: Network) -> dict[str, object]:
    c = compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", network=bundled)
    return {r.family: r for r in c.routes}


def test_fixed_closure_on_paper(bundled: Network, routes: dict[str, object]) -> None:
    # One event on the China route: 0.1 a year, 60 days fixed, 100 % lost.
    # P(> 30 d) = 1 - exp(-0.1); tonne-days per t = 0.1 * 60² / 730 = 0.49315;
    # stock-out days at a 30-day stock = 0.1 * (60 - 30) = 3.
    one = {
        "events_per_year": 0.1,
        "duration_days": 60.0,
        "duration_days_p95": 60.0,
        "capacity_loss": 1.0,
        "delay_days": 0.0,
    }
    net = _with_events(bundled, EV_DOSTYK_WEATHER=one)
    m = measures(net, routes["china"], stock_days=30)  # type: ignore[arg-type]
    assert m.p_long_interruption == pytest.approx(1 - math.exp(-0.1))
    assert m.tonne_days_per_t == pytest.approx(0.1 * 3600 / 730)
    assert m.stockout_days == pytest.approx(3.0)
    # Half the capacity: the backlog grows at half a day a day, the stock lasts 60 days:
    # no stock-out; a 25-day closure is not "over 30 days".
    half = _with_events(bundled, EV_DOSTYK_WEATHER={**one, "capacity_loss": 0.5})
    assert measures(half, routes["china"], 30).stockout_days == 0  # type: ignore[arg-type]
    short = _with_events(
        bundled, EV_DOSTYK_WEATHER={**one, "duration_days": 25.0, "duration_days_p95": 25.0}
    )
    assert measures(short, routes["china"], 30).p_long_interruption == 0  # type: ignore[arg-type]
    # A route the event does not touch has none of it.
    assert measures(net, routes["trans_caspian"], 30).events == ()  # type: ignore[arg-type]


def test_shared_exposures_are_shown_once_apart(bundled: Network, routes: dict[str, object]) -> None:
    one = {
        "events_per_year": 0.1,
        "duration_days": 60.0,
        "duration_days_p95": 60.0,
        "capacity_loss": 1.0,
        "delay_days": 0.0,
    }
    net = _with_events(bundled, EV_JAPAN_PORT=one, EV_DOSTYK_WEATHER=one)
    both = [routes["china"], routes["trans_caspian"]]
    m = compare_measures(net, both, 30)  # type: ignore[arg-type]
    assert m.shared.events == ("EV_JAPAN_PORT",)
    assert m.shared.stockout_days == pytest.approx(3.0)
    assert m.routes[0].events == ("EV_DOSTYK_WEATHER",) and m.routes[
        0
    ].stockout_days == pytest.approx(3.0)
    assert m.routes[1].events == () and m.routes[1].stockout_days == 0


def test_bundled_china_and_trans_caspian_differ(bundled: Network) -> None:
    c = compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", network=bundled)
    assert c.measures is not None
    by = {r.family: m for r, m in zip(c.routes, c.measures.routes, strict=True)}
    # Different exposures, different figures (docs/risk.md explains which events drive them).
    assert by["trans_caspian"].p_long_interruption > by["china"].p_long_interruption
    assert set(by["china"].events).isdisjoint(by["trans_caspian"].events)
    assert "EV_JAPAN_PORT" in c.measures.shared.events
