"""Chronic states: they hold between their dates, and only then change the network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from corridor.analysis.queries import default_network, routes
from corridor.errors import DataError
from corridor.network import load_network
from corridor.network.states import network_on, states_on
from corridor.optimize.capacity import capacities

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
HEADER = (
    "id,name_en,name_ja,kind,targets,start,end,capacity_factor,delay_days,"
    "surcharge_usd_per_t,sources,note\n"
)
# SUEZ closed in 2024 only; rail L3 at half capacity and two days slower from March 2024 on.
ROWS = (
    "ST_SUEZ,Suez shut,,closure,SUEZ,2024-01-01,2024-12-31,,,,hand,\n"
    "ST_L3,L3 works,,works,L3,2024-03-01,,0.5,2,3,hand,\n"
)


def _tiny(tmp_path: Path, rows: str = ROWS) -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "states.csv").write_text(HEADER + rows, encoding="utf-8")
    return folder


@pytest.fixture
def tiny_states(tmp_path: Path):
    return load_network(TINY, _tiny(tmp_path))


def test_a_state_applies_only_between_its_dates(tiny_states):
    before = network_on(tiny_states, dt.date(2023, 12, 31))
    during = network_on(tiny_states, dt.date(2024, 1, 1))
    last = network_on(tiny_states, dt.date(2024, 12, 31))
    after = network_on(tiny_states, dt.date(2025, 1, 1))
    assert before.has("links", "L6") and after.has("links", "L6")
    assert not during.has("links", "L6") and not last.has("links", "L6")
    assert [s.id for s in states_on(during)] == ["ST_SUEZ"]
    assert [s.id for s in states_on(after)] == ["ST_L3"]
    # While the Suez state holds the only route left is China's.
    fams = {r.family for r in routes("ore", "MINE", "DEST", k=5, network=during).routes}
    assert fams == {"china"}


def test_works_scale_capacity_and_add_time_and_cost(tiny_states):
    base = network_on(tiny_states, dt.date(2024, 2, 1)).link("L3")
    works = network_on(tiny_states, dt.date(2024, 3, 1)).link("L3")
    assert works.capacity_t_per_year == pytest.approx(0.5 * 500_000)
    assert works.transit_days == pytest.approx(base.transit_days + 2)
    assert works.transit_days_p95 == pytest.approx(base.transit_days_p95 + 2)
    assert works.tariff_usd_per_t == pytest.approx(base.tariff_usd_per_t + 3)
    assert capacities(network_on(tiny_states, dt.date(2024, 3, 1)))["L3"].note.count("ST_L3")


def test_states_are_not_applied_twice(tiny_states):
    day = network_on(tiny_states, dt.date(2024, 6, 1))
    with pytest.raises(ValueError, match="already set"):
        network_on(day, dt.date(2024, 6, 1))


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("ST_X,x,,closure,SUEZ,2024-13-01,,,,,hand,\n", "start", "not a date"),
        ("ST_X,x,,closure,SUEZ,2024-05-01,2024-04-30,,,,hand,\n", "end", "before the start"),
        ("ST_X,x,,closure,NOWHERE,2024-05-01,,,,,hand,\n", "targets", "not an id"),
        ("ST_X,x,,works,L3,2024-05-01,,1.5,,,hand,\n", "capacity_factor", "above the maximum"),
    ],
)
def test_bad_state_rows_name_file_row_and_field(tmp_path, row, field, message):
    with pytest.raises(DataError) as info:
        load_network(TINY, _tiny(tmp_path, row))
    problem = next(p for p in info.value.problems if p.column == field)
    assert problem.file.endswith("states.csv") and problem.row == 2
    assert message in problem.message


def test_the_bundled_red_sea_state_sends_western_routes_round_the_cape():
    before = default_network(dt.date(2023, 6, 1))
    now = default_network(dt.date(2026, 12, 1))
    assert before.has("links", "S_POTI_YOKOHAMA_CTR") and not now.has(
        "links", "S_POTI_YOKOHAMA_CTR"
    )
    found = routes("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", k=10, network=now)
    west = [r for r in found.routes if r.family == "trans_caspian"]
    assert west and all("SUEZ" not in r.chokepoints for r in west)
    assert all("CAPE_OF_GOOD_HOPE" in r.chokepoints for r in west)


def test_the_bundled_low_water_state_derates_the_caspian_ferries():
    before = capacities(default_network(dt.date(2023, 6, 1)))["caspian_rail_ferry_fleet"]
    now = capacities(default_network(dt.date(2026, 12, 1)))["caspian_rail_ferry_fleet"]
    assert now.total == pytest.approx(before.total * 0.846)


def test_no_event_describes_a_state_again():
    """A chronic condition is a state; the events table keeps only sudden interruptions."""
    net = load_network()
    for state in net.states:
        for event in net.events:
            assert set(event.targets) != set(state.targets), (event.id, state.id)
    ids = {e.id for e in net.events}
    assert not ids & {"EV_RED_SEA", "EV_CASPIAN_FLEET"}


def test_a_capacity_figure_of_a_later_year_does_not_apply_earlier():
    from corridor.analysis.queries import bundled_network

    net = bundled_network()
    row = next(r for r in net.capacities if r.id == "CAP_POTI_CTR")
    assert (row.year, row.capacity_t_per_year) == (2025, 14_000_000)
    before = capacities(network_on(net, dt.date(2024, 12, 31)))["poti_container_terminal"]
    after = capacities(network_on(net, dt.date(2025, 1, 1)))["poti_container_terminal"]
    # from 2025 the row's figure less its 2025 use; before, the links.csv figure, unused
    assert after.capacity_t_per_year == pytest.approx(14_000_000 - 12_720_000)
    smallest = min(
        link.capacity_t_per_year
        for link in net.links
        if link.capacity_group == "poti_container_terminal" and link.capacity_t_per_year
    )
    assert before.capacity_t_per_year == pytest.approx(smallest)
