"""Scenario files: each edit does what it says, each mistake is a message, the base stays."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.analysis.whatif import whatif
from corridor.network.load import load_network
from corridor.network.model import Network
from corridor.network.scenario import ScenarioError, apply_scenario
from corridor.network.scenario_io import load_scenario
from tests.conftest import TINY

EXAMPLES = sorted(Path("examples/scenarios").glob("*.yaml"))
CLI = "from corridor.cli import main; main()"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def applied(tmp_path: Path, tiny: Network, text: str) -> Network:
    return apply_scenario(load_scenario(write(tmp_path, text), tiny), tiny).network


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_shipped_examples_load_apply_and_leave_the_base_alone(path: Path):
    base = load_network()
    before = [(x.id, x.capacity_t_per_year, x.transit_days) for x in base.links]
    dwell = base.node("KZ_AKTAU").dwell_hours
    scenario = load_scenario(path, base)
    assert scenario.illustrative and scenario.source and scenario.edits
    edited = apply_scenario(scenario, base).network
    assert edited is not base
    assert [(x.id, x.capacity_t_per_year, x.transit_days) for x in base.links] == before
    assert base.node("KZ_AKTAU").dwell_hours == dwell
    assert all(base.has("links", x.id) for x in base.links)


def test_close_derate_delay_tariff(tmp_path: Path, tiny: Network):
    net = applied(
        tmp_path,
        tiny,
        """
name: edits
edits:
  - close: L3
    days: 73
  - derate: L2
    percent: 25
  - delay: PORT_W
    days: -2
  - delay: L6
    days: 3
  - tariff: L4
    factor: 2
""",
    )
    assert net.link("L3").capacity_t_per_year == pytest.approx(500_000 * (1 - 73 / 365))
    assert net.link("L2").capacity_t_per_year == pytest.approx(750_000)
    assert net.node("PORT_W").dwell_hours == 0.0  # 24 h - 48 h, floored
    assert net.link("L6").transit_days == pytest.approx(33)
    assert net.link("L4").tariff_usd_per_t == pytest.approx(30)


def test_close_outright_removes_links_and_notes_what_has_no_capacity(tmp_path: Path, tiny: Network):
    scenario = load_scenario(
        write(tmp_path, "name: n\nedits:\n  - close: BORDER_A\n  - close: SUEZ\n    days: 30\n"),
        tiny,
    )
    result = apply_scenario(scenario, tiny)
    assert not result.network.has("links", "L2") and not result.network.has("links", "L3")
    assert any("L6" in note and "no capacity figure" in note for note in result.notes)


def test_add_node_and_link_open_a_new_route(tmp_path: Path, tiny: Network):
    from corridor.analysis.queries import routes

    net = applied(
        tmp_path,
        tiny,
        """
name: new port
edits:
  - add_node: {id: PORT_N, name_en: New port, country: GE, kind: seaport, lat: 42.4, lon: 41.6,
               cargo_classes: [container], gauges_mm: [1520]}
  - add_link: {id: L7, from: HUB, to: PORT_N, mode: rail, gauge_mm: 1520, family: trans_caspian,
               distance_km: 2900, transit_days: 3.5, tariff_usd_per_tkm: 0.02,
               cargo_classes: [container], countries: [KZ, GE], bidirectional: true,
               emission_factor: ef_rail}
  - add_link: {id: L8, from: PORT_N, to: DEST, mode: sea, family: trans_caspian,
               distance_km: 16000, transit_days: 28, tariff_usd_per_t: 30,
               cargo_classes: [container], countries: [GE, JP], chokepoints: [SUEZ],
               bidirectional: false, emission_factor: ef_sea}
""",
    )
    found = routes("ore", "MINE", "DEST", k=5, network=net).routes
    assert any("PORT_N" in r.gateways for r in found)


def test_new_event_is_added_with_its_fields(tmp_path: Path, tiny: Network):
    net = applied(
        tmp_path,
        tiny,
        """
name: events
events:
  - id: EV_NEW
    name_en: Port W strike
    kind: closure
    targets: [PORT_W]
    events_per_year: 0.5
    duration_days: 10
    capacity_loss: 1
""",
    )
    (ev,) = net.events
    assert (ev.id, ev.targets, ev.events_per_year, ev.duration_days_p95) == (
        "EV_NEW",
        ("PORT_W",),
        0.5,
        10.0,
    )


def test_override_of_a_bundled_event_keeps_its_other_fields(tmp_path: Path):
    base = load_network()
    path = write(tmp_path, "name: n\nevents:\n  - id: EV_KZ_CONGESTION\n    events_per_year: 1\n")
    net = apply_scenario(load_scenario(path, base), base).network
    old, new = base.event("EV_KZ_CONGESTION"), net.event("EV_KZ_CONGESTION")
    assert new.events_per_year == 1.0 and old.events_per_year == 0.5
    assert (new.targets, new.capacity_loss, new.sources) == (
        old.targets,
        old.capacity_loss,
        old.sources,
    )


BAD = """
name: broken
illustrative: maybe
colour: red
edits:
  - close: DOSTIK
    days: 60
  - derate: L2
    percent: 100
  - delay: L6
  - tariff: L4
  - close: L3
    derate: L3
  - close: L3
    dayz: 4
  - add_link: {id: L9, from: HUB, to: NOWHERE, mode: rail, family: china, distance_km: 10,
               transit_days: 1, cargo_classes: [container], countries: [KZ],
               bidirectional: true, emission_factor: ef_rail}
  - 42
events:
  - id: EV_X
    events_per_year: 1
  - id: EV_Y
    name_en: y
    kind: closure
    targets: [ATLANTIS]
    events_per_year: -1
    duration_days: 3
  - id: EV_X
    events_per_year: 2
"""


def test_every_problem_is_reported_with_file_line_field_and_entry(tmp_path: Path, tiny: Network):
    path = write(tmp_path, BAD)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, tiny)
    text = str(caught.value)
    for expected in (
        f"{path}, line 3, field illustrative: scenario: must be true or false",
        "line 4, field colour: scenario: unknown field 'colour'",
        "line 6, field close: edit 1 (close DOSTIK for 60 days): unknown link, capacity "
        "group, node or exposure 'DOSTIK'",
        "line 9, field percent: edit 2 (derate L2): percent must be more than 0 and less than 100",
        "field days: edit 3 (delay L6): 'days' is required",
        "edit 4 (tariff L4): give usd_per_t, usd_per_tkm or factor",
        "edit 5: give exactly one of close, derate, delay, tariff, commission, add_node, add_link",
        "field dayz: edit 6 (close L3): unknown field 'dayz' (did you mean 'days'?)",
        "field to: edit 7 (add_link L9): unknown node 'NOWHERE'",
        "field gauge_mm: edit 7 (add_link L9): rail links need a gauge",
        "line 5, field edits: edit 8 is not a mapping of fields",
        "field name_en: event EV_X (new): 'name_en' is required for a new event",
        "field targets: event EV_Y (new): 'ATLANTIS' is not an exposure, link or node id",
        "field events_per_year: event EV_Y (new): events_per_year -1 is below the minimum 0",
        "line 29, field id: event EV_X is given more than once",
    ):
        assert expected in text, expected
    assert len(caught.value.problems) >= 14


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: [unclosed\n", "not valid YAML"),
        ("- just a list\n", "must be a mapping"),
        ("name: nothing\n", "give at least one edit or event"),
        ("edits:\n  - close: L3\n", "'name' is required"),
    ],
)
def test_file_level_problems(tmp_path: Path, tiny: Network, text: str, message: str):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(write(tmp_path, text), tiny)


def test_missing_file_is_a_message(tmp_path: Path, tiny: Network):
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.yaml", tiny)


def test_whatif_deltas_by_family(tmp_path: Path, tiny: Network):
    path = write(tmp_path, "name: n\nedits:\n  - derate: L3\n    percent: 50\n")
    result = whatif(path, commodity="ore", origin="MINE", destination="DEST", network=tiny)
    rows = {d.figure: d for d in result.deltas}
    china = rows["China capacity (maximum flow)"]
    assert (china.base, china.scenario, china.change) == (500_000, 250_000, -250_000)
    assert rows["cheapest route: cost"].change == 0
    closed = write(tmp_path, "name: n\nedits:\n  - close: L3\n")
    gone = {
        d.figure: d
        for d in whatif(
            closed, commodity="ore", origin="MINE", destination="DEST", network=tiny
        ).deltas
    }
    assert gone["China route"].scenario_text == "no route"


def test_whatif_needs_one_kind_of_request(tmp_path: Path, tiny: Network):
    from corridor.errors import RequestError

    path = write(tmp_path, "name: n\nedits:\n  - close: L3\n")
    with pytest.raises(RequestError, match="either contracts"):
        whatif(path, network=tiny)


def corridor(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CORRIDOR_DATA=str(TINY))
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_whatif_command_table_and_errors(tmp_path: Path):
    good = write(tmp_path, "name: Half of L3\nedits:\n  - derate: L3\n    percent: 50\n")
    p = corridor(
        "whatif", str(good), "--commodity", "ore", "--origin", "MINE", "--destination", "DEST"
    )
    assert p.returncode == 0, p.stderr
    assert "China capacity (maximum flow)" in p.stdout and "-250,000" in p.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    p = corridor(
        "whatif", str(bad), "--commodity", "ore", "--origin", "MINE", "--destination", "DEST"
    )
    assert p.returncode == 2
    assert "Traceback" not in p.stderr and "line 6, field close" in p.stderr
