"""The risk exposure index: hand-checkable TTS and impact, the TTR table, the ranking."""

from __future__ import annotations

from typing import Any

import pytest

from corridor.errors import RequestError
from corridor.network.model import Network
from corridor.risk.calendar import Schedule
from corridor.risk.exposure import (
    Element,
    TimeToRecover,
    rank_exposures,
    time_to_recover,
    ttr_table_of,
)
from corridor.risk.recovery import Figure, Recovery
from corridor.risk.timeline import TimedFlow, TimedPlan, TimedRoute

VOLUME = 365.0  # one tonne a day


def _plan(
    routes: tuple[TimedRoute, ...],
    planned: tuple[float, ...],
    stock: float,
    lead: float,
    spare: dict[str, float] | None = None,
) -> TimedPlan:
    flow = TimedFlow("c", "bulk", VOLUME, 0.0, routes, planned, stock, Schedule("even"))
    fig = Figure(lead, lead, lead, ("t",))
    rec = Recovery({("general", "*"): fig}, Figure(0.2, 0.2, 0.2, ("t",)))
    spare = spare or {}
    return TimedPlan((flow,), spare, {k: frozenset({k}) for k in spare}, rec)


def _route(name: str, cost: float, days: float, caps: tuple[str, ...] = ()) -> TimedRoute:
    # Route A crosses the border BORDER; B does not.
    targets = frozenset({name, "BORDER"} if name == "A" else {name})
    return TimedRoute(name, "china" if name == "A" else "tc", cost, days, targets, caps)


def _items(ttr: float, *ids: str) -> list[tuple[Element, TimeToRecover, dict[str, float]]]:
    return [
        (
            Element(i, "exposure", "chokepoint", i),
            TimeToRecover(ttr, ttr, ttr, "t", ("t",)),
            {"c": VOLUME},
        )
        for i in ids
    ]


def test_one_route_one_border_one_stock() -> None:
    # No alternative: a closure of D days leaves a backlog of D days of consumption, so the
    # 30-day stock rides out exactly 30 days (TTS = stock). Lost for TTR = 45 days: lots of
    # days 0..44 arrive on day 55: 45 - 30 = 15 stock-out days, 45 t late.
    plan = _plan((_route("A", 100.0, 10.0),), (VOLUME,), 30.0, lead=10.0)
    rows, _ = rank_exposures(plan, _items(45.0, "BORDER"), measure="stockout")
    (row,) = rows
    assert row.tts_days == 30.0
    assert row.first_out == "c"
    assert row.single_point  # TTS 30 < TTR 45
    assert row.impact.stockout_days == 15
    assert row.impact.late_t == pytest.approx(45.0)
    assert row.index == 1.0
    # A stock longer than the TTR: still TTS = stock, and no longer a single point.
    rows, _ = rank_exposures(
        _plan(plan.flows[0].routes, (VOLUME,), 50.0, 10.0), _items(45.0, "BORDER")
    )
    assert rows[0].tts_days == 50.0 and not rows[0].single_point


def test_an_alternative_with_spare_capacity_survives() -> None:
    # B (USD 150/t, same transit, not planned: lead 10 d, spot premium 20 %) has ample spare.
    # The backlog peaks at 10 days (the lead) < 30-day stock: the buyer survives any closure.
    # Lost for 45 days: lots of days 0..44 all go by B (those of days 0..9 leave on day 10),
    # each at 150 x 1.2 - 100 = USD 80/t more: USD 3,600; lots 0..9 arrive 10..1 days late.
    routes = (_route("A", 100.0, 10.0), _route("B", 150.0, 10.0, ("CAP_B",)))
    plan = _plan(routes, (VOLUME, 0.0), 30.0, lead=10.0, spare={"CAP_B": 50.0})
    (row,), _ = rank_exposures(plan, _items(45.0, "BORDER"))
    assert row.tts_days is None and not row.single_point
    assert row.impact.stockout_days == 0
    assert row.impact.rerouted_t == pytest.approx(45.0)
    assert row.impact.extra_cost_usd == pytest.approx(45.0 * 80.0)
    assert row.impact.late_t == pytest.approx(10.0)
    assert row.impact.tonne_days_late == pytest.approx(55.0)
    # A lead time longer than the stock: the backlog reaches the stock after 30 days.
    slow = _plan(routes, (VOLUME, 0.0), 30.0, lead=40.0, spare={"CAP_B": 50.0})
    assert rank_exposures(slow, _items(45.0, "BORDER"))[0][0].tts_days == 30.0


def test_index_is_normalised_and_equivalent_elements_are_listed_once() -> None:
    # A and BORDER cut the same route: with the same TTR they are one row; the route B
    # element with a shorter TTR costs less. Worst = 1.
    routes = (_route("A", 100.0, 10.0, ("CAP_A",)), _route("B", 150.0, 10.0, ("CAP_B",)))
    plan = _plan(
        routes, (VOLUME / 2, VOLUME / 2), 30.0, lead=10.0, spare={"CAP_A": 0.0, "CAP_B": 0.0}
    )
    items = _items(40.0, "BORDER", "A") + _items(20.0, "B")
    rows, notes = rank_exposures(plan, items, measure="late")
    assert [r.element.id for r in rows] == ["A", "B"]
    assert rows[0].same == ("BORDER",)
    assert rows[0].index == 1.0
    # Half the daily tonne on each route; nothing switches (no spare): 20 t late on A
    # (40 lots x 0.5 t), 10 t on B.
    assert rows[0].impact.late_t == pytest.approx(20.0)
    assert rows[1].index == pytest.approx(0.5)
    assert any("TTS" in n for n in notes)


def test_time_to_recover_from_events_and_table(bundled: Network) -> None:
    table = ttr_table_of(bundled)
    # Suez: the major events are the blockage (5 d, p95 6) and war (150 d, p95 2,900):
    # the longest median, ranging from the shortest median to the longest p95 (capped).
    suez = time_to_recover(bundled, Element("SUEZ", "exposure", "chokepoint", "Suez"), table)
    assert (suez.days, suez.low, suez.high) == (150.0, 5.0, 730.0)
    assert "EV_SUEZ_WAR" in suez.basis
    p95 = time_to_recover(bundled, Element("SUEZ", "exposure", "chokepoint", "Suez"), table, "p95")
    assert p95.days == 730.0
    # No event names a rail link: the table's estimate for rail links.
    rail = time_to_recover(bundled, Element("L_X", "link", "rail", "x"), table)
    assert rail.days == table["link", "rail"].value
    assert rail.basis.startswith("estimate")
    unknown = time_to_recover(bundled, Element("N", "node", "strange", "x"), table)
    assert unknown.days == table["node", "*"].value


def test_cli_exposure_json_of_the_all_china_split(tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from corridor.cli import app

    args = ["exposure", "examples/splits/ree_5000_all_china.yaml", "--format", "json"]
    res = CliRunner().invoke(app, [*args, "--store", str(tmp_path / "r.duckdb")])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout[: res.stdout.rindex("}") + 1])
    rows = doc["rows"]
    assert rows[0]["index"] == 1.0 and all(0 <= r["index"] <= 1 for r in rows)
    # All on China: China itself (no planned alternative outside it) lasts as long as the
    # stock; a Kazakh link on the Dostyk line is ridden out through Altynkol–Khorgos, whose
    # spare capacity (net of other traffic, counted once) takes the re-routed tonnes.
    by = {r["element"]: r for r in rows}
    assert by["CN"]["tts_days"] == 30.0
    moyinty = by["L_AKTOGAY_MOYINTY"]
    assert moyinty["survives"] and moyinty["impact"]["stockout_days"] == 0
    assert moyinty["impact"]["rerouted_t"] > 0
    bad = CliRunner().invoke(app, [*args[:2], "--measure", "nope", "--no-store"])
    assert isinstance(bad.exception, RequestError)  # the entry point exits 2 on it
