"""Investment appraisal: a hand-checked two-route case, the projects table, the selection
against brute force, and the command line."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import DataError, RequestError
from corridor.invest import Item, Money, brute_force, invest, select
from corridor.network.load import load_network

HEADER = (
    "id,name_en,name_ja,kind,status,as_of,capex_usd,capex_low_usd,capex_high_usd,"
    "opex_usd_per_year,lead_years,lifetime_years,edits,effect_low,effect_high,sources,note\n"
)
PROJECTS = HEADER + (
    "PRJ_WEST,Double the west line,,rail,planned,2026-01-01,1000000,800000,1500000,0,0,1,"
    "expand:L5:100,0.5,1,hand,relieves the binding west line\n"
    "PRJ_CHINA,Double the China line,,rail,planned,2026-01-01,500000,400000,600000,0,0,1,"
    "expand:L3:100,1,1,hand,the China line does not bind\n"
)
CONTRACTS = """name: two routes
contracts:
  - id: ore_800k
    commodity: ore
    origin: MINE
    destination: DEST
    volume_t_per_year: 800000
"""


@pytest.fixture
def two_routes(tiny_copy: Path) -> Path:
    """The tiny network with the west line (L5) capped at 500,000 t/yr and two projects."""
    path = tiny_copy / "links.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in rows:
        if r["id"] == "L5":
            r["capacity_t_per_year"] = "500000"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    (tiny_copy / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    (tiny_copy / "contracts.yaml").write_text(CONTRACTS, encoding="utf-8")
    return tiny_copy


def test_the_project_that_relieves_the_binding_line_ranks_first(two_routes: Path) -> None:
    # Ore (USD 1,000/t) MINE -> DEST, 800,000 t/yr. Two routes (carbon price 0, insurance
    # on both routes alike, carrying 10 %/yr):
    #   West  MINE-HUB road 100 km x 0.1 = 10; HUB handling 3; HUB-PORT_W rail 3,000 km x
    #         0.02 = 60; PORT_W handling 12; sea 40; DEST fee 2          -> 127 USD/t
    #         days 1 + 4 + 30 = 35, hours 6 + 12 + 24 + 24 = 66 (2.75 d) -> 37.75 d,
    #         inventory 1,000 x 10 % x 37.75 / 365 = 10.34; Suez war risk 0.05 % of the
    #         value (x 1.1 insured) = 0.55                                  -> 137.89 USD/t
    #   China road 10; HUB 3; rail 1,000 x 0.02 = 20; BORDER_A gauge change 10 + fee 5;
    #         rail 3,000 x 0.03 = 90; PORT_C 8; sea 15; DEST fee 2          -> 163 USD/t
    #         days 1 + 1.25 + 4 + 4 = 10.25, hours 6 + 24 + 40 + 12 + 24 + 24 = 130
    #         (5.42 d) -> 15.67 d, inventory 4.29                           -> 167.29 USD/t
    # The west line (500,000 t/yr) binds: 500,000 t go west and 300,000 t by China.
    # PRJ_WEST doubles it: all 800,000 t go west, saving 300,000 x (167.29 - 137.89)
    # = USD 8.82 m a year. PRJ_CHINA doubles a line that does not bind: no change.
    # At a 0 % discount rate over one year: NPV(west) = 8.82 m - 1.0 m = 7.82 m;
    # NPV(china) = -0.5 m. The low case takes half the effect against the high capex:
    # 4.41 - 1.5 = 2.91 m.
    net = load_network(two_routes)
    r = invest(
        two_routes / "contracts.yaml",
        network=net,
        money=Money(discount_rate=0.0),
        corridor_traffic=False,
        combinations=(),
    )
    west, china = r.ranked
    assert west.ids == ("PRJ_WEST",) and china.ids == ("PRJ_CHINA",)
    assert west.extra_t_per_year == pytest.approx(0.0, abs=1e-6)
    assert west.benefit() == pytest.approx(8.82e6, rel=0.01)
    assert west.npv() == pytest.approx(7.82e6, rel=0.01)
    assert west.npv("low") == pytest.approx(2.91e6, rel=0.02)
    assert china.benefit() == pytest.approx(0.0, abs=1.0)
    assert china.npv() == pytest.approx(-0.5e6, abs=1.0)
    assert west.days_saved_per_t < 0  # the west route is slower: time costs are in the plan
    # The cheapest route (west, 137.89 USD/t) already avoids China, before and after: no
    # premium of avoiding China, and no change of it.
    assert west.premium_change_usd_per_t["avoid China"] == pytest.approx(0.0, abs=1e-9)
    assert [e.ids for e in r.selected] == [("PRJ_WEST",)]
    assert r.selection.capex_usd == pytest.approx(1e6)
    assert r.to_dict()["selected"]["projects"] == ["PRJ_WEST"]


def test_a_budget_below_the_capex_selects_nothing(two_routes: Path) -> None:
    net = load_network(two_routes)
    r = invest(two_routes / "contracts.yaml", network=net, budget_usd=9e5, corridor_traffic=False)
    assert r.selected == [] and r.selection.capex_usd == 0.0


def test_the_bundled_projects_load_with_their_edits() -> None:
    from corridor.network.projects import project_scenario
    from corridor.network.scenario import apply_scenario

    net = load_network()
    ids = {p.id for p in net.projects}
    assert {"PRJ_ANAKLIA", "PRJ_DOSTYK_MOYINTY_2ND", "PRJ_CASPIAN_FERRIES"} <= ids
    for p in net.projects:
        assert p.capex_low_usd <= p.capex_usd <= p.capex_high_usd
        assert p.sources  # every figure carries a source
        applied = apply_scenario(project_scenario([p], net), net)
        assert applied.network is not net
    anaklia = next(p for p in net.projects if p.id == "PRJ_ANAKLIA")
    added = apply_scenario(project_scenario([anaklia], net), net).network
    assert added.has("links", "S_ANAKLIA_YOKOHAMA_CTR")
    ferries = next(p for p in net.projects if p.id == "PRJ_CASPIAN_FERRIES")
    more = apply_scenario(project_scenario([ferries], net), net).network
    before = {x.id: x.capacity_t_per_year for x in net.links}
    after = {x.id: x.capacity_t_per_year for x in more.links}
    assert after["F_KURYK_ALAT"] == pytest.approx(before["F_KURYK_ALAT"] * 1.2)


@pytest.mark.parametrize(
    ("edits", "column", "message"),
    [
        ("expand:NOPE:10", "edits", "not a link, capacity group or node"),
        ("commission:CAP_NOPE", "edits", "not a planned row"),
        ("grow:L5:10", "edits", "unknown edit"),
        ("expand:L5:-5", "edits", "positive percent"),
        ("add:missing.yaml", "edits", "no file projects/missing.yaml"),
    ],
)
def test_a_bad_projects_row_names_file_row_and_column(
    two_routes: Path, edits: str, column: str, message: str
) -> None:
    text = PROJECTS.replace("expand:L5:100", edits)
    (two_routes / "projects.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_network(two_routes)
    found = [p for p in info.value.problems if p.file.endswith("projects.csv")]
    assert found and found[0].row == 2 and found[0].column == column
    assert message in found[0].message


def test_capex_outside_its_range_is_refused(two_routes: Path) -> None:
    text = PROJECTS.replace("1000000,800000,1500000", "1000000,1200000,1500000")
    (two_routes / "projects.csv").write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match="capex_low_usd"):
        load_network(two_routes)


items_st = st.lists(
    st.tuples(
        st.sets(st.integers(0, 4), min_size=1, max_size=2),
        st.floats(0, 100, allow_nan=False),
        st.floats(-50, 100, allow_nan=False),
    ),
    min_size=0,
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(items_st, st.floats(0, 300, allow_nan=False))
def test_the_milp_equals_brute_force(
    raw: list[tuple[set[int], float, float]], budget: float
) -> None:
    items = [Item(tuple(f"P{i}" for i in sorted(ids)), c, v) for ids, c, v in raw]
    milp, brute = select(items, budget), brute_force(items, budget)
    assert milp.npv_usd == pytest.approx(brute.npv_usd, abs=1e-6)
    assert milp.capex_usd <= budget + 1e-6
    bought = [p for j in milp.chosen for p in items[j].ids]
    assert len(bought) == len(set(bought))  # each project once, alone or in one combination


def test_a_combination_excludes_its_members() -> None:
    # Ferry alone 10, berth alone 5, both together 40 (worth more than the sum): the MILP
    # takes the combination, never the combination and a member.
    items = [Item(("F",), 10, 10), Item(("B",), 10, 5), Item(("F", "B"), 20, 40)]
    best = select(items, 100)
    assert best.chosen == (2,) and best.npv_usd == 40
    assert select(items, 15).chosen == (0,)


def test_a_negative_budget_is_refused() -> None:
    with pytest.raises(RequestError, match="budget"):
        select([Item(("A",), 1, 1)], -1)


def _cli(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CORRIDOR_DATA=str(data))
    return subprocess.run(
        [sys.executable, "-m", "corridor", "invest", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_cli_json_and_errors(two_routes: Path) -> None:
    contracts = str(two_routes / "contracts.yaml")
    # This network has no events or recovery table: the in-time risk is refused ...
    no_risk = _cli("--contracts", contracts, "--no-corridor-traffic", data=two_routes)
    assert no_risk.returncode == 2 and "risk_recovery.csv" in no_risk.stderr
    assert "Traceback" not in no_risk.stderr
    # ... and left out with --years 0.
    p = _cli(
        "--contracts",
        contracts,
        "--no-corridor-traffic",
        "--format",
        "json",
        "--years",
        "0",
        data=two_routes,
    )
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert [x["ids"] for x in doc["ranked"]] == [["PRJ_WEST"], ["PRJ_CHINA"]]
    assert doc["ranked"][0]["capex_usd"] == 1e6
    assert doc["selected"]["projects"] == ["PRJ_WEST"]
    assert doc["selected"]["total_capex_usd"] == 1e6
    assert "saved as run" in p.stderr
    bad = _cli("--contracts", contracts, "--budget", "lots", data=two_routes)
    assert bad.returncode == 2 and "--budget" in bad.stderr and "Traceback" not in bad.stderr
    years = _cli("--contracts", contracts, "--years", "-1", data=two_routes)
    assert years.returncode == 2 and "--years" in years.stderr
    missing = _cli("--contracts", str(two_routes / "none.yaml"), data=two_routes)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    unknown = _cli("--contracts", contracts, "--project", "PRJ_X", data=two_routes)
    assert unknown.returncode == 2 and "PRJ_X" in unknown.stderr


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_report_has_the_ranked_table_and_the_chart(two_routes: Path, lang: str) -> None:
    from corridor.report.invest import render_invest_report

    net = load_network(two_routes)
    r = invest(two_routes / "contracts.yaml", network=net, corridor_traffic=False)
    html = render_invest_report(r, lang)
    assert "<svg" in html and html.count("<circle") == 2
    # ranked: the west line first (names in the table; no Japanese names in this data)
    assert html.index("Double the west line") < html.index("Double the China line")
    assert ("正味現在価値" in html) == (lang == "ja")


EVENTS = (
    "id,name_en,kind,targets,events_per_year,duration_days,duration_days_p95,capacity_loss,"
    "delay_days,surcharge_usd_per_t,insurance_pct_add,sources,note\n"
    "EV_CHINA_LINE,China line closed,closure,L3,0.5,120,120,1,,,,hand,one closure\n"
)
RECOVERY = (
    "id,kind,key,to,value,low,high,unit,sources,note\n"
    "RC_LEAD,lead_time,general,*,1000,1000,1000,d,hand,no switch within the year\n"
    "RC_SPOT,spot_premium,*,*,0,0,0,share,hand,\n"
)


@pytest.fixture
def closure(two_routes: Path) -> Path:
    """The two-route case with one closure of the China line (L3) and the recovery table."""
    (two_routes / "events.csv").write_text(EVENTS, encoding="utf-8")
    (two_routes / "risk_recovery.csv").write_text(RECOVERY, encoding="utf-8")
    return two_routes


def test_a_closure_of_the_china_line_gives_stock_out_days_only_without_the_west_project(
    closure: Path,
) -> None:
    # Without PRJ_WEST 300,000 of the 800,000 t/yr go by China (3/8 of the daily 2,191.8 t);
    # with it all go west. The west line has no spare (500,000 t/yr, all planned) and no
    # switch is possible within the year, so the China lots of a 120-day closure from day 100
    # wait and all arrive after it. The buyer's backlog grows by 3/8 of a day's need a day,
    # above the 30-day stock after 30 / (3/8) = 80 days: 120 − 80 = 40 stock-out days a
    # closure without the project, none with it. Lacking supply: 40 d × 2,191.8 t × USD 1,000
    # = USD 87.7 m, of which the shortfall share (30 %) is USD 26.3 m.
    from dataclasses import replace

    import numpy as np

    from corridor.contracts.io import load_contracts
    from corridor.invest.intime import RiskSettings, prepare, simulate
    from corridor.network.projects import project_scenario
    from corridor.network.scenario import apply_scenario
    from corridor.optimize.planning import plan
    from corridor.risk.intime_fast import Occurrences

    net = load_network(closure)
    pf = load_contracts(closure / "contracts.yaml", net)
    settings = RiskSettings(years=1, stock_days=30)
    west = next(p for p in net.projects if p.id == "PRJ_WEST")
    edited_net = apply_scenario(project_scenario([west], net), net).network
    base = prepare(plan(pf, network=net), frozenset(), settings)
    edited = prepare(plan(pf, network=edited_net), frozenset(), settings)
    # The closure touches the China route: planned without, an alternative with the project.
    assert base.events == edited.events == {"EV_CHINA_LINE"}
    one = np.array([0])
    occ = Occurrences(one, one, np.array([100]), np.array([120]), 1)
    before = simulate(base, base.events, settings, occ)
    after = simulate(edited, base.events, settings, occ)
    assert before["stockout_days"][0] == pytest.approx(40.0)
    assert after["stockout_days"][0] == 0.0
    assert before["stockout_value_usd"][0] == pytest.approx(
        before["stockout_days"][0] * 800_000 / 365 * 1000
    )
    # Both plans are run on the union of their events: an event relevant to one plan only
    # is drawn for both (here: the base plan told it has none still gets the closure).
    from corridor.invest.intime import risk_change

    union = risk_change(replace(base, events=frozenset()), edited, RiskSettings(years=50))
    assert union.without == risk_change(base, edited, RiskSettings(years=50)).without
    assert union.without["stockout_days"] > 0
    # The west project changes only a capacity: its re-routing candidates are the base
    # network's, reused, and the same as searched afresh.
    known: list[tuple[object, dict[str, object]]] = []
    prepare(plan(pf, network=net), frozenset(), settings, known)
    reused = prepare(plan(pf, network=edited_net), frozenset(), settings, known)
    assert len(known) == 1
    assert reused.fast.plan.flows == edited.fast.plan.flows
    # A longer stock covers the closure: 45 days / (3/8) = 120 days, no stock-out.
    longer = prepare(plan(pf, network=net), frozenset(), replace(settings, stock_days=45))
    assert simulate(longer, base.events, settings, occ)["stockout_days"][0] == 0.0


def test_invest_counts_the_stock_out_days_avoided_on_common_random_numbers(
    closure: Path,
) -> None:
    from corridor.invest.intime import RiskSettings

    net = load_network(closure)
    r = invest(
        closure / "contracts.yaml",
        network=net,
        money=Money(discount_rate=0.0),
        corridor_traffic=False,
        combinations=(),
        risk=RiskSettings(years=400, seed=3),
    )
    by_id = {e.ids: e for e in r.items}
    west, china = by_id[("PRJ_WEST",)], by_id[("PRJ_CHINA",)]
    assert west.risk is not None and china.risk is not None
    # The same years without the project for both (common random numbers) ...
    assert west.risk.without == china.risk.without
    base = west.risk.without["stockout_days"]
    # ... a closure rate of 0.5 a year at ~40 stock-out days each (fewer near the year's end)
    assert 5 < base < 25
    # PRJ_WEST moves every tonne off the closed line: all the stock-out days go.
    assert west.risk.with_["stockout_days"] == 0.0
    assert west.risk.change("stockout_days") == pytest.approx(-base)
    assert west.risk.change("cvar95_stockout_days") < 0
    # PRJ_CHINA changes no plan: no change at all, and no Monte Carlo error.
    assert china.risk.change("stockout_days") == 0.0 and china.risk.stderr["stockout_days"] == 0
    value = west.risk.without["stockout_value_usd"]
    assert west.stockout_benefit() == pytest.approx(0.30 * value)
    assert west.stockout_benefit("low") == pytest.approx(0.10 * value)
    assert west.benefit() == pytest.approx(8.82e6 + 0.30 * value, rel=0.01)
    d = r.to_dict()
    row = next(x for x in d["ranked"] if x["ids"] == ["PRJ_WEST"])
    assert row["stockout_days_change"] == pytest.approx(-base)
    assert row["in_time"]["years"] == 400 and d["in_time"]["seed"] == 3
    assert "400 simulated years" in d["approximation"]


def test_the_report_shows_the_stock_out_change_with_its_error(closure: Path) -> None:
    from corridor.invest.intime import RiskSettings
    from corridor.report.invest import render_invest_report

    net = load_network(closure)
    r = invest(
        closure / "contracts.yaml",
        network=net,
        corridor_traffic=False,
        combinations=(),
        risk=RiskSettings(years=100),
    )
    html = render_invest_report(r, "en")
    west = next(e for e in r.items if e.ids == ("PRJ_WEST",))
    assert west.risk is not None
    change, err = west.risk.change("stockout_days"), west.risk.stderr["stockout_days"]
    assert "Δ stock-out days a year" in html and f"{change:+,.1f} ± {err:.1f}" in html
    assert "100 simulated years" in html


def test_the_api_and_the_cli_simulate_the_same_default_years() -> None:
    import inspect

    from corridor.cli.invest import invest_cmd
    from corridor.invest.intime import DEFAULT_YEARS
    from corridor.web.schemas import InvestBody

    cli = inspect.signature(invest_cmd).parameters["years"].default
    assert InvestBody.model_fields["years"].default == DEFAULT_YEARS == cli == 1_000
