"""``whatif`` and ``validate-model`` with ``--lang ja`` show no English where a translation
exists (the check of :mod:`tests.i18n.test_no_english`), and their English output keeps its
words."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.i18n.test_no_english import _run, english_left

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "examples" / "scenarios"
OD = ["--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ",
      "--destination", "JP_YOKOHAMA", "--volume", "5000"]  # fmt: skip
CONTRACTS = ["--contracts", str(ROOT / "examples" / "contracts.yaml")]
CASES = {
    "dostyk_od": ("dostyk_closed_60_days", OD),
    "dostyk_contracts": ("dostyk_closed_60_days", CONTRACTS),
    "aktau_od": ("aktau_customs_faster", OD),  # route rows, a note with a place
}


def _scenario_name(stem: str) -> str:
    doc = yaml.safe_load((SCENARIOS / f"{stem}.yaml").read_text(encoding="utf-8"))
    return str(doc["name"])


def _whatif(stem: str, args: list[str], lang: str) -> str:
    text = _run(["whatif", str(SCENARIOS / f"{stem}.yaml"), *args], lang)
    return text.replace(_scenario_name(stem), " ")  # the user's own words, shown as given


@pytest.mark.parametrize("case", sorted(CASES))
def test_whatif_in_japanese_has_no_english(case: str):
    stem, args = CASES[case]
    text = _whatif(stem, args, "ja")
    assert "基準ネットワークとの比較" in text, text[:800]
    assert ("時間軸の影響" in text) == stem.startswith("dostyk"), text  # dated closures only
    assert english_left(text) == []


def test_whatif_in_english_is_english_and_the_check_sees_it():
    stem, args = CASES["aktau_od"]
    text = _whatif(stem, args, "en")
    assert "Against the base network" in text and "Trans-Caspian route: cost" in text
    assert "the mean dwell at KZ_AKTAU is 1 days" in text
    assert english_left(text) != []


def test_whatif_japanese_names_the_closed_crossing():
    stem, args = CASES["dostyk_od"]
    text = _whatif(stem, args, "ja")
    assert "60日目から60日間ドスティク・阿拉山口鉄道国境を閉鎖" in text
    assert "DOSTYK_ALASHANKOU" not in text


def test_validate_model_in_japanese_has_no_english():
    text = _run(["validate-model"])
    assert "公表値とモデルの比較" in text and "範囲外" in text, text[:800]
    assert "アルマトイ › アクタウ港" in text  # the model route by place names, not ids
    assert "KZ_ALMATY ›" not in text
    assert english_left(text) == []


def test_validate_model_in_english_keeps_its_words():
    text = _run(["validate-model"], "en")
    assert "Model against published figures" in text and "KZ_ALMATY › KZ_AKTAU" in text
    assert english_left(text) != []
