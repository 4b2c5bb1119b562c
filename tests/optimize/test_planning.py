"""Volume planning against hand-solved cases; contracts files; the plan and capacity CLI.

The two-route network (tests/test_capacity.py): O → A (China) → D costs USD 100/t,
O → B (Georgia) → D USD 150/t; the China rail section OA holds 600 t/yr unless a test
says otherwise.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from corridor.analysis import default_network
from corridor.cli import app
from corridor.contracts.io import load_contracts
from corridor.contracts.model import PORTFOLIO, Contract, ContractError, Portfolio, Rule
from corridor.optimize.planning import plan
from tests.optimize.test_maxflow import commodity, link, network, node, two_routes

TINY = Path(__file__).parents[1] / "fixtures" / "tiny"
EXAMPLE = Path(__file__).parents[2] / "examples" / "contracts.yaml"


def ore(volume: float, cid: str = "c1", **kw: object) -> Contract:
    return Contract(cid, str(kw.pop("commodity", "ore")), ("O",), ("D",), volume, **kw)  # type: ignore[arg-type]


def flows_by_family(result) -> dict[str, float]:
    out: dict[str, float] = {}
    for f in result.flows:
        out[f.route.family] = out.get(f.route.family, 0.0) + f.t_per_year
    return out


# --------------------------------------------------------------------------- hand-solved


def test_two_routes_one_bottleneck_split_and_shadow_price():
    r = plan([ore(1000)], network=two_routes(cap_china=600))
    assert flows_by_family(r) == pytest.approx({"china": 600, "trans_caspian": 400})
    assert r.total_cost_usd_per_year == pytest.approx(600 * 100 + 400 * 150)
    (oa,) = r.utilisation
    assert oa.capacity.id == "OA" and oa.used_t_per_year == pytest.approx(600)
    # One more t/yr of OA moves a tonne from the 150 route to the 100 route: saves 50.
    assert oa.shadow_price_usd_per_t == pytest.approx(50)
    assert [(b.kind, b.id) for b in r.bindings] == [("capacity", "OA")]
    assert not r.shortfalls


def test_the_data_version_is_hashed_when_first_read_not_by_the_plan():
    net = two_routes(cap_china=600)
    r = plan([ore(1000)], network=net)
    assert net.derived.peek("data_version") is None  # the plan did not need it
    assert r.data_version == net.data_version == net.derived.peek("data_version")
    assert len(r.data_version) == 64 and r.to_dict()["data_version"] == r.data_version


def test_slack_capacity_has_zero_shadow_price():
    r = plan([ore(500)], network=two_routes(cap_china=600))
    assert flows_by_family(r) == pytest.approx({"china": 500})
    assert r.utilisation[0].shadow_price_usd_per_t == pytest.approx(0)
    assert not r.bindings


def test_max_share_on_a_country_forces_the_split_computed_on_paper():
    # No capacities. At most 30 % via CN: 300 t on China (100), 700 t on Georgia (150).
    rules = [Rule("CN", "exposure", max_share=0.3)]
    r = plan([ore(1000)], network=two_routes(None), rules=rules)
    assert flows_by_family(r) == pytest.approx({"china": 300, "trans_caspian": 700})
    (cost,) = r.rule_costs
    assert cost.cost_with_usd_per_year == pytest.approx(300 * 100 + 700 * 150)
    assert cost.cost_without_usd_per_year == pytest.approx(1000 * 100)
    assert cost.cost_usd_per_year == pytest.approx(35_000)
    (binding,) = r.bindings
    # Relaxing the share by one point moves 10 t to the cheaper route: USD 500/yr.
    assert binding.kind == "rule" and binding.shadow_price == pytest.approx(500)


def test_family_min_share_clause():
    c = ore(1000, clauses=(Rule("trans_caspian", "family", min_share=0.25, scope="c1"),))
    r = plan([c], network=two_routes(None))
    assert flows_by_family(r) == pytest.approx({"china": 750, "trans_caspian": 250})
    assert r.rule_costs[0].cost_usd_per_year == pytest.approx(250 * 50)


def test_portfolio_scope_lets_contracts_trade_their_shares():
    # Contract b's freight costs twice as much: China 200, Georgia 300 (saving 100/t on
    # China against 50/t for contract a). At most half of ALL tonnes via CN: b all on
    # China, a all on Georgia. At most half of EACH contract: both split 50/50.
    net = two_routes(None, dear=commodity("dear", factor=2.0))
    contracts = [ore(1000, "a"), ore(1000, "b", commodity="dear")]
    whole = plan(contracts, network=net, rules=[Rule("CN", "exposure", 0.5, scope=PORTFOLIO)])
    assert whole.total_cost_usd_per_year == pytest.approx(1000 * 150 + 1000 * 200)
    each = plan(contracts, network=net, rules=[Rule("CN", "exposure", 0.5)])
    assert each.total_cost_usd_per_year == pytest.approx(500 * 250 + 500 * 500)


def test_capacity_is_shared_across_commodities_and_directions():
    # 400 t of ore O → D and 400 t of a second commodity D → O both want OA (600 t/yr).
    net = two_routes(cap_china=600, other=commodity("other"))
    back = Contract("back", "other", ("D",), ("O",), 400)
    r = plan([ore(400), back], network=net)
    assert r.utilisation[0].used_t_per_year == pytest.approx(600)
    assert r.total_cost_usd_per_year == pytest.approx(600 * 100 + 200 * 150)
    assert r.link_flows["OA"] == pytest.approx({"ore": 400, "other": 200}) or r.link_flows[
        "OA"
    ] == pytest.approx({"ore": 200, "other": 400})


def test_an_oil_pipeline_carries_only_crude():
    # A cheap pipeline O → D (liquid only) next to the two rail routes.
    nodes = [node("O", "KZ", "production_site"), node("A", "CN"), node("B", "GE")]
    nodes.append(node("D", "JP", "destination_port"))
    base = two_routes(cap_china=600)
    pipe = link("PIPE", "O", "D", 10, ("KZ", "JP"), mode="pipeline", cap=100, cargo=("liquid",))
    net = network(nodes, (*base.links, pipe), (commodity("ore"), commodity("crude", "liquid")))
    r = plan([ore(1000), Contract("oil", "crude", ("O",), ("D",), 50)], network=net)
    assert r.link_flows["PIPE"] == pytest.approx({"crude": 50})
    # The pipeline has 50 t/yr spare, but ore cannot use it: OA still binds for the ore.
    ore_flows = {f.route.family: f.t_per_year for f in r.flows if f.contract == "c1"}
    assert ore_flows == pytest.approx({"china": 600, "trans_caspian": 400})
    assert {u.capacity.id: u.shadow_price_usd_per_t for u in r.utilisation} == pytest.approx(
        {"OA": 50, "PIPE": 0}
    )


def test_infeasible_demand_reports_the_shortfall_and_the_binding_capacities():
    r = plan([ore(1000)], network=two_routes(cap_china=600, cap_caspian=300))
    (short,) = r.shortfalls
    assert short.contract == "c1" and short.short_t_per_year == pytest.approx(100)
    assert "capacity OA (rail, Place O – Place A: 600 t/yr, sources src_OA) is full" in short.causes
    assert any(c.startswith("capacity OB (") and c.endswith(" is full") for c in short.causes)
    assert flows_by_family(r) == pytest.approx({"china": 600, "trans_caspian": 300})
    assert r.to_dict()["shortfalls"][0]["short_t_per_year"] == 100.0


def test_a_rule_that_cannot_be_met_is_named_as_the_cause():
    # Every route crosses CN or GE; CN at most 20 % and Georgia's route full at 300 t.
    rules = [Rule("CN", "exposure", max_share=0.2)]
    r = plan([ore(1000)], network=two_routes(None, cap_caspian=300), rules=rules)
    (short,) = r.shortfalls
    assert short.short_t_per_year == pytest.approx(1000 - 375)  # 300 GE + 75 CN (20 %)
    assert any(c.startswith("rule at most 20% via CN") for c in short.causes)
    assert r.rule_costs[0].short_t_per_year == pytest.approx(625)


def test_a_commodity_with_no_route_falls_short_with_the_reason(tiny):
    gas = Contract("gas", "gas", ("MINE",), ("DEST",), 1000)
    r = plan([gas, Contract("ore", "ore", ("MINE",), ("DEST",), 10)], network=tiny)
    (short,) = r.shortfalls
    assert short.contract == "gas" and short.short_t_per_year == pytest.approx(1000)
    assert "no gas pipeline or LNG terminal" in short.causes[0]


@settings(max_examples=25, deadline=None)
@given(
    volume=st.floats(100, 5000),
    cap_china=st.floats(0, 3000),
    cap_caspian=st.floats(0, 3000),
    share=st.floats(0.05, 0.95),
)
def test_solutions_respect_capacities_rules_and_volumes(volume, cap_china, cap_caspian, share):
    rules = [Rule("CN", "exposure", max_share=share)]
    r = plan([ore(volume)], network=two_routes(cap_china, cap_caspian), rules=rules)
    shipped = sum(f.t_per_year for f in r.flows)
    assert shipped + r.shortfall_t_per_year == pytest.approx(volume)
    for u in r.utilisation:
        assert u.used_t_per_year <= u.capacity.capacity_t_per_year + 1e-6
        assert u.shadow_price_usd_per_t >= -1e-6
    china = sum(f.t_per_year for f in r.flows if "CN" in f.route.countries)
    assert china <= share * shipped + 1e-6
    # Nothing that could be delivered is left short: the best split without a penalty.
    best = min(volume, cap_caspian + min(cap_china, share / (1 - share) * cap_caspian))
    # Flows below the LP's tolerance (1e-6 t per route) are read out as zero, so a capacity of
    # a few micro-tonnes may ship nothing: allow that much, no more.
    assert shipped == pytest.approx(best, rel=1e-6, abs=1e-5)


# --------------------------------------------------------------------------- contracts


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


YAML = """\
    name: test portfolio
    contracts:
      - id: c1
        commodity: ore
        origin: O
        destinations: [D]
        volume_t_per_year: 1000
        period: 2026
        illustrative: true
        families:
          trans_caspian: {min_share: 0.25}
        exposures:
          CN: {max_share: 0.9}
    rules:
      - exposure: CN
        max_share: 0.8
        scope: portfolio
"""


def test_yaml_and_csv_give_the_same_contracts(tmp_path):
    net = two_routes(None)
    from_yaml = load_contracts(write(tmp_path, "c.yaml", YAML), net)
    csv_text = """\
        id,commodity,origins,destinations,volume_t_per_year,period,illustrative,family_min_share,exposure_max_share
        c1,ore,O,D,1000,2026,yes,trans_caspian=0.25,CN=0.9
    """
    from_csv = load_contracts(write(tmp_path, "c.csv", csv_text), net)
    assert from_csv.contracts == from_yaml.contracts
    assert from_yaml.rules == (Rule("CN", "exposure", 0.8, None, PORTFOLIO),)
    assert from_yaml.name == "test portfolio"
    r = plan(from_yaml, network=net)
    assert flows_by_family(r) == pytest.approx({"china": 750, "trans_caspian": 250})


def test_every_problem_is_listed_with_line_and_field(tmp_path):
    bad = """\
        contracts:
          - id: c1
            commodity: oree
            origin: O
            destination: NOWHERE
            volume_t_per_year: -5
            voulme: 3
          - id: c1
            commodity: ore
            origin: O
            destination: D
            volume_t_per_year: 10
            families:
              arctic: {max_share: 30}
            avoid: [ATLANTIS]
        rules:
          - exposure: CN
            max_share: 0.5
            scope: somewhere
    """
    with pytest.raises(ContractError) as info:
        load_contracts(write(tmp_path, "bad.yaml", bad), two_routes())
    text = str(info.value)
    expected = [
        ("line 3, field commodity", "unknown commodity 'oree' (did you mean ore?)"),
        ("line 5, field destinations", "unknown node 'NOWHERE'"),
        ("line 6, field volume_t_per_year", "volume must be positive, not -5"),
        ("line 7, field voulme", "did you mean 'volume_t_per_year'?"),
        ("field families.arctic.max_share", "give shares as fractions (0.3 for 30 %)"),
        ("line 15, field avoid", "unknown exposure 'ATLANTIS'"),
        ("line 19, field scope", "scope 'somewhere' is not"),
        ("line 8, field id", "contract id 'c1' is used more than once"),
    ]
    for where, what in expected:
        assert any(where in line and what in line for line in text.splitlines()), (where, text)
    assert all(isinstance(p.row, int) for p in info.value.problems)


def test_csv_problems_name_the_row_and_column(tmp_path):
    csv_text = """\
        id,commodity,origins,destinations,volume_t_per_year,family_max_share
        c1,ore,O,D,lots,china=0.5
        c2,ore,O,D,10,china:0.5
    """
    with pytest.raises(ContractError) as info:
        load_contracts(write(tmp_path, "c.csv", csv_text), two_routes())
    text = str(info.value)
    assert "c.csv, row 2, field volume_t_per_year: contract 'c1': 'lots' is not a number" in text
    assert "row 3, field family_max_share: 'china:0.5' is not NAME=SHARE" in text


def test_unreadable_or_malformed_files_are_errors_not_tracebacks(tmp_path):
    with pytest.raises(ContractError, match="cannot read"):
        load_contracts(tmp_path / "missing.yaml", two_routes())
    with pytest.raises(ContractError, match="line 3: not valid YAML: while parsing"):
        load_contracts(write(tmp_path, "x.yaml", "contracts:\n  - id: [\n"), two_routes())
    with pytest.raises(ContractError, match=r"give a \.yaml, \.yml or \.csv file"):
        load_contracts(write(tmp_path, "x.txt", "x"), two_routes())


def test_rules_given_in_python_are_checked():
    with pytest.raises(ContractError, match="unknown exposure 'XX'"):
        plan([ore(10)], network=two_routes(), rules=[Rule("XX", "exposure", 0.5)])
    with pytest.raises(ContractError, match="volume must be positive"):
        plan([ore(-1)], network=two_routes())
    with pytest.raises(ContractError, match="unknown commodity"):
        plan(Portfolio((ore(1, commodity="copper"),)), network=two_routes())


def test_the_example_portfolio_is_sourced_or_marked_illustrative():
    portfolio = load_contracts(EXAMPLE, default_network())
    assert {c.commodity for c in portfolio.contracts} >= {
        "rare_earth_concentrate",
        "rare_earth_oxide",
        "uranium_ore_concentrate",
        "crude_oil",
    }
    for c in portfolio.contracts:
        assert c.illustrative != bool(c.source), c.id
        assert c.note or c.source, c.id
    by_id = {c.id: c for c in portfolio.contracts}
    assert by_id["reo_sareco"].volume_t_per_year == 1500  # SARECO design output
    assert by_id["uoc_kharasan"].volume_t_per_year == round(2000 * 1.1792)


def test_the_example_portfolio_plans_on_the_bundled_network():
    r = plan(EXAMPLE, network=default_network())
    # The Caspian crude tankers are the only non-Russian crude route, and the KMG–SOCAR
    # allowance (2.2 Mt/yr, 1.392 Mt already used by other Kazakh crude; season and low water
    # applied) leaves 314,100 t/yr: with at most 50 % via RU, at most 2 × 314,100 t/yr can
    # go. The example asks for 600,000 t/yr, which fits: no shortfall, so no shadow price
    # made of the shortfall penalty.
    tanker = next(u for u in r.utilisation if u.capacity.id == "T_AKTAU_SANGACHAL")
    assert tanker.capacity.capacity_t_per_year == pytest.approx(
        2_200_000 * (10 + 2 * 0.5) / 12 * 0.846 - 1_392_000
    )
    crude_volume = next(
        c.volume_t_per_year for c in r.portfolio.contracts if c.id == "crude_tengiz"
    )
    assert crude_volume <= 2 * tanker.capacity.capacity_t_per_year
    assert not r.shortfalls
    crude = [f for f in r.flows if f.contract == "crude_tengiz"]
    via_ru = sum(f.t_per_year for f in crude if "RU" in f.route.countries)
    # Russia is the cheaper crude route, so the 50 % cap binds: half and half.
    assert via_ru == pytest.approx(0.5 * crude_volume)
    assert tanker.used_t_per_year == pytest.approx(0.5 * crude_volume)
    ru_rule = next(c for c in r.rule_costs if c.rule.target == "RU")
    ru_route = next(f.route for f in crude if "RU" in f.route.countries)
    tc_route = next(f.route for f in crude if "RU" not in f.route.countries)
    assert ru_rule.cost_usd_per_year == pytest.approx(
        0.5 * crude_volume * (tc_route.cost_usd_per_t - ru_route.cost_usd_per_t), rel=1e-6
    )
    assert all("RU" not in f.route.countries for f in r.flows if f.contract.startswith("uoc"))


# --------------------------------------------------------------------------- CLI


runner = CliRunner()


def _contracts_for_tiny(tmp_path: Path) -> Path:
    # uoc can only go by the China rail section L3 (500,000 t/yr): 100,000 t/yr fall short.
    text = """\
        contracts:
          - id: ore_a
            commodity: ore
            origin: MINE
            destination: DEST
            volume_t_per_year: 1000
            illustrative: true
          - id: uoc_b
            commodity: uoc
            origin: MINE
            destination: DEST
            volume_t_per_year: 600000
            illustrative: true
    """
    return write(tmp_path, "tiny.yaml", text)


def test_cli_plan_json_report_and_store(tmp_path):
    path = _contracts_for_tiny(tmp_path)
    store = tmp_path / "runs.duckdb"
    report = tmp_path / "plan.html"
    args = ["plan", str(path), "--data", str(TINY), "--store", str(store)]
    res = runner.invoke(app, [*args, "--format", "json", "--report", str(report)])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert {"flows", "utilisation", "shortfalls"} <= set(d)
    u = next(u for u in d["utilisation"] if u["id"] == "L3")
    assert {"id", "capacity_t_per_year", "used_t_per_year", "shadow_price_usd_per_t"} <= set(u)
    assert u["used_t_per_year"] == 500000.0 and u["shadow_price_usd_per_t"] > 0
    (short,) = d["shortfalls"]
    assert short["contract"] == "uoc_b" and short["short_t_per_year"] == 100000.0
    assert short["causes"][0].startswith("capacity L3 (block train, Border A – Port C: 500,000")
    html = report.read_text()
    assert "<svg" in html and 'class="flow"' in html and "Cost of each rule" in html
    assert "saved as run plan-" in res.stderr


def test_cli_plan_table_csv_and_max_share(tmp_path):
    path = _contracts_for_tiny(tmp_path)
    base = ["plan", str(path), "--data", str(TINY), "--no-store"]
    res = runner.invoke(app, [*base, "--max-share", "CN=0.5"])
    assert res.exit_code == 0, res.output
    assert "Flows by route" in res.stdout and "at most 50% via CN" in res.stdout
    res = runner.invoke(app, [*base, "--format", "csv"])
    assert res.stdout.splitlines()[0].startswith("contract,commodity,origin,destination,route")
    res = runner.invoke(app, [*base, "--max-share", "CN=half"])
    assert res.exit_code != 0 and "EXPOSURE_OR_FAMILY=SHARE" in str(res.exception)


def test_cli_capacity_names_the_bottleneck_with_its_source(tmp_path):
    args = ["capacity", "--commodity", "uoc", "--origin", "MINE", "--destination", "DEST"]
    res = runner.invoke(app, [*args, "--data", str(TINY), "--store", str(tmp_path / "r.db")])
    assert res.exit_code == 0, res.output
    assert "500,000 t/yr" in res.stdout and "L3" in res.stdout and "hand" in res.stdout
    res = runner.invoke(app, [*args[:2], "ore", *args[3:], "--data", str(TINY), "--no-store"])
    assert "no capacity figure limits this corridor" in res.stdout


def three_routes():
    """O -> X1/X2/X3 -> D at USD 100, 120, 150 per t, each first leg capped at 400 t/yr."""
    nodes = [node("O", "KZ", "production_site"), node("D", "JP", "destination_port")]
    nodes += [node(f"X{i}", "KZ") for i in (1, 2, 3)]
    links = []
    for i, cost in ((1, 100), (2, 120), (3, 150)):
        links.append(link(f"OX{i}", "O", f"X{i}", cost, ("KZ",), cap=400))
        links.append(link(f"X{i}D", f"X{i}", "D", 0, ("KZ", "JP"), mode="sea"))
    return network(nodes, links)


def test_column_generation_adds_the_routes_the_candidates_miss():
    # Three parallel domestic routes (no families, no rules): k=1 finds only the cheapest.
    net = three_routes()
    first_only = plan([ore(1000)], network=net, k=1, max_rounds=0)
    assert first_only.candidates == 1 and first_only.shortfall_t_per_year == pytest.approx(600)
    r = plan([ore(1000)], network=net, k=1)
    assert sorted(f.t_per_year for f in r.flows) == pytest.approx([200, 400, 400])
    assert r.total_cost_usd_per_year == pytest.approx(400 * 100 + 400 * 120 + 200 * 150)
    assert "optimal over every route of the network" in r.notes[0]
    # One more t/yr on the cheapest leg replaces a tonne at 150: USD 50/yr.
    prices = {u.capacity.id: u.shadow_price_usd_per_t for u in r.utilisation}
    assert prices == pytest.approx({"OX1": 50, "OX2": 30, "OX3": 0})
