"""The plan and stress reports in Japanese: headings, table headers and sentences come from the
catalogue, so no English heading is left and the English page keeps its words."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import corridor
from corridor.analysis.queries import default_network
from corridor.report.plan import render_plan_report

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "examples" / "contracts.yaml"

PLAN_EN = (
    "Summary", "Contracts", "Flows by route", "Capacities: utilisation and shadow prices",
    "Binding constraints", "Cost of each rule", "Shortfalls", "Cost breakdown", "Notes",
    "Sources",
)  # fmt: skip
PLAN_JA = ("要約", "契約", "経路別の輸送量", "容量: 使用率と潜在価格", "費用の内訳", "出典")


def _headings(html: str) -> list[str]:
    return re.findall(r"<h[12]>([^<]*)</h[12]>", html)


def _headers(html: str) -> list[str]:
    return re.findall(r"<th[^>]*>([^<]*)</th>", html)


@pytest.fixture(scope="module")
def planned():
    return corridor.plan(CONTRACTS, network=default_network())


def test_plan_report_in_japanese_has_no_english_heading_or_header(planned):
    ja = render_plan_report(planned, lang="ja")
    heads = _headings(ja)
    assert not set(PLAN_EN) & set(heads), heads
    assert set(PLAN_JA) <= set(heads), heads
    assert heads[0] == "corridor 輸送量計画"
    # a header of English words only (acronyms such as "SE" and units such as "t/yr" pass)
    english = re.compile(r"^(?=.*[a-z])[A-Za-z ]+$")
    assert not [h for h in _headers(ja) if english.match(h)], _headers(ja)
    assert '<html lang="ja">' in ja and "t/年" in ja and "年間総費用" in ja
    assert "Links used by the plan" not in ja and "per year for" not in ja
    assert "<td>運賃</td>" in ja and "<td>freight</td>" not in ja  # cost components
    assert ", 引用)." in ja and ", quoted)." not in ja  # kinds of source


def test_plan_report_in_english_keeps_its_words(planned):
    en = render_plan_report(planned)
    assert set(PLAN_EN) <= set(_headings(en))
    assert "contract" in _headers(en) and "shadow USD/t" in _headers(en)
    assert '<html lang="en">' in en and "年間総費用" not in en and "要約" not in en


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DATA"}
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip


def test_plan_lang_ja_reaches_the_report(tmp_path: Path):
    out = tmp_path / "plan.html"
    p = _cli("plan", str(CONTRACTS), "--no-store", "--lang", "ja", "--report", str(out))
    assert p.returncode == 0, p.stderr
    html = out.read_text(encoding="utf-8")
    assert "経路別の輸送量" in html and "Flows by route" not in html


RISK_EN = (
    "Stress test", "Loss distribution", "Per contract", "Per route family",
    "Probability of losing more than a share of the annual volume", "Events that drive the tail",
    "Concentration", "Diversification priced: the mean–CVaR frontier",
    "Disruption events and their sources",
)  # fmt: skip
RISK_JA = ("ストレステスト", "損失の分布", "契約別", "経路系統別", "集中度", "途絶事象とその出典")


@pytest.fixture(scope="module")
def stressed(planned):
    from corridor.risk import from_plan, stress
    from corridor.risk.frontier import frontier

    allocation = from_plan(planned)
    return stress(allocation, years=2000, seed=7), frontier(allocation, scenarios=300, points=4)


def _risk_headings(html: str) -> list[str]:
    return [h.strip() for h in re.findall(r"<h[123]>([^<]*)", html)]


def test_stress_report_in_japanese_has_no_english_heading_or_header(stressed):
    from corridor.report.risk import render_risk_report

    ja = render_risk_report(*stressed, lang="ja")
    heads = _risk_headings(ja)
    assert not set(RISK_EN) & set(heads), heads
    assert set(RISK_JA) <= set(heads), heads
    english = re.compile(r"^(?=.*[a-z])[A-Za-z ]+$")
    assert not [h for h in _headers(ja) if english.match(h)], _headers(ja)
    assert "期待輸送率" in ja and "Expected delivered share" not in ja
    assert "years (log scale)" not in ja and "年数（対数目盛）" in ja
    assert "カスピ海横断 " in ja and "trans_caspian " not in ja  # family shares on the frontier


def test_stress_report_in_english_keeps_its_words(stressed):
    from corridor.report.risk import render_risk_report

    en = render_risk_report(*stressed)
    assert set(RISK_EN) <= set(_risk_headings(en))
    assert "E[lost] t" in _headers(en) and "ストレステスト" not in en


def test_stress_lang_ja_reaches_the_report(tmp_path: Path):
    out = tmp_path / "stress.html"
    args = ("--years", "500", "--no-frontier", "--no-store", "--lang", "ja", "--uncertainty", "8")
    p = _cli("stress", str(CONTRACTS), *args, "--report", str(out))
    assert p.returncode == 0, p.stderr
    html = out.read_text(encoding="utf-8")
    assert "ストレステスト" in html and "Stress test" not in html
    statements = re.findall(r"<li>P\(([^)]*)\)", html)
    assert statements and all(s.startswith("追加費用の CVaR95 が記載値") for s in statements)
    bad = _cli("stress", str(CONTRACTS), "--years", "500", "--lang", "fr", "--no-store")
    assert bad.returncode == 2 and "--lang must be one of en, ja" in bad.stderr


SIM = ("simulate", "--commodity", "uranium_ore_concentrate", "--origin", "KZ_NORTH_KHARASAN")
SIM += ("--destination", "JP_YOKOHAMA", "--volume", "5000", "--replications", "2")
SIM += ("--horizon-days", "60")
SIM_EN = ("Time", "One traced train", "Queues and resources")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_simulate_report_follows_lang(tmp_path: Path, lang: str):
    out = tmp_path / "sim.html"
    p = _cli(*SIM, "--lang", lang, "--report", str(out))
    assert p.returncode == 0, p.stderr
    html = out.read_text(encoding="utf-8")
    heads = _headings(html)
    if lang == "en":
        assert set(SIM_EN) <= set(heads) and "resource" in _headers(html)
        assert "End to end: mean" in html
    else:
        assert not set(SIM_EN) & set(heads), heads
        assert {"所要時間", "追跡列車 1 本", "待ち行列と設備"} <= set(heads), heads
        english = re.compile(r"^(?=.*[a-z])[A-Za-z ]+$")
        assert not [h for h in _headers(html) if english.match(h)], _headers(html)
        assert "全行程: 平均" in html and "days from departure" not in html


MARKET_EN = ("Routes and shares", "Break-even", "Backtest")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_breakeven_report_follows_lang(tmp_path: Path, lang: str):
    out = tmp_path / "market.html"
    where = ("--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ")
    where += ("--destination", "JP_YOKOHAMA", "--volume", "10000")
    p = _cli("breakeven", *where, "--lang", lang, "--report", str(out))
    assert p.returncode == 0, p.stderr
    html = out.read_text(encoding="utf-8")
    heads = _headings(html)
    if lang == "en":
        assert set(MARKET_EN) <= set(heads) and heads[0].startswith("Break-even: ")
        assert "subsidy for a 50% Trans-Caspian share" in html
    else:
        assert not set(MARKET_EN) & set(heads) and not any("Calibration" in h for h in heads)
        assert {"経路と比率", "損益分岐", "バックテスト"} <= set(heads), heads
        assert heads[0].startswith("損益分岐: ")
        english = re.compile(r"^(?=.*[a-z])[A-Za-z ]+$")
        assert not [h for h in _headers(html) if english.match(h)], _headers(html)
        assert "カスピ海横断経路の比率 50% に必要な補助金" in html and "subsidy for" not in html


def test_uncertainty_section_of_a_comparison_in_japanese():
    from corridor.report.uncertainty import uncertainty_section

    ree = ("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA")
    cmp = corridor.compare(*ree, network=default_network(), uncertainty=32)
    assert cmp.uncertainty is not None
    ja = uncertainty_section(cmp.uncertainty, "ja")
    heads = re.findall(r"<h3>([^<]*)</h3>", ja)
    assert "How sure are these numbers?" not in heads and "これらの数値はどの程度確かか" in heads
    assert not any(h.startswith("What drives") for h in heads), heads
    assert "as stated" not in _headers(ja) and "記載値" in ja
    assert "Cheapest route overall" not in ja and "全体の最安経路" in ja
    en = uncertainty_section(cmp.uncertainty)
    assert "<h3>How sure are these numbers?</h3>" in en and "Cheapest route overall" in en


def test_in_time_frontier_report_in_japanese(tmp_path: Path):
    out = tmp_path / "frontier.html"
    args = ("--scenarios", "200", "--loss", "stockout", "--no-store", "--lang", "ja")
    p = _cli("frontier", str(CONTRACTS), *args, "--report", str(out))
    assert p.returncode == 0, p.stderr
    html = out.read_text(encoding="utf-8")
    assert "分散の価格: 平均–CVaR フロンティア" in _risk_headings(html)
    english = re.compile(r"^(?=.*[a-z])[A-Za-z ]+$")
    assert not [h for h in _headers(html) if english.match(h)], _headers(html)
    assert "フロンティア上" in _headers(html) and "in-time loss" not in html
    assert "時系列の損失（stockout + 追加費用）" in html


def test_plan_uncertainty_statements_in_japanese():
    from corridor.analysis.plan_bands import plan_bands

    result, bands = plan_bands(CONTRACTS, samples=8, seed=0, network=default_network())
    assert "a contract falls short" in bands.probabilities  # the English text is the key
    ja = render_plan_report(result, bands, lang="ja")
    statements = re.findall(r"<li>P\(([^)]*)\)", ja)
    assert "いずれかの契約で不足が生じる" in statements, statements
    assert not [s for s in statements if re.search(r"\b(the|a|falls|binds)\b", s)], statements
    assert "この計画はどの程度確かか" in ja and "How sure is this plan?" not in ja


_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def compared():
    uranium = ("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
    return corridor.compare(*uranium, network=default_network(), volume=5000)


def test_route_report_in_japanese_has_japanese_leg_headers_and_meta(compared):
    from corridor.report.html import render_report

    net = default_network()
    ja = render_report([compared], net, "t", lang="ja")
    en = render_report([compared], net, "t")
    legs_ja, legs_en = set(_headers(ja)), set(_headers(en))
    english = {"From", "To", "Mode", "What", "Link", "Days mean", "Days p95", "CO2e kg/t"}
    assert english <= legs_en and not english & legs_ja, legs_ja
    assert {"発", "着", "輸送手段", "日数 平均", "日数 p95", "CO2e排出 kg/t", "区間"} <= legs_ja
    assert "Freight routes computed" not in ja and "で計算した貨物輸送経路" in ja
    assert "Freight routes computed on the network “" in en
    # the request line: Japanese place names and words, English ones only in English
    origin = net.node("KZ_NORTH_KHARASAN")
    line_ja = re.search(r'<p class="meta">([^<]*北ハラサン[^<]*)', ja)
    assert line_ja is not None and "から" in line_ja.group(1) and "輸送量 5,000 t/年" in ja
    assert "From " not in line_ja.group(1) and "buyer profile" not in ja
    assert f"From {origin.name_en} (KZ_NORTH_KHARASAN) to " in en and "volume 5,000 t/yr" in en
    for words in ("cheapest first", "Every source behind", "No assumptions", "Generated by"):
        assert words in en and words not in ja, words
    assert "安い順に示す" in ja and "前提が記載されていない" in ja and "Natural Earth" in ja


def test_route_report_contents_list_in_japanese(compared):
    from corridor.report.html import render_report

    net = default_network()
    ranked = corridor.routes(
        "uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", k=2, network=net
    )
    ja = render_report([compared, ranked], net, "t", lang="ja")
    en = render_report([compared, ranked], net, "t")
    toc_ja = re.search(r'<nav class="toc">(.*?)</nav>', ja, re.S)
    toc_en = re.search(r'<nav class="toc">(.*?)</nav>', en, re.S)
    assert toc_ja is not None and toc_en is not None
    uranium = net.commodity("uranium_ore_concentrate")
    assert uranium.name_ja in toc_ja.group(1) and "横浜" in toc_ja.group(1)
    assert uranium.name_en in toc_en.group(1) and "Port of Yokohama" in toc_en.group(1)
    assert "2 経路、順位順。" in ja and "2 routes, in rank order." in en


def test_events_have_japanese_names_in_the_stress_report(stressed):
    from corridor.report.risk import render_risk_report

    net = default_network()
    assert all(_JA.search(ev.name_ja) for ev in net.events)
    ja = render_risk_report(*stressed, lang="ja")
    en = render_risk_report(*stressed)
    sources = ja.split('id="sources"')[1]
    for ev in net.events:  # the sources list names every event in the reader's language
        assert ev.name_ja in sources and ev.name_en not in sources, ev.id
        assert ev.name_en in en.split('id="sources"')[1] and ev.name_ja not in en
    drivers = [d for d in stressed[0].drivers if net.has("events", d.event)]
    assert drivers
    for d in drivers:  # the drivers table: the event's Japanese name beside its id
        name = net.event(d.event).name_ja
        assert f"<td>{d.event}</td><td>{name}</td>" in ja, d.event


def test_localised_export_names_the_driving_events_in_japanese(stressed):
    from corridor.export import localised_tables, tables_of

    net = default_network()
    tables = tables_of(stressed[0])
    ja = localised_tables(tables, net, "ja")["drivers"]
    en = localised_tables(tables, net, "en")["drivers"]
    assert ja and [r["name"] for r in ja] == [net.event(r["event"]).name_ja for r in ja]
    assert [r["name"] for r in en] == [net.event(r["event"]).name_en for r in en]
