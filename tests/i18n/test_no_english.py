"""Every face that takes ``--lang ja`` shows no English where a translation exists.

Each command runs once in Japanese on a bundled example (in-process, the network loaded
once). Its output must hold no English name of a place, exposure, commodity, event, regime,
project, state or buyer that has a Japanese name (the ``name_en`` of the tables, and the short
place names the labels use), and no English catalogue text (any piece of an ``en.json``
template longer than 12 characters that its ``ja.json`` value does not share). Text the user
gave (the portfolio's and the plans' names in the example files) is taken out first.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor.cli import app
from corridor.cli._app import out
from corridor.i18n import catalogue
from corridor.network.load import load_network
from corridor.network.names import place_name

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "examples" / "contracts.yaml"
ALL_CHINA = ROOT / "examples" / "splits" / "ree_5000_all_china.yaml"
SPLIT = ROOT / "examples" / "splits" / "ree_5000_split_70_30.yaml"
REE = ["--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ"]
UOC = ["--commodity", "uranium_ore_concentrate", "--origin", "KZ_NORTH_KHARASAN"]
YOK = ["--destination", "JP_YOKOHAMA"]
NAMED_TABLES = ("nodes", "exposures", "commodities", "events", "regimes", "projects", "states",
                "buyers")  # fmt: skip
MIN_TEMPLATE = 13

COMMANDS = {
    "compare_ree": ["compare", *REE, *YOK, "--volume", "10000"],
    "compare_uoc": ["compare", *UOC, *YOK],
    "routes": ["routes", *UOC, *YOK, "--k", "10"],
    "pareto": ["pareto", *REE, *YOK],
    "capacity": ["capacity", *REE, *YOK, "--family", "trans_caspian", "--no-store"],
    "plan": ["plan", str(CONTRACTS), "--no-store"],
    "stress": ["stress", str(CONTRACTS), "--years", "100", "--no-store"],
    "versus": ["stress", str(ALL_CHINA), "--versus", str(SPLIT), "--years", "30", "--no-store"],
}
EXPOSURE = ["exposure", str(ALL_CHINA), "--no-store"]
COMMANDS["frontier"] = ["frontier", str(ALL_CHINA), "--points", "3", "--scenarios", "200",
                        "--no-store"]  # fmt: skip
COMMANDS["frontier_in_time"] = ["frontier", str(ALL_CHINA), "--loss", "stockout",
                                "--scenarios", "60", "--step", "0.5", "--no-store"]  # fmt: skip
# The Trans-Caspian share under 1 % (a premium, not a subsidy) and a sanctions cost struck
# with probability 0.5: the lines of the rarer branches. ``invest`` runs on the tiny network
# (test_invest_breakeven_ja), the bundled projects being slow to evaluate.
COMMANDS["breakeven"] = ["breakeven", *REE, *YOK, "--volume", "10000", "--share", "0.01",
                         "--sanctions-probability", "0.5"]  # fmt: skip


@cache
def _english_names() -> dict[str, str]:
    """English name -> where it comes from, for every record that has a Japanese name."""
    net = load_network()
    out: dict[str, str] = {}
    for table in NAMED_TABLES:
        for row in getattr(net, table, ()):
            if getattr(row, "name_ja", "") and row.name_en:
                out[row.name_en] = f"{table}:{row.id}"
    for node in net.nodes:
        if node.name_ja:
            out.setdefault(place_name(node, "en"), f"nodes:{node.id} (short name)")
    return out


@cache
def _english_templates() -> dict[str, str]:
    """Pieces of English catalogue text (between placeholders) that Japanese does not use."""
    en, ja = catalogue("en"), catalogue("ja")
    out: dict[str, str] = {}
    for key, text in en.items():
        for piece in re.split(r"\{\w+\}", text):
            piece = piece.strip()
            if len(piece) >= MIN_TEMPLATE and piece not in ja[key]:
                out[piece] = key
    return out


def _user_text() -> list[str]:
    """Names the user wrote in the example files (shown as given, in any language)."""
    names = []
    for path in (CONTRACTS, ALL_CHINA, SPLIT):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        names.append(doc["name"])
    return sorted(names, key=len, reverse=True)


def _flat(text: str) -> str:
    """Terminal output with table borders and line wraps taken out (a name wrapped over
    two lines of a cell is one name again)."""
    lines = []
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)]
        lines.append(" ".join(c for c in cells if c and not set(c) <= set("━─┏┓┗┛┡┩└┘┳┻╇┴┬ ")))
    return " ".join(lines)


def english_left(text: str) -> list[str]:
    """The English names and catalogue texts found in ``text`` (user text taken out)."""
    flat = _flat(text)
    for name in _user_text():
        text, flat = text.replace(name, " "), flat.replace(name, " ")
    found = []
    for name, where in _english_names().items():
        pattern = r"(?<![\w-])" + re.escape(name) + r"(?![\w-])"
        if re.search(pattern, text) or re.search(pattern, flat):
            found.append(f"name {name!r} ({where})")
    for piece, key in _english_templates().items():
        if piece in text or piece in flat:
            found.append(f"text {piece!r} (key {key})")
    return found


def _run(args: list[str], lang: str = "ja") -> str:
    env = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", "CORRIDOR_DATA": ""}
    width = out.width
    out.width = 400  # wide enough that no cell wraps (a wrapped user name could not be removed)
    try:
        res = CliRunner().invoke(app, [*args, "--lang", lang], env=env)
    finally:
        out.width = width
    return res.stdout + res.stderr


def test_the_check_finds_english():
    """The check can fail: the English output of a command is full of both kinds."""
    env = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", "CORRIDOR_DATA": ""}
    text = CliRunner().invoke(app, COMMANDS["compare_ree"], env=env).stdout
    found = english_left(text)
    assert any(f.startswith("name 'Yokohama'") for f in found), found
    assert any("key col_sources_intro" in f or "key cli_" in f for f in found), found
    assert english_left("ドスティク国境駅 → 阿拉山口") == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_japanese_output_has_no_english(name: str):
    text = _run(COMMANDS[name])
    assert re.search(r"[\u3040-\u30ff]", text), text[:500]  # it ran, in Japanese
    assert english_left(text) == []


def test_exposure_table_and_report_in_japanese_have_no_english(tmp_path: Path):
    path = tmp_path / "exposure.html"
    table = _run([*EXPOSURE, "--report", str(path)])
    assert "リスク露出指数" in table and english_left(table) == []
    html = path.read_text(encoding="utf-8")
    assert 'lang="ja"' in html or "リスク露出" in html
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    assert english_left(text) == []
