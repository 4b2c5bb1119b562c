"""The corridor model end to end: seeds and Dask, what-ifs, the dwell overlay."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from corridor.analysis.queries import default_network
from corridor.errors import DataError, RequestError
from corridor.network import Network, load_network
from corridor.sim import WhatIf, load_params, replicate, simulate, write_dwell
from corridor.sim.model import ModelSpec
from corridor.sim.run import prepare

CASE = ("rare_earth_oxide", "KZ_ALMATY", "GE_POTI")
"""Containers: the cheapest route sails on the Aktau–Alat feeder."""
FERRY_CASE = ("rare_earth_concentrate", "KZ_ALMATY", "GE_POTI")
"""Bulk: the feeders carry only containers, so this one takes the rail ferry."""


@pytest.fixture(scope="module")
def net() -> Network:
    return default_network()


def _spec(
    net: Network, whatif: WhatIf | None = None, volume_t: float = 10_000, case: tuple = FERRY_CASE
) -> ModelSpec:
    return prepare(net, *case, volume_t, whatif=whatif).spec


def test_the_model_is_built_from_the_network(net: Network) -> None:
    spec = _spec(net)
    assert [p.node for p in spec.ports] == ["KZ_AKTAU", "KZ_KURYK"]
    kinds = [s.kind for s in spec.stages]
    assert kinds.count("ferry") == 1 and "handling" not in kinds  # loading is in the ferry
    # the loading time is the port node's handling time; 54 wagons × 0.9 low-water factor
    assert spec.ports[0].load_hours == net.node("KZ_AKTAU").handling_hours
    assert spec.ferry_wagons == 48
    # 760 TEU/day at Dostyk: a 43-wagon, 86-TEU train holds the yard 86/760 of a day
    dostyk = next(y for y in spec.yards if y.node == "KZ_DOSTYK")
    assert dostyk.service_hours == pytest.approx(86 / 760 * 24)


def test_containers_sail_on_the_feeder(net: Network) -> None:
    spec = _spec(net, case=CASE)
    kinds = [s.kind for s in spec.stages]
    assert "feeder" in kinds and "ferry" not in kinds
    assert spec.feeder is not None and spec.feeder.units == 6
    # 200 TEU × 0.9 low water; 27,800 TEU/yr in trains of 43 wagons × 2 TEU
    assert spec.feeder.capacity_teu == 180
    per_hour = spec.feeder.ports[0].direct_trains_per_hour
    assert per_hour * 8760 == pytest.approx(27_800 / 86)
    # Poti: 1,040 moves at 35 per hour + 3 h berthing
    poti = spec.call_berths[0]
    assert poti.berths == 2 and poti.liner_hours == pytest.approx(1040 / 35 + 3)
    faster = _spec(
        net, WhatIf(handling_factor=2, handling_port="GE_POTI", extra_berths=1), case=CASE
    )
    assert faster.call_berths[0].berths == 3
    assert faster.call_berths[0].liner_hours == pytest.approx(1040 / 70 + 3)
    assert faster.feeder is not None and faster.feeder.ports[0].load_hours == 18.0


def test_same_seed_same_numbers_on_dask(net: Network) -> None:
    distributed = pytest.importorskip("distributed")
    spec = _spec(net)
    here = replicate(spec, 4, seed=11)
    with distributed.Client(
        processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None
    ) as client:
        there = replicate(spec, 4, seed=11, client=client)
    assert [r.total_days for r in here] == [r.total_days for r in there]
    assert [r.throughput_t_per_year for r in here] == [r.throughput_t_per_year for r in there]
    other = replicate(spec, 4, seed=12)
    assert [r.total_days for r in other] != [r.total_days for r in here]


def _headline(net: Network, whatif: WhatIf | None) -> tuple[float, float, float, float]:
    reps = replicate(_spec(net, whatif, volume_t=20_000), 6, seed=5)
    days = [d for r in reps for d in r.total_days]
    return (
        float(np.mean(days)),
        float(np.quantile(days, 0.95)),
        float(np.mean([sum(r.throughput_t_per_year.values()) for r in reps])),
        float(np.mean([r.china_days for r in reps])),
    )


@pytest.fixture(scope="module")
def base(net: Network) -> tuple[float, float, float, float]:
    return _headline(net, None)


def test_one_more_ferry_shortens_the_wait(net: Network, base: tuple[float, ...]) -> None:
    mean, p95, throughput, _ = _headline(net, WhatIf(extra_ferries=1))
    assert mean < base[0] and p95 < base[1]
    assert throughput >= base[2] * 0.99


def test_faster_customs_shortens_the_trip(net: Network, base: tuple[float, ...]) -> None:
    mean, _, _, _ = _headline(net, WhatIf(customs_cut_hours=12))
    assert mean < base[0] - 0.5  # at least four dwells lose up to 12 h each


def test_faster_handling_at_every_port_shortens_the_trip(
    net: Network, base: tuple[float, ...]
) -> None:
    mean, _, _, _ = _headline(net, WhatIf(handling_factor=2.0))
    assert mean < base[0]


def test_second_track_speeds_the_china_trains(net: Network, base: tuple[float, ...]) -> None:
    *_, china = _headline(net, WhatIf(second_track=True))
    assert china < base[3]


def test_a_stormier_season_slows_and_cuts_throughput(net: Network, base: tuple[float, ...]) -> None:
    mean, p95, throughput, _ = _headline(net, WhatIf(storm_factor=2.0))
    assert mean > base[0] and p95 > base[1]
    assert throughput < base[2]


def test_write_dwell_is_an_overlay_compare_reads(net: Network, tmp_path: Path) -> None:
    result = simulate(net, *CASE, 10_000, replications=2, seed=3)
    out = write_dwell(result, net, tmp_path / "dwell")
    merged = load_network(overlay=out)
    assert merged.source("sim_dwell_seed3").kind == "computed"
    assert "seed 3" in merged.source("sim_dwell_seed3").method
    # the port dwell (customs) stays bundled: a wait on the node would hit both fleets
    assert merged.node("KZ_AKTAU").dwell_hours == net.node("KZ_AKTAU").dwell_hours
    assert not (out / "nodes.csv").exists()
    handled = net.node("KZ_AKTAU").handling_hours + net.node("AZ_ALAT").handling_hours
    for link, key in (
        ("F_AKTAU_ALAT", "ferry link KZ_AKTAU"),
        ("S_AKTAU_ALAT_FEEDER", "feeder link KZ_AKTAU"),
    ):
        row = merged.link(link)
        assert row.sources["transit_days"] == ("sim_dwell_seed3",)
        simulated = result.node_dwell_hours[key][0]
        assert row.transit_days == pytest.approx((simulated - handled) / 24, abs=0.01)
    # the feeder: at least the 24 h crossing and 2 × 18 h in port, less the 16 h handling
    assert merged.link("S_AKTAU_ALAT_FEEDER").transit_days >= (24 + 36 - handled) / 24
    with (out / "links.csv").open() as f:
        ids = {r["id"] for r in csv.DictReader(f)}
    assert ids == {"F_AKTAU_ALAT", "F_KURYK_ALAT", "S_AKTAU_ALAT_FEEDER"}


def test_compare_runs_with_the_dwell_overlay(net: Network, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from corridor.cli import app

    out = write_dwell(simulate(net, *CASE, 5_000, replications=1, seed=1), net, tmp_path / "d")
    args = ["compare", "--commodity", "rare_earth_oxide", "--origin", "KZ_ALMATY"]
    args += ["--destination", "JP_YOKOHAMA", "--overlay", str(out), "--format", "json"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "trans_caspian" in res.output


def test_bad_requests_name_the_problem(net: Network) -> None:
    with pytest.raises(RequestError, match="volume"):
        simulate(net, *CASE, -5)
    with pytest.raises(RequestError, match="replications"):
        simulate(net, *CASE, 1000, replications=0)
    with pytest.raises(RequestError, match="rail ferry or a container feeder"):
        simulate(net, "rare_earth_oxide", "KZ_ALMATY", "CN_LIANYUNGANG", 1000)
    with pytest.raises(RequestError, match="extra_ferries"):
        _spec(net, WhatIf(extra_ferries=-1))


def test_a_broken_resource_table_names_file_row_and_column(net: Network, tmp_path: Path) -> None:
    bad = tmp_path / "resources.csv"
    text = (Path(load_params(net).file)).read_text(encoding="utf-8")
    text = text.replace("ferry_units,7,", "ferry_units,-7,").replace(
        "ferry_wait_reports,Longest", "no_such_source,Longest"
    )
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_params(net, bad)
    messages = [str(p) for p in info.value.problems]
    assert any("row 2, column value" in m and "-7" in m for m in messages)
    assert any("'no_such_source' is not an id in" in m for m in messages)


def test_half_a_berth_table_and_a_wrong_feeder_link_are_named(net: Network, tmp_path: Path) -> None:
    bad = tmp_path / "resources.csv"
    lines = Path(load_params(net).file).read_text(encoding="utf-8").splitlines()
    lines = [ln for ln in lines if not ln.startswith("ctr_moves_per_hour_GE_POTI,")]
    text = "\n".join(lines).replace("feeder_links,S_AKTAU_ALAT_FEEDER,", "feeder_links,S_NOPE,")
    bad.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_params(net, bad)
    messages = [str(p) for p in info.value.problems]
    assert any("ctr_moves_per_hour_GE_POTI are missing" in m for m in messages)
    assert any("feeder_links: no link 'S_NOPE'" in m for m in messages)


def test_sim_sources_follow_the_provenance_rules(net: Network, tmp_path: Path) -> None:
    from corridor.sim._params import load_sim_sources, sim_sources_path

    rows = load_sim_sources(net)
    cited = {s for ids in load_params(net).sources.values() for s in ids}
    assert set(rows) <= cited  # no orphan rows
    assert all(r["method"] for r in rows.values() if r["kind"] != "quoted")
    bad = tmp_path / "sources.csv"
    text = sim_sources_path().read_text(encoding="utf-8")
    bad.write_text(text + "kuryk_storms,again,,2025,estimated,\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_sim_sources(net, bad)
    messages = [str(p) for p in info.value.problems]
    assert any("'kuryk_storms' is already a source id" in m for m in messages)
    assert any("estimated sources need a method" in m for m in messages)


def test_modelled_waits_come_off_the_sea_leg(net: Network) -> None:
    """The class 7 charter link's time holds a 21-day mean consolidation wait and the
    container links a 3.5-day wait for the weekly service (est_sea_transit); where the
    simulation models those waits as queues, the sea leg keeps only the rest."""
    import math

    def mean_h(stage) -> float:  # lognormal mean
        return math.exp(stage.mu + stage.sigma**2 / 2)

    u = prepare(net, "uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", 1000).spec
    kinds = [s.kind for s in u.stages]
    assert "consolidate" in kinds
    sea = next(s for s in u.stages if s.kind == "travel" and s.node.startswith("S_POTI"))
    link = net.link(sea.node)
    assert mean_h(sea) == pytest.approx((link.transit_days - 21) * 24, rel=1e-6)
    c = prepare(net, "containerised_cargo", "KZ_ALMATY", "JP_YOKOHAMA", 1000).spec
    call = next(s for s in c.stages if s.kind == "call")
    assert (call.node, call.hours) == ("GE_POTI", 168.0)
    sea = c.stages[c.stages.index(call) + 1]
    link = net.link(sea.node)
    assert "container" in link.service
    assert mean_h(sea) == pytest.approx((link.transit_days - 3.5) * 24, rel=1e-6)


def test_validate_model_reads_the_simulated_feeder(net: Network, tmp_path: Path) -> None:
    """The published Almaty → Poti figure is checked on the route's network days; with the
    dwell overlay its feeder leg carries the simulated days, and only that leg changes."""
    from corridor.analysis.validation import load_published, validate_model

    rows = [p for p in load_published() if p.id == "VAL_ALMATY_POTI_DAYS"]
    out = write_dwell(simulate(net, *CASE, 5_000, replications=2, seed=2), net, tmp_path / "d")
    merged = load_network(overlay=out)
    (before,) = validate_model(net, rows)
    (after,) = validate_model(merged, rows)
    assert before.model is not None and after.model is not None
    step = (
        merged.link("S_AKTAU_ALAT_FEEDER").transit_days
        - net.link("S_AKTAU_ALAT_FEEDER").transit_days
    )
    assert after.model - before.model == pytest.approx(step, abs=0.02)
