"""The Japanese gaps the last session left (#17): the in-time comparison sentence, the
uncertainty tables of plan, stress and capacity, estimates by name, the regime text of a
no-route reason, the exposure index's names and the map tooltips."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

import corridor
from corridor.analysis.queries import default_network
from corridor.cli import app
from corridor.costs import Assumptions
from corridor.errors import NoRouteError
from corridor.i18n import localise
from corridor.network.names import place_name
from corridor.uncertainty.labels import estimate_titles_ja
from corridor.uncertainty.sampling import factors_for
from tests.i18n.test_no_english import _run, english_left

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "examples" / "contracts.yaml"
ALL_CHINA = ROOT / "examples" / "splits" / "ree_5000_all_china.yaml"
REE = ["--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ"]
YOK = ["--destination", "JP_YOKOHAMA"]
DATA = ROOT / "src" / "corridor" / "data"


def test_versus_sentence_reads_in_japanese_and_stays_english_text():
    from corridor.cli.risk import _allocation
    from corridor.risk.versus import compare_in_time
    from tests.risk.test_versus import ALL_CHINA as A
    from tests.risk.test_versus import SPLIT as B

    net = default_network()
    first, second = (_allocation(Path(p), net, False) for p in (A, B))
    result = compare_in_time(first, second, years=30, stock_days=30)
    summary = result.summary
    assert str(summary).startswith("Over 30 simulated years (seed 0, a buyer's safety stock of")
    assert json.loads(json.dumps(result.to_dict()))["summary"] == str(summary)
    ja = localise(summary, "ja")
    assert ja.startswith("模擬 30 年（シード 0、買い手の安全在庫 30 日）で、")
    assert "より買い手をよく守る" in ja and "protects more" not in ja
    events = [ev for ev in net.events if ev.name_en in summary]
    assert events and all(ev.name_ja in ja and ev.name_en not in ja for ev in events)


def test_iran_regime_text_of_a_no_route_reason_is_japanese():
    net = default_network()
    with pytest.raises(NoRouteError) as exc:
        corridor.routes("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA",
                        avoid=["CN", "RU", "AZ"])  # fmt: skip
    reason = exc.value.args[0]
    regime = net.record("regimes", "US_IRAN_SECONDARY")
    assert f"excluded for buyer JP by {regime.name_en} (US_IRAN_SECONDARY)" in reason
    ja = localise(reason, "ja")
    assert f"（{regime.name_ja}により買い手JPは利用不可）" in ja
    assert "US_IRAN_SECONDARY" not in ja  # no id where the regime has a name
    assert regime.name_en not in ja and "excluded for buyer" not in ja
    assert english_left(ja) == []


def test_estimates_have_names_in_both_languages():
    net = default_network()
    keys = [k for k in net.ranges if net.ranges[k].factor == "est_bcp_dwell_same:dwell_hours"]
    assert len(keys) > 1  # one estimate moving the dwell of several crossings
    (f,) = factors_for(net, Assumptions(), keys, ())
    # sources.csv: "Analyst estimate: dwell at a same-gauge rail border crossing"
    assert f.name_en == "Dwell at a same-gauge rail border crossing: dwell, h"
    assert f.name_ja == "同一軌間の鉄道国境の滞留時間 — 滞留時間 h"
    assert f.label.startswith("est_bcp_dwell_same: dwell_hours of")  # the ids stay the label
    key = ("events", "EV_DOSTYK_WEATHER", "events_per_year")
    (alone,) = factors_for(net, Assumptions(), [key], ())
    ev = net.event("EV_DOSTYK_WEATHER")
    assert (alone.name_en, alone.name_ja) == (f"{ev.name_en}: events a year",
                                              f"{ev.name_ja}の年間発生回数")  # fmt: skip


def test_every_shared_estimate_has_a_japanese_title():
    ranges = (DATA / "ranges.csv").read_text(encoding="utf-8").splitlines()[1:]
    import csv

    rows = csv.DictReader([(DATA / "ranges.csv").read_text(encoding="utf-8").splitlines()[0],
                           *ranges])  # fmt: skip
    firsts = {r["factor"].split(":")[0].split("+")[0] for r in rows if r["factor"]}
    assert firsts - set(estimate_titles_ja()) == set()
    assert all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", v) for v in estimate_titles_ja().values())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["plan", str(CONTRACTS), "--no-store", "--uncertainty", "8"],
         ["確からしさ", "総費用 USD/年", "の主な要因: Sobol 指数", "計画の費用は表記値で"]),
        (["capacity", *REE, *YOK, "--family", "trans_caspian", "--no-store", "--uncertainty", "8"],
         ["この利用者に残る能力", "P(カスピ海鉄道フェリー船隊が制約となる)", "表記値では残り最大"]),
    ],
)  # fmt: skip
def test_uncertainty_tables_in_japanese(args, words):
    text = _run(args)
    for word in words:
        assert word in text, word
    assert "How sure" not in text and "Strongest drivers" not in text and "as stated" not in text
    assert english_left(text) == []
    assert "est_" in text  # the factor ids are kept, in the id column


def test_drivers_table_in_english_names_the_estimate_and_keeps_its_id():
    text = _run(["plan", str(CONTRACTS), "--no-store", "--uncertainty", "8"], "en")
    head = next(x for x in text.splitlines() if "┃ estimate" in x)
    assert head.rstrip(" ┃").endswith("id")  # the factor ids, in a last column
    line = next(x for x in text.splitlines() if "est_ferry_tariff:tariff_usd_per_t " in x)
    # sources.csv: est_ferry_tariff "Analyst estimate: Caspian rail-ferry tariff"
    assert "│ Caspian rail-ferry tariff: tariff, USD/t " in line
    assert "est_ferry_tariff: tariff_usd_per_t of 2 links" not in text  # the old label


def test_exposure_rows_carry_japanese_names():
    res = CliRunner().invoke(app, ["exposure", str(ALL_CHINA), "--no-store", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    net = default_network()
    by_id = {r["element"]: r for r in rows}
    assert by_id["CN"]["name"] == "China" and by_id["CN"]["name_ja"] == "中国"
    node = next(r for r in rows if r["type"] == "node")
    assert node["name_ja"] == place_name(net.node(node["element"]), "ja")


def test_map_tooltips_follow_the_language():
    from corridor.report.svg import route_map

    net = default_network()
    routes = corridor.compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA").routes
    ja = route_map(net, routes[:2], lang="ja")
    en = route_map(net, routes[:2])
    dostyk = net.node("KZ_DOSTYK")
    assert f"<title>{dostyk.name_ja} (KZ_DOSTYK), 中国" not in ja  # Dostyk lies in Kazakhstan
    assert f"<title>{dostyk.name_ja} (KZ_DOSTYK), カザフスタン (KZ)</title>" in ja
    assert dostyk.name_en not in ja and "Kazakhstan" not in ja
    assert f"<title>{dostyk.name_en} (KZ_DOSTYK), Kazakhstan (KZ)</title>" in en


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_compare_legend_names_events_exposures_and_restrictions(lang: str, tmp_path: Path):
    """The line of exposures shared by every route names its events, and each regime's line
    names what it covers and restricts in words, not ids or vocabulary (port_call)."""
    net = default_network()
    brief = tmp_path / "b.html"
    text = _run(["compare", *REE, *YOK, "--brief", str(brief)], lang)
    legend = text.split("EU_RUSSIA_833", 1)[1]
    words = {"en": ("on Russia", "port calls"), "ja": ("対象: ロシア", "寄港")}[lang]
    assert all(w in legend for w in words), legend[:400]
    assert "port_call" not in text and "transit_approval" not in text
    strait = {"en": "Korea (Tsushima) Strait", "ja": "対馬海峡"}[lang]
    assert strait in text and "KOREA_STRAIT" not in text  # chokepoints by name in the table
    shared = [line for line in text.splitlines() if "EV_" in line]
    assert shared == [], shared  # event ids gave way to names
    named = [e for e in net.events if (e.name_ja if lang == "ja" else e.name_en) in text]
    assert named, "the shared line names at least one event"
    written = {"en": "brief written to", "ja": "ブリーフを"}[lang]
    assert written in text and brief.exists()
