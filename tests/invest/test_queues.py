"""A project's effect on the simulated queues: its ``sim_whatif`` column, checked on load,
and the simulation with and without it on the same seed."""

from __future__ import annotations

import pytest

from corridor.errors import DataError, RequestError
from corridor.network.load import load_network
from corridor.network.projects import sim_whatif_problem, split_sim_whatif


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("extra_ferries", "2.5", "(whole)"),
        ("extra_ferries", "-1", "≥ 0"),
        ("customs_cut_hours", "inf", "finite"),
        ("customs_cut_hours", "١٢", "not a number"),
        ("second_track", "maybe", "yes or no"),
        ("handling_factor", "0", "above zero"),
        ("more_cranes", "1", "unknown what-if"),
    ],
)
def test_a_bad_sim_whatif_entry_is_named(name: str, value: str, message: str) -> None:
    problem = sim_whatif_problem(name, value)
    assert problem is not None and message in problem


def test_the_bundled_projects_name_their_queue_what_ifs() -> None:
    projects = {p.id: p for p in load_network().projects}
    assert projects["PRJ_CASPIAN_FERRIES"].sim_whatif == (("extra_ferries", "5"),)
    assert dict(projects["PRJ_DOSTYK_MOYINTY_2ND"].sim_whatif) == {"second_track": "yes"}
    assert projects["PRJ_ANAKLIA"].sim_whatif == ()
    assert split_sim_whatif(" a=1 ; b = 2 ;") == (("a", "1"), ("b", "2"))


def test_a_bad_sim_whatif_cell_fails_the_load_naming_row_and_column(tmp_path) -> None:
    import shutil

    from corridor.network.schema import bundled_data_dir

    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data)
    path = data / "projects.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("extra_ferries=5", "extra_ferries=five"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_network(data)
    found = [p for p in info.value.problems if p.column == "sim_whatif"]
    assert found and found[0].file.endswith("projects.csv") and "not a number" in found[0].message


def test_more_ferries_shorten_the_bulk_crossing_and_leave_the_containers_alone() -> None:
    pytest.importorskip("simpy")
    from corridor.invest.queues import queue_effects

    net = load_network()
    ferries = [p for p in net.projects if p.id == "PRJ_CASPIAN_FERRIES"]
    effects = {q.cargo: q for q in queue_effects(net, ferries, replications=3, seed=4)}
    # bulk rides the rail ferries: five more ferries cut its queue; containers take the feeders
    assert effects["bulk"].days_mean_change < -0.5
    assert effects["containers"].days_mean_change == pytest.approx(0.0, abs=1e-9)
    assert queue_effects(net, [p for p in net.projects if not p.sim_whatif], replications=3) == []
    with pytest.raises(RequestError, match="replications"):
        queue_effects(net, ferries, replications=0)
