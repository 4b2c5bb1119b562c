"""``network show``, ``runs show``/``runs diff`` and the no-route reason of uranium via Iran in
Japanese (#17): no English where a translation exists (the check of
:mod:`tests.i18n.test_no_english`), places by name rather than link ids, English unchanged."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

import corridor
from corridor.analysis.queries import default_network
from corridor.cli import app
from corridor.i18n import localise
from tests.i18n.test_no_english import UOC, YOK, _run, english_left

LINK_ID = re.compile(r"\b[A-Z]{1,2}_[A-Z0-9_]+\b")  # L_BOLASHAK_BEREKET, S_…_CTR, F_AKTAU_ALAT


def _iran_reason() -> str:
    result = corridor.compare("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
    return result.unavailable["south"]


def test_iran_reason_names_places_not_link_ids_in_both_languages():
    reason = _iran_reason()
    net = default_network()
    ids = {link.id for link in net.links if link.family == "south"}
    assert len(ids) == 13  # every Iran-family link refuses class 7 (links.csv)
    assert "none of 13 links (Bolashak → Bereket by rail, Bereket → Etrek by rail," in reason
    ja = localise(reason, "ja")
    assert "13区間（ボラシャク国境駅→ベレケト分岐駅間の鉄道、ベレケト分岐駅→エトレク間" in ja
    assert "のいずれも放射性物質（クラス7）貨物を運ばない" in ja
    for text in (str(reason), ja):
        assert not ids & set(LINK_ID.findall(text)), text
    assert english_left(ja) == []


def test_iran_reason_keeps_the_link_ids_in_json():
    res = CliRunner().invoke(app, ["compare", *UOC, *YOK, "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert "L_BOLASHAK_BEREKET" not in doc["unavailable"]["south"]
    links = doc["unavailable_links"]["south"]
    assert links[:2] == ["L_BOLASHAK_BEREKET", "L_BEREKET_ETREK"] and len(links) == 13


def test_compare_in_japanese_shows_the_iran_reason_by_place():
    text = _run(["compare", *UOC, *YOK])
    assert "イラン経由系統には" in text and "ボラシャク国境駅→ベレケト分岐駅間の鉄道" in text
    assert "L_BOLASHAK_BEREKET" not in text
