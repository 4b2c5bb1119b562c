"""Reports and briefs that read: per-commodity layers of the plan map, a summary first, the
shortfall-penalty shadow prices named, clear errors for the brief."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import corridor
from corridor.analysis.queries import default_network
from corridor.errors import RequestError
from corridor.report import brief as brief_module
from corridor.report.html import render_report
from corridor.report.plan import MAX_WIDTH, commodity_layer, render_plan_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def planned():
    return corridor.plan(ROOT / "examples" / "contracts.yaml", network=default_network())


def test_each_commodity_has_its_own_layer_scaled_to_its_tonnes(planned):
    html = render_plan_report(planned)
    commodities = {c for by in planned.link_flows.values() for c in by}
    assert set(re.findall(r'<figure data-commodity="([a-z_]+)"', html)) == commodities
    layer = commodity_layer(planned.link_flows, "uranium_ore_concentrate")
    assert layer and all(set(by) == {"uranium_ore_concentrate"} for by in layer.values())
    uranium = html.split('data-commodity="uranium_ore_concentrate"')[1].split("</figure>")[0]
    widths = [float(w) for w in re.findall(r'class="flow"[^>]*stroke-width="([0-9.]+)"', uranium)]
    assert max(widths) == pytest.approx(MAX_WIDTH, abs=0.01)  # not swamped by 1 Mt of crude


def test_route_report_opens_with_a_summary():
    result = corridor.compare(
        "uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", volume=1000
    )
    html = render_report([result], default_network(), "t", {})
    assert html.index('id="summary"') < html.index('id="section-1"')
    summary = html.split('id="summary"')[1].split("</section>")[0]
    assert "cheapest China: Dostyk → Alashankou → Lianyungang" in summary
    assert "avoid China +" in summary
    # the condition, where the route is
    assert "Needs Chinese competent-authority approval of class 7 transit" in html


SHORT = """
name: too much uranium for the Caspian ferries
contracts:
  - id: uoc_big
    commodity: uranium_ore_concentrate
    origin: KZ_NORTH_KHARASAN
    destinations: [JP_YOKOHAMA]
    volume_t_per_year: 9000000
    illustrative: true
    note: far above the Caspian ferry capacity, to force a shortfall
    exposures:
      CN: {max_share: 0}
      RU: {max_share: 0}
"""


def test_penalty_driven_shadow_prices_are_marked(tmp_path: Path):
    """9 Mt/yr of U3O8 avoiding China and Russia: far more than the class-7 capacities carry,
    so the binding capacities' duals come from the shortfall penalty, which the output says."""
    contracts = tmp_path / "short.yaml"
    contracts.write_text(SHORT, encoding="utf-8")
    result = corridor.plan(contracts, network=default_network(), shortfall_penalty=50_000)
    d = result.to_dict()
    assert d["summary"]["shortfall_t_per_year"] > 0
    driven = [u for u in d["utilisation"] if u["shadow_price_from_shortfall_penalty"]]
    dearest = max(f["cost_usd_per_t"] for f in d["flows"])
    # a dual above the dearest route used can only be the penalty (less a route cost)
    assert driven and all(dearest < u["shadow_price_usd_per_t"] <= 50_000 for u in driven)
    assert max(u["shadow_price_usd_per_t"] for u in driven) >= 50_000 - dearest - 1e-6
    assert any("shortfall penalty of USD 50,000/t" in n for n in d["notes"])
    page = brief_module.plan_brief(result, default_network(), "en")
    assert "comes from the shortfall penalty of USD 50,000/t" in page


def test_brief_errors_are_clear(tmp_path: Path, monkeypatch):
    with pytest.raises(RequestError, match=r"must end in \.html or \.pdf"):
        brief_module.write_brief(tmp_path / "x.docx", "<html></html>")
    monkeypatch.setattr(brief_module, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RequestError, match="headless Chromium, which is not installed"):
        brief_module.write_brief(tmp_path / "x.pdf", "<html></html>")


def test_brief_shows_the_premium_band_when_computed_and_says_so_otherwise():
    net = default_network()
    plain = corridor.compare(
        "rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", volume=10_000, network=net
    )
    page = brief_module.compare_brief(plain, net, "en")
    assert "Premium band: not computed" in page
    assert "未計算" in brief_module.compare_brief(plain, net, "ja")
    banded = corridor.compare(
        "rare_earth_concentrate",
        "KZ_ZHANA_KZ",
        "JP_YOKOHAMA",
        volume=10_000,
        network=net,
        uncertainty=64,
    )
    assert banded.uncertainty is not None
    band = banded.uncertainty.bands["premium:avoid China"]
    assert band.p5 < band.p95  # the estimates' ranges move the premium
    line = brief_module.compare_brief(banded, net, "en").split('data-testid="band">')[1]
    line = line.split("</p>")[0]
    assert "over 64 joint draws" in line and "not computed" not in line
    assert f"Avoiding China {band.base:+,.0f} ({band.p5:+,.0f} to {band.p95:+,.0f})" in line


def test_brief_risk_headline_is_the_serious_measure_and_the_any_disruption_figure_is_explained():
    """A board reader sees the chance of a >30-day, >=30 % interruption first; the 90 %-odd
    chance of some disruption in a year is said to be mostly short or partial ones."""
    from corridor.risk.measures import measures

    net = default_network()
    result = corridor.compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", network=net)
    best = result.cheapest
    long = measures(net, best).p_long_interruption
    assert 0 < long < best.risk.annual_probability  # the serious measure is the rarer one
    for lang, words in (("en", "Short or partial disruptions"), ("ja", "短期・部分的な途絶")):
        page = brief_module.compare_brief(result, net, lang)
        line = page.split('data-testid="risk">')[1].split("</p>")[0]
        headline, rest = line.split("</strong>")
        assert brief_module._pct(long) in headline and "30" in headline
        assert f"{best.risk.annual_probability:.0%}" in rest and words in rest
        assert f"{best.risk.annual_probability:.0%}" not in headline
    assert brief_module._pct(0.0312) == "3.1%" and brief_module._pct(0.923) == "92%"
    assert brief_module._pct(0.0004) == "<0.1%"


def test_brief_names_a_port_capacity_that_binds():
    """Uranium's China capacity is bound by Lianyungang's class-7 allowance (a node, not a
    link): the brief names the port instead of a dash."""
    from corridor.optimize.maxflow import max_flow

    net = default_network()
    result = corridor.compare(*("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA"))
    cap = max_flow(
        "uranium_ore_concentrate", ["KZ_NORTH_KHARASAN"], ["JP_YOKOHAMA"], families=["china"],
        network=net,
    )  # fmt: skip
    assert cap.bottlenecks[0].capacity.node == "CN_LIANYUNGANG"
    for lang, port in (("en", "Lianyungang"), ("ja", "連雲港")):
        page = brief_module.compare_brief(result, net, lang, capacity={"china": cap})
        assert f"32,500 (binding: {port}" in page or f"32,500（制約: {port}" in page, lang


def test_japanese_route_report_has_japanese_summary_headings_tables_and_names():
    net = default_network()
    result = corridor.compare(
        "uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", volume=1000, network=net
    )
    en = render_report([result], net, "t")
    ja = render_report([result], net, "t", lang="ja")
    assert '<html lang="ja">' in ja and '<html lang="en">' in en
    summary = ja.split('<section id="summary">')[1].split("</section>")[0]
    assert "要約" in summary and "最安は" in summary and result.cheapest.label_ja in summary
    assert "中国回避" in summary and "avoid China" not in summary
    for heading in ("比較した経路", "中国・ロシアを回避する費用", "経路のない系統", "各経路の区間"):
        assert f">{heading}</h" in ja, heading
    for english in ("Routes compared", "Legs of each route", ">Summary<", ">Route<"):
        assert english in en and english not in ja, english
    for route in result.routes:
        assert route.label_ja in ja
    assert "承認" in ja.split("比較した経路")[1]  # the China route's condition, in Japanese
    sentences = ja.split('<ul class="findings premium">')[1].split("</ul>")[0]
    alt = result.premium[0]  # avoid China: the Russian route, dearer and slower
    assert alt.premium_usd_per_t is not None and alt.premium_usd_per_t > 0
    assert (
        f"中国を回避すると（{alt.route.label_ja}）、費用はUSD {alt.premium_usd_per_t:,.0f}/t高く"
        in (sentences)
    )
    assert "ロシアの回避に追加費用はない" in sentences and "Avoiding" not in sentences
    legend = ja.split('<figure class="map">')[1].split("</figure>")[0]
    assert "横浜港" in legend and "Yokohama<" not in legend  # the map's labels and legend
    # the Iran family has no route for class 7: its reason reads in Japanese
    south = ja.split("経路のない系統")[1].split("</ul>")[0]
    assert "貨物を運ばない" in south and "carry" not in south, south


def test_brief_premium_lines_carry_the_comparison_measures_not_disrupted_days():
    """Avoiding China (the Russian route) adds risk by the compare table's measures; the brief
    says the same (it once printed the old "disrupted days", which fell by 6.6 a year and read
    as if the Russian route were the safer one)."""
    from corridor.risk.measures import compare_measures

    net = default_network()
    result = corridor.compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", network=net)
    m = compare_measures(net, result.routes)
    at = {r.signature: i for i, r in enumerate(result.routes)}
    alt = result.premium[0]  # avoid China
    assert alt.route is not None
    mine, best = m.routes[at[alt.route.signature]], m.routes[at[result.cheapest.signature]]
    dp = (mine.p_long_interruption - best.p_long_interruption) * 100
    ds = mine.stockout_days - best.stockout_days
    assert dp > 0 and ds > 0  # the Russian route is the riskier one
    en = brief_module.compare_brief(result, net, "en")
    assert f"&gt;30-day interruption {dp:+.1f} pts/yr, stock-out {ds:+.1f} d/yr at a 30-day" in en
    assert "Avoiding Russia: the cheapest route already does (no premium)." in en
    assert "disrupted days/yr." not in en.split('data-testid="band"')[0]
    ja = brief_module.compare_brief(result, net, "ja")
    assert f"30日超の途絶 {dp:+.1f}ポイント/年、在庫30日分での欠品 {ds:+.1f}日/年" in ja


def test_plan_brief_names_every_contract_split_and_its_map_legend_is_in_the_language(planned):
    """The brief lists each contract's split (the 2,358 t of U3O8 are not crowded out by
    600,000 t of crude) under the commodity's name, and the map's legend speaks Japanese."""
    net = default_network()
    ja = brief_module.plan_brief(planned, net, "ja")
    for c in planned.portfolio.contracts:
        assert f"{net.commodity(c.commodity).name_ja}（契約 {c.id}）" in ja
    legend = ja.split("<svg", 1)[1]
    assert "カスピ海横断" in legend and ">Trans-Caspian<" not in legend
    en = brief_module.plan_brief(planned, net, "en")
    uoc = next(f for f in planned.flows if f.contract == "uoc_kharasan")
    assert f"{uoc.t_per_year:,.0f} t/yr by {uoc.route.label}" in en


def test_plan_table_names_commodities():
    from tests.i18n.test_no_english import _run

    for lang, name in (("en", "Uranium ore concentrate (U3O8)"), ("ja", "ウラン精鉱")):
        text = _run(["plan", str(ROOT / "examples" / "contracts.yaml"), "--no-store"], lang)
        head = text.split("\n\n")[0] if "\n\n" in text else text
        assert name in head and "uranium_ore_concentrate" not in text.split("uoc_inkai")[0]


def test_japanese_plan_report_names_its_binding_constraints(planned):
    ja = render_plan_report(planned, lang="ja")
    assert "USD/年（1ポイント当たり）" in ja and "USD/yr per percentage point" not in ja
    assert "契約 crude_tengiz: RU経由を最大50%" in ja
    en = render_plan_report(planned)
    assert "at most 50% via RU (contract crude_tengiz)" in en
