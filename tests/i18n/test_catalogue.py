"""Every user-facing string has its translation: the CLI/report catalogue, the web page's
catalogue, and the Japanese names of the tables (with the known gaps listed for data11)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corridor.i18n import LANGS, catalogue, family_name, lang_from_env, t
from corridor.network.load import load_network

SRC = Path(__file__).resolve().parents[2] / "src" / "corridor"
WEB = SRC / "web" / "static"
MISSING = Path(__file__).with_name("missing_name_ja.txt")


def _python_keys() -> set[str]:
    """Keys passed as literals to t(...) or msg(...) anywhere in the package."""
    keys: set[str] = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\b(?:t|msg|Message)\(\s*\"([a-z][a-z0-9_]*)\"", text))
        # keys built with a prefix in an f-string: Message(f"noroute_role_{role}")
        for prefix in re.findall(r"\bMessage\(\s*f\"([a-z][a-z0-9_]*)\{", text):
            keys |= {k for k in catalogue("en") if k.startswith(prefix)}
    return keys


def test_both_languages_have_the_same_keys_and_no_empty_message():
    en, ja = catalogue("en"), catalogue("ja")
    assert set(en) == set(ja), set(en) ^ set(ja)
    assert all(v.strip() for v in (*en.values(), *ja.values()))
    for key in en:  # the same placeholders in both, so no value is lost in translation
        assert set(re.findall(r"\{(\w+)\}", en[key])) == set(re.findall(r"\{(\w+)\}", ja[key])), key


def test_every_key_the_code_asks_for_exists():
    used = _python_keys()
    assert "brief_cheapest" in used and "col_route" in used  # the scan finds real calls
    assert {"noroute_what", "why_cargo", "noroute_role_origin"} <= used  # library messages
    assert used - set(catalogue("en")) == set()


def test_japanese_messages_are_japanese():
    """A message copied from English untranslated is caught (ids and units may stay Latin)."""
    kana_kanji = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    latin_only = {k for k, v in catalogue("ja").items() if not kana_kanji.search(v)}
    acronyms = {
        k
        for k in latin_only
        if k.startswith("hdr_") and re.fullmatch(r"C?VaR \d+%|ID|URL|P\d+", catalogue("ja")[k])
    }
    # messages that only join others (a field and its reason, a label and its problem)
    joins = {"table_title", "brief_compare_title", "prob_field_reason", "prob_c_labelled",
             "prob_c_label_comma", "prob_c_share_bad", "prob_c_clause",
             "prob_p_entry"}  # fmt: skip
    assert latin_only - acronyms <= joins, latin_only
    assert acronyms == {
        "hdr_id",
        "hdr_url",
        "hdr_p5",
        "hdr_p95",
        "hdr_cvar_95",
        "hdr_cvar_99",
        "hdr_var_95",
        "hdr_var_99",
    }


def test_web_page_keys_exist_in_both_languages():
    en = json.loads((WEB / "i18n" / "en.json").read_text(encoding="utf-8"))
    ja = json.loads((WEB / "i18n" / "ja.json").read_text(encoding="utf-8"))
    assert set(en) == set(ja), set(en) ^ set(ja)
    files = [WEB / "app.js", *(WEB / "js").glob("*.js")]
    js = "\n".join(f.read_text(encoding="utf-8") for f in files)
    html = (WEB / "index.html").read_text(encoding="utf-8")
    literal = set(re.findall(r"\bt\(\"([a-z][a-z0-9_]*)\"\s*[,)]", js))
    literal |= set(re.findall(r'data-i18n="([a-z0-9_]+)"', html))
    assert {"copy", "download", "stress_y_axis"} <= literal
    assert literal - set(en) == set()
    # keys built from data: every kind of stored run and every headline field has a label
    for kind in ("capacity", "plan", "stress", "frontier"):
        assert f"kind_{kind}" in en


def test_family_names_and_locale():
    assert family_name("trans_caspian+russia", "ja") == "カスピ海横断 + ロシア経由"
    assert t("via_cape", "en") == " (via the Cape)"
    assert lang_from_env({"LANG": "ja_JP.UTF-8"}) == "ja"
    assert lang_from_env({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}) == "en"  # LC_ALL wins
    assert lang_from_env({}) == "en"
    with pytest.raises(ValueError, match="language must be one of"):
        catalogue("fr")
    assert set(LANGS) == {"en", "ja"}


def test_names_ja_present_or_listed_as_known_gap():
    """Rows without name_ja must be on the list (reported to data11); listed rows that have
    gained a name must leave it."""
    listed = {
        line.strip()
        for line in MISSING.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    net = load_network()
    missing = {f"nodes:{n.id}" for n in net.nodes if not n.name_ja}
    missing |= {f"exposures:{e.id}" for e in net.exposures if not e.name_ja}
    assert missing - listed == set(), f"add name_ja (or list them): {sorted(missing - listed)}"
    assert listed - missing == set(), f"now named, drop from the list: {sorted(listed - missing)}"
    assert all(c.name_ja for c in net.commodities)
    assert all(ev.name_ja for ev in net.events)  # every disruption event has a Japanese name
