"""The terminal tables of ``compare``, ``routes`` and ``pareto`` in Japanese with ``--lang ja``
(and from the locale), English unchanged without it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from tests.conftest import TINY

REE = ["--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ"]
YOK = ["--destination", "JP_YOKOHAMA"]
TINY_ROUTE = ["--commodity", "ore", "--origin", "MINE", "--destination", "DEST"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH_HEADERS = (
    "route",
    "countries",
    "chokepoints",
    "regimes",
    "stock-out d/yr",
    "Strategic premium against the cheapest route",
    "cheapest route",
    "sources behind these numbers",
    "no buyer (every regime shown)",
)


def _invoke(args: list[str], env: dict[str, str] | None = None) -> str:
    base = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", "CORRIDOR_DATA": ""}
    res = CliRunner().invoke(app, args, env={**base, **(env or {})})
    assert res.exit_code == 0, res.output
    return res.stdout


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z-]*(?: [a-z][a-z-]*)*", text))


def test_compare_lang_ja_has_japanese_headers_and_not_the_english_ones():
    text = _invoke(["compare", *REE, *YOK, "--volume", "10000", "--buyer", "none", "--lang", "ja"])
    for ja in (
        "経路",  # route column
        "通過国",
        "規制",
        "在庫切れ日数/年",
        "最安経路",  # premium title and column
        "に対する戦略プレミアム",
        "規則",
        "中国回避",  # rule name
        "横浜港",  # destination by its Japanese name
        "これらの数値の出典は",
        "買い手なし",
    ):
        assert ja in text, ja
    for en in ENGLISH_HEADERS:
        assert en not in text, en
    assert "Yokohama" not in text and "avoid China" not in text
    assert "note:" not in text and "restricts" not in text


def test_compare_in_english_has_the_english_headers_and_no_japanese():
    text = _invoke(["compare", *REE, *YOK, "--volume", "10000", "--buyer", "none"])
    for en in ENGLISH_HEADERS:
        assert en in text, en
    assert not JAPANESE.search(text)


def test_japanese_locale_chooses_japanese_and_lang_en_overrides_it():
    ja = _invoke(["compare", *REE, *YOK], env={"LANG": "ja_JP.UTF-8"})
    assert "に対する戦略プレミアム" in ja and "Strategic premium" not in ja
    en = _invoke(["compare", *REE, *YOK, "--lang", "en"], env={"LANG": "ja_JP.UTF-8"})
    assert "Strategic premium" in en and not JAPANESE.search(en)


def test_compare_uncertainty_tables_in_japanese():
    text = _invoke(["compare", *REE, *YOK, "--uncertainty", "32", "--lang", "ja"])
    assert "確からしさ: 推定値" in text and "表記値" in text
    headers = "\n".join(line for line in text.splitlines() if line.startswith("┃"))
    assert "How sure:" not in text and "as stated" not in headers and "P50" in headers
    assert "主な要因: Sobol 指数" in text and "Strongest drivers" not in text
    assert "P(中国回避のプレミアム > USD 0/t) = " in text and "P(premium of" not in text
    assert "規則「中国回避」のプレミアムは表記値で USD " in text  # the closing note
    assert "The premium of the rule" not in text and "Each draw re-prices" not in text


@pytest.mark.parametrize("command", ["routes", "pareto"])
def test_routes_and_pareto_take_lang(command):
    text = _invoke([command, *TINY_ROUTE, "--lang", "ja"], env={"CORRIDOR_DATA": str(TINY)})
    assert "経路" in text and "通過国" in text and "これらの数値の出典は" in text
    assert "countries" not in text and "sources behind these numbers" not in text


def test_routes_uncertainty_in_japanese():
    text = _invoke(["routes", *REE, *YOK, "--k", "3", "--uncertainty", "32", "--lang", "ja"])
    assert "P(この中で最安)" in text and "P(上記の順位が保たれる)" in text
    assert "P(cheapest of these)" not in text and "the order above holds" not in text


def test_unknown_lang_is_a_usage_error():
    p = subprocess.run(
        [sys.executable, "-m", "corridor", "pareto", *TINY_ROUTE, "--lang", "fr"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "CORRIDOR_DATA": str(TINY)},
    )  # fmt: skip
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "--lang must be one of en, ja, not 'fr'" in p.stderr


def test_plan_tables_in_japanese():
    contracts = str(Path(__file__).parents[2] / "examples" / "contracts.yaml")
    args = ["plan", contracts, "--max-share", "CN=0.5", "--no-store"]
    ja = _invoke([*args, "--lang", "ja"])
    for word in (
        "契約",
        "経路別の流量",
        "使用した輸送能力",
        "規則ごとの費用",
        "t/年不足",
        "注記: ",
    ):
        assert word in ja, word
    for word in ("Contracts", "Flows by route", "Capacities used", "Cost of each rule", "note: "):
        assert word not in ja, word
    en = _invoke(args)
    assert "Flows by route" in en and "Cost of each rule" in en and not JAPANESE.search(en)


def test_stress_tables_in_japanese():
    contracts = str(Path(__file__).parents[2] / "examples" / "contracts.yaml")
    args = ["stress", contracts, "--years", "300", "--seed", "3", "--no-store"]
    ja = _invoke([*args, "--lang", "ja"])
    for word in ("ストレステスト", "年間の未着トン数と追加費用", "経路系統別", "集中度（HHI"):
        assert word in ja, word
    for word in ("Stress test of", "Undelivered tonnes", "By route family", "Concentration"):
        assert word not in ja, word
    from corridor.network.load import load_network

    events = load_network().events  # the drivers table names the events in Japanese
    assert any(ev.name_ja[:6] in ja for ev in events)
    assert not any(ev.name_en[:16] in ja for ev in events)
