"""``invest`` and the capacity reason with ``--lang ja``, fast: on the tiny network with two
projects that have Japanese names (``breakeven`` runs on the bundled example in
``test_no_english``). English stays the text it was."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from corridor.i18n import Message, localise
from corridor.network.load import load_network
from corridor.optimize.maxflow import max_flow
from tests.invest.test_invest import CONTRACTS

from .test_no_english import _run, english_left

PROJECTS = (
    "id,name_en,name_ja,kind,status,as_of,capex_usd,capex_low_usd,capex_high_usd,"
    "opex_usd_per_year,lead_years,lifetime_years,edits,effect_low,effect_high,sources,note\n"
    "PRJ_WEST,Double the west line,西線の複線化,rail,planned,2026-01-01,1000000,800000,1500000,"
    "0,0,1,expand:L5:100,0.5,1,hand,relieves the binding west line\n"
    "PRJ_CHINA,Double the China line,中国線の複線化,rail,planned,2026-01-01,500000,400000,"
    "600000,0,0,1,expand:L3:100,1,1,hand,the China line does not bind\n"
)
NAMES_JA = {"MINE": "鉱山", "HUB": "拠点駅", "PORT_W": "西港", "DEST": "到着港"}


def _rewrite(path: Path, change: dict[str, dict[str, str]]) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for r in rows:
        r.update(change.get(r["id"], {}))
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


@pytest.fixture
def two_routes_ja(tiny_copy: Path) -> Path:
    """The tiny network, west line (L5) capped at 500,000 t/yr, two projects and four
    places with Japanese names."""
    _rewrite(tiny_copy / "links.csv", {"L5": {"capacity_t_per_year": "500000"}})
    _rewrite(tiny_copy / "nodes.csv", {k: {"name_ja": v} for k, v in NAMES_JA.items()})
    (tiny_copy / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    (tiny_copy / "contracts.yaml").write_text(CONTRACTS, encoding="utf-8")
    return tiny_copy


def _invest(data: Path, lang: str, *extra: str) -> str:
    args = ["invest", "--contracts", str(data / "contracts.yaml"), "--data", str(data),
            "--years", "0", "--no-corridor-traffic", "--no-store", *extra]  # fmt: skip
    return _run(args, lang)


def test_invest_in_japanese_has_no_english(two_routes_ja: Path):
    text = _invest(two_routes_ja, "ja", "--budget", "2000000", "--simulate", "1")
    assert "費用便益比による事業の順位" in text, text
    assert "待ち行列：アルマトイ → ポティ" in text and "共通乱数" in text  # the queue table
    assert "西線の複線化" in text and "中国線の複線化" in text
    assert "Double the" not in text  # the projects by their Japanese names
    assert "2.0 百万米ドルでの選定：西線の複線化" in text  # the budget fits the west line only
    assert "投資額合計 1.0 百万米ドル" in text
    assert "時間分解エンジンは実行していない" in text  # the approximation note, risk not run
    assert english_left(text) == []
    assert re.search(r"[A-Za-z]{5,}", text.replace("USD", "")) is None, text


def test_invest_in_english_is_the_english_text(two_routes_ja: Path):
    text = _invest(two_routes_ja, "en")
    assert "Projects ranked by benefit–cost ratio, NPV at 6% (USD m)" in text
    assert "Selected under no limit: Double the west line\n" in text
    assert (
        "Benefits of projects chosen together are added; interactions are captured only by "
        "the evaluated combinations (none). Risk is the change in expected disrupted days of "
        "the contracts' routes (exposure table); the time-resolved engine was not run. The "
        "strategic premium is reported, not monetised;"
    ) in " ".join(text.split())
    assert "西線" not in text


def test_unbounded_capacity_reason_is_a_message_with_places_by_name(two_routes_ja: Path):
    net = load_network(two_routes_ja)
    _rewrite(two_routes_ja / "links.csv", {"L5": {"capacity_t_per_year": ""}})
    r = max_flow("ore", "MINE", "DEST", network=load_network(two_routes_ja))
    assert net.node("MINE").name_ja == "鉱山"
    assert isinstance(r.reason, Message) and r.max_t_per_year is None
    assert str(r.reason) == (
        "no capacity figure limits this corridor: the path MINE → HUB → PORT_W → DEST uses "
        "only links and places with no capacity figure (L1, L5, L6); give those links a "
        "capacity_t_per_year (or a capacities.csv row) to get a maximum"
    )
    ja = localise(r.reason, "ja")
    assert "経路 鉱山 → 拠点駅 → 西港 → 到着港 は" in ja and "（L1, L5, L6）" in ja, ja
    assert english_left(ja) == []
