"""The route report's leg tables and regime cells in Japanese: places by name (ids in the id
spans), modes and what each leg is in Japanese, the regimes' words and hover in Japanese; the
English report keeps its words. The leg's Japanese text (``what_ja``) is built from the
catalogue beside its English ``what``."""

from __future__ import annotations

import dataclasses
import html as htmllib
import re

import pytest

from corridor.analysis.queries import compare, default_network
from corridor.analysis.results import Comparison
from corridor.i18n import catalogue, localise
from corridor.network.model import Network
from corridor.network.names import dwell_text, mode_text, service_text, transfer_text
from corridor.network.regimes import RegimeFlag
from corridor.report import render_report
from tests.i18n.test_no_english import english_left

UOC = ("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")


@pytest.fixture(scope="module")
def net() -> Network:
    return default_network()


@pytest.fixture(scope="module")
def uoc(net: Network) -> Comparison:
    return compare(*UOC, network=net)


@pytest.fixture(scope="module")
def ja(net: Network, uoc: Comparison) -> str:
    return render_report([uoc], net, "t", lang="ja")


def _leg_tables(page: str) -> list[str]:
    return re.findall(r'<table class="legs">.*?</table>', page, re.S)


def _regime_spans(page: str) -> list[tuple[str, str]]:
    """(hover title, cell text) of every regime a route table shows."""
    found = re.findall(r'<span class="regime" title="([^"]*)">([^<]*)</span>', page)
    return [(htmllib.unescape(a), htmllib.unescape(b)) for a, b in found]


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _without_ids(fragment: str) -> str:
    """The fragment without its id spans and source links (ids by design)."""
    fragment = re.sub(r'<small class="(id|src)">.*?</small>', " ", fragment, flags=re.S)
    return re.sub(r"<td>[A-Z][A-Z0-9_]+ .*?</td>", " ", fragment, flags=re.S)  # link column


def test_leg_tables_in_japanese_hold_no_english(ja: str, uoc: Comparison, net: Network):
    tables = _leg_tables(ja)
    assert len(tables) == len(uoc.routes) >= 2
    text = " ".join(_text(_without_ids(t)) for t in tables)
    assert english_left(text) == []
    # the services, gauges and leg kinds of this comparison, none left in English
    for leg in (leg for r in uoc.routes for leg in r.legs):
        assert leg.what not in text and leg.what_ja in text, leg.what
    for word in ("freight train", "rail1520", "port/customs", "border crossing", "Route charge"):
        assert word not in text
    assert "貨物列車" in text and "クラス7チャーター船（近海）" in text
    assert "横浜港での港湾・通関待ち" in text and "経路全体の費用: 保険" in text
    assert "積替え（鉄道1520 mm → 鉄道1435 mm）" in text  # the gauge change at Dostyk
    heads = re.findall(r"<td[^>]*>([^<]*)</td>", tables[0])
    assert {"鉄道", "道路", "海上輸送", "積替え", "滞留", "合計"} <= set(heads), heads
    assert not {"rail", "road", "sea", "transfer", "dwell", "Total"} & set(heads)
    # places by their Japanese names; each id only in its id span
    yokohama = net.node("JP_YOKOHAMA")
    assert f'{yokohama.name_ja} <small class="id">JP_YOKOHAMA</small>' in tables[0]
    bare = " ".join(_without_ids(t) for t in tables)
    for node in {leg.from_ for r in uoc.routes for leg in r.legs}:
        assert f">{node}</small>" in " ".join(tables)
        assert not re.search(rf"(?<![\w-]){node}(?![\w-])", bare), node


def test_regime_cells_in_japanese(ja: str, uoc: Comparison):
    spans = _regime_spans(ja)
    assert spans
    assert english_left(" ".join(f"{title} {cell}" for title, cell in spans)) == []
    cells = {cell for _, cell in spans}
    # the class-7 transit approval through China: a condition, 60 days' lead time
    assert "条件 CN_CLASS7_TRANSIT 約60日" in cells
    title = next(t for t, c in spans if c.startswith("条件 CN_CLASS7_TRANSIT"))
    assert "対象: 中国" in title and "リードタイム約60日" in title and "lead time" not in title
    assert not [c for c in cells if re.match(r"(flag|condition|sanctions|excluded by) ", c)]


def test_english_report_keeps_its_words(net: Network, uoc: Comparison):
    en = render_report([uoc], net, "t")
    text = " ".join(_text(t) for t in _leg_tables(en))
    assert "port/customs dwell at Port of Yokohama" in text and "Route charge: insurance" in text
    assert "Total" in text and "rail1520 → rail1435 at Dostyk border station" in text
    assert "貨物列車" not in en and "合計" not in en
    spans = _regime_spans(en)
    title, cell = next((t, c) for t, c in spans if "CN_CLASS7_TRANSIT" in c)
    assert cell == "condition CN_CLASS7_TRANSIT ~60 d"
    assert title.endswith("(CN; restricts transit_approval, lead time ~60 d)"), title


def test_a_legs_japanese_text_beside_its_english_json(uoc: Comparison, net: Network):
    legs = [leg for r in uoc.routes for leg in r.to_dict()["legs"]]
    by_what = {leg["what"]: leg["what_ja"] for leg in legs}
    assert by_what["freight train"] == "貨物列車"
    assert by_what["port/customs dwell at Port of Yokohama"] == "横浜港での港湾・通関待ち"
    dostyk = "rail1520 → rail1435 at Dostyk border station (gauge change 1520/1435)"
    assert by_what[dostyk] == "ドスティク国境駅での積替え（鉄道1520 mm → 鉄道1435 mm）"
    aktau = net.node("KZ_AKTAU")
    assert str(transfer_text(("rail1520", "ferry"), aktau)) == "rail1520 → ferry at Port of Aktau"
    assert localise(dwell_text(aktau), "ja") == "アクタウ港での港湾・通関待ち"


def test_every_bundled_service_has_a_japanese_name(net: Network):
    ja = catalogue("ja")
    for link in net.links:
        named = service_text(link)
        assert str(named) == (link.service or link.mode)
        assert named.ja and named.ja != ja[f"mode_{link.mode}"], link.service
    # a service the catalogue lacks is named by its mode; a mode it lacks stays as it is
    rail = next(link for link in net.links if link.mode == "rail")
    other = service_text(dataclasses.replace(rail, service="shuttle train"))
    assert (str(other), other.ja) == ("shuttle train", "鉄道")
    assert (str(mode_text("rail1067")), localise(mode_text("rail1067"), "ja")) == (
        "rail1067",
        "鉄道1067 mm",
    )
    assert mode_text("hovercraft") == "hovercraft"


@pytest.mark.parametrize(
    ("effect", "binding", "lead", "en", "ja"),
    [
        ("flag", False, 0.0, "flag EU_X", "注意 EU_X"),
        ("condition", False, 60.0, "condition EU_X ~60 d", "条件 EU_X 約60日"),
        ("exclude", True, 0.0, "excluded by EU_X", "除外 EU_X"),
        ("exclude", False, 0.0, "sanctions EU_X", "制裁 EU_X"),
        ("penalty", True, 0.0, "penalty EU_X USD 1,250/t", "ペナルティ EU_X USD 1,250/t"),
    ],
)
def test_regime_flag_in_either_language(effect, binding, lead, en, ja):
    f = RegimeFlag("EU_X", "X", "エックス", effect, binding, ("RU",), (), 1250.0, lead, lead)
    assert f.short() == f.short_in("en") == en
    assert f.short_in("ja") == ja


def _figures(page: str) -> list[str]:
    """The map and the two time/cost–distance charts, with their captions."""
    return re.findall(r'<figure class="(?:map|chart)">.*?</figure>', page, re.S)


def _svg_text(fragment: str) -> str:
    """What a reader sees or hovers: text, hover titles and the SVG's aria-label."""
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', fragment))
    return _text(fragment) + " " + htmllib.unescape(labels)


def test_charts_and_captions_in_japanese_hold_no_english(ja: str, uoc: Comparison):
    figures = _figures(ja)
    assert len(figures) == 3
    text = " ".join(_svg_text(f) for f in figures)
    assert english_left(text) == []
    for word in ("Cumulative", "against distance", "route charges", "transfer:", "dwell:",
                 " days", "Hover", " at "):  # fmt: skip
        assert word not in text, word
    cost, days = (_svg_text(f) for f in figures[1:])
    assert "累積距離（km）" in cost and "累積費用（USD/t）" in cost
    assert "累積平均所要日数（日）" in days and "距離と所要日数: " in days
    first = uoc.routes[0]
    label = first.label_in("ja")
    # the insurance step at 0 km, and the dwell at Yokohama at the route's full length
    insurance = first.charges["insurance"]
    assert f"{label}: 0 km 地点の経路全体の費用（保険 USD {insurance:,.2f}/t）" in cost
    assert f"{label}: {first.distance_km:,.0f} km 地点の横浜港での港湾・通関待ち、+" in cost
    assert f"#1 {label}: USD {first.cost_usd_per_t:,.2f}/t、{first.days_mean:.1f}日" in days
    # every step of the chart is named by the leg's Japanese text
    for leg in (leg for leg in first.legs if leg.kind != "link" and leg.cost_usd_per_t > 0):
        assert f"地点の{leg.what_ja}、+" in cost, leg.what_ja


def test_english_charts_keep_their_words(net: Network, uoc: Comparison):
    figures = _figures(render_report([uoc], net, "t"))
    cost = _svg_text(figures[1])
    first = uoc.routes[0]
    assert "Cumulative distance (km)" in cost and "Cumulative cost (USD/t)" in cost
    assert f"{first.label}: route charges (insurance USD " in cost
    assert f"{first.label}: dwell: port/customs dwell at Port of Yokohama at " in cost
    assert "Cumulative mean time (days)" in _svg_text(figures[2])
    assert "Hover over a line or a node for details." in _svg_text(figures[0])
    assert not re.search(r"[\u3040-\u30ff]", " ".join(figures))
