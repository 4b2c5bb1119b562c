"""Compliance as data: regimes and buyer profiles, on a tiny network checkable by hand and on
the bundled one.

For container ore the tiny network (tests/fixtures/tiny) has a Trans-Caspian route through
Georgia at USD 138.99/t and a China route at USD 168.39/t. The overlay below adds a made-up
regime that sanctions Georgia for anyone, a class 7 permit in China, a lapsed measure and two
buyers: the cheapest route is then sanctioned, excluded for buyer JP and flagged for ``none``.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from corridor import analysis as api
from corridor.errors import DataError, RequestError
from corridor.network import load_network
from corridor.network.regimes import compliance
from tests.conftest import TINY

REGIMES = (
    "id,name_en,name_ja,kind,issuer,targets,cargo_classes,restricts,binds,effect,"
    "in_force_from,in_force_to,lead_time_days,lead_time_days_p95,sources,note\n"
    "X_GE,Sanctions on Georgia,対ジョージア制裁,sanctions,US,GE,,port_call,any,exclude,"
    "2020-01-01,,,,hand,\n"
    "X_CN_C7,Class 7 transit permit,クラス7通過許可,transit_permit,CN,CN,class7,transit_approval,"
    "any,condition,2020-01-01,,60,120,hand,\n"
    "X_CN_OLD,Lapsed measure on China,失効した措置,sanctions,EU,CN,,insurance,EU,exclude,"
    "2010-01-01,2012-12-31,,,hand,\n"
)
BUYERS = (
    "id,name_en,name_ja,jurisdiction,follows,treatment,sources,note\n"
    "JP,Japanese buyer,日本の買い手,JP,JP|US,,hand,\n"
    "PRICED,Buyer pricing the sanctions,価格で扱う買い手,JP,,X_GE=penalty:20,hand,\n"
)


def _overlay(tmp_path: Path, regimes: str = REGIMES, buyers: str = BUYERS) -> Path:
    folder = tmp_path / "overlay"
    folder.mkdir()
    (folder / "regimes.csv").write_text(regimes, encoding="utf-8")
    (folder / "buyers.csv").write_text(buyers, encoding="utf-8")
    return folder


@pytest.fixture
def sanctioned(tmp_path: Path):
    return load_network(TINY, overlay=_overlay(tmp_path))


def test_the_sanctioned_cheapest_route_is_excluded_for_jp_and_flagged_for_none(sanctioned):
    free = api.compare("ore", "MINE", "DEST", network=sanctioned, buyer="none")
    assert free.cheapest.family == "trans_caspian"
    assert free.cheapest.cost_usd_per_t == pytest.approx(138.99, abs=0.01)
    west = free.flags(0)
    assert [(f.regime, f.effect, f.binding, f.touches) for f in west] == [
        ("X_GE", "exclude", False, ("GE",))
    ]
    jp = api.compare("ore", "MINE", "DEST", network=sanctioned, buyer="JP")
    assert [r.family for r in jp.routes] == ["china"]
    assert jp.cheapest.cost_usd_per_t == pytest.approx(168.39, abs=0.01)
    assert "excluded for buyer JP by Sanctions on Georgia (X_GE)" in jp.unavailable["trans_caspian"]
    # avoiding China leaves JP nothing: the row says the regime is why
    assert jp.premium[0].route is None and "X_GE" in jp.premium[0].reason
    # the lapsed regime on China is in force neither for JP nor for none
    assert jp.flags(0) == () and free.flags(1) == ()


def test_json_says_which_regime_flags_a_route(sanctioned):
    out = api.compare("ore", "MINE", "DEST", network=sanctioned, buyer="none").to_dict()
    assert out["request"]["buyer"] == "none"
    west = next(r for r in out["routes"] if r["family"] == "trans_caspian")
    assert west["compliance"][0]["regime"] == "X_GE"
    assert west["compliance"][0]["effect"] == "exclude"


def test_a_priced_regime_adds_its_penalty_once(sanctioned):
    free = api.routes("ore", "MINE", "DEST", network=sanctioned, buyer="none", k=1)
    priced = api.routes("ore", "MINE", "DEST", network=sanctioned, buyer="PRICED", k=1)
    assert priced.routes[0].family == "trans_caspian"  # 138.99 + 20 < 168.39
    assert priced.routes[0].cost_usd_per_t == pytest.approx(free.routes[0].cost_usd_per_t + 20)
    assert [f.effect for f in priced.flags(0)] == ["penalty"]


def test_a_class7_permit_is_a_condition_with_its_lead_time(sanctioned):
    rs = api.routes("uoc", "MINE", "DEST", network=sanctioned, buyer="none", k=1)
    permit = [f for f in rs.flags(0) if f.regime == "X_CN_C7"]
    assert permit and permit[0].effect == "condition"
    assert (permit[0].lead_time_days, permit[0].lead_time_days_p95) == (60, 120)
    assert "lead time ~60 d" in permit[0].text()
    # the same permit does not concern container cargo
    ore = api.routes("ore", "MINE", "DEST", network=sanctioned, buyer="none", k=1)
    assert all(f.regime != "X_CN_C7" for f in ore.flags(0))


def test_an_unmeetable_rule_names_the_regime(sanctioned):
    # avoiding China leaves the route through Georgia, which X_GE excludes for JP
    crosses = r"every route crosses at least one of Georgia, excluded"
    with pytest.raises(RequestError, match=crosses):
        api.routes("ore", "MINE", "DEST", network=sanctioned, buyer="JP", avoid=["CN"])
    with pytest.raises(RequestError, match=r"Sanctions on Georgia \(X_GE\)"):
        api.routes("ore", "MINE", "DEST", network=sanctioned, buyer="JP", avoid=["CN"])


def test_unknown_buyer_is_a_request_error(sanctioned):
    with pytest.raises(RequestError, match=r"unknown buyer 'XX' \(known buyer profiles: none"):
        api.routes("ore", "MINE", "DEST", network=sanctioned, buyer="XX")


def test_regimes_follow_their_dates(sanctioned):
    old = compliance(
        sanctioned.regimes, sanctioned.buyer_profiles(), "JP", "container", dt.date(2011, 6, 1)
    )
    assert [r.id for r, _, _ in old.rules] == ["X_CN_OLD"]
    assert old.excluded == {}  # an EU measure binds neither JP's jurisdiction nor what it follows
    now = compliance(
        sanctioned.regimes, sanctioned.buyer_profiles(), "JP", "container", dt.date(2026, 1, 1)
    )
    assert set(now.excluded) == {"GE"}


@pytest.mark.parametrize(
    ("table", "text", "where"),
    [
        ("regimes", REGIMES.replace("2012-12-31", "2009-12-31"), "in_force_to"),
        ("regimes", REGIMES.replace("2020-01-01,,60", "2020-13-01,,60"), "in_force_from"),
        ("regimes", REGIMES.replace("60,120", "60,30"), "lead_time_days_p95"),
        ("buyers", BUYERS.replace("penalty:20", "penalty:lots"), "treatment"),
        ("buyers", BUYERS.replace("X_GE=penalty:20", "X_NONE=flag"), "treatment"),
        ("buyers", BUYERS.replace("X_GE=penalty:20", "X_CN=ban"), "treatment"),
        ("buyers", BUYERS.replace("PRICED,", "none,"), "id"),
    ],
)
def test_bad_compliance_tables_name_file_row_and_column(tmp_path, table, text, where):
    regimes, buyers = (text, BUYERS) if table == "regimes" else (REGIMES, text)
    with pytest.raises(DataError) as info:
        load_network(TINY, overlay=_overlay(tmp_path, regimes, buyers))
    problem = info.value.problems[0]
    assert problem.file.endswith(f"{table}.csv") and problem.column == where
    assert problem.row in (2, 3, 4)


def test_a_network_without_profiles_applies_no_regime(tiny):
    rs = api.routes("ore", "MINE", "DEST", network=tiny, k=1)
    assert rs.request.buyer == "none" and rs.flags(0) == ()


def test_cli_unknown_buyer_exits_2_without_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DATA"}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridor",
            "routes",
            "--commodity",
            "ore",
            "--origin",
            "MINE",
            "--destination",
            "DEST",
            "--data",
            str(TINY),
            "--overlay",
            str(_overlay(tmp_path)),
            "--buyer",
            "XX",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 2
    assert "unknown buyer 'XX'" in p.stderr and "Traceback" not in p.stderr


# --------------------------------------------------------------------------- bundled network


def test_bundled_rare_earths_avoid_china_is_not_the_iran_route_for_jp():
    jp = api.compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", buyer="JP")
    assert all(r.family != "south" for r in jp.routes)
    assert "US_IRAN_SECONDARY" in jp.unavailable["south"]
    route = jp.premium[0].route
    assert route is not None and "IR" not in route.countries
    none = api.compare("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", buyer="none")
    iran = [i for i, r in enumerate(none.routes) if r.family == "south"]
    assert iran, "buyer none shows the Iran route"
    assert "US_IRAN_SECONDARY" in [f.regime for f in none.flags(iran[0])]


def test_bundled_uranium_china_route_carries_its_transit_approval():
    cmp = api.compare("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
    china = [i for i, r in enumerate(cmp.routes) if r.family == "china"]
    assert china
    flags = {f.regime: f for f in cmp.flags(china[0])}
    assert flags["CN_CLASS7_TRANSIT"].effect == "condition"


def test_bundled_regimes_and_buyers_are_sourced_and_named():
    net = api.default_network()
    assert {r.id for r in net.regimes} >= {
        "US_IRAN_SECONDARY",
        "EU_RUSSIA_833",
        "UK_RUSSIA_2019",
        "US_RUSSIA_14024",
        "JP_RUSSIA_FEFTA",
        "AZ_CLASS7_TRANSIT",
        "GE_CLASS7_TRANSIT",
        "TR_STRAITS_DANGEROUS",
        "CN_CLASS7_TRANSIT",
    }
    ids = {s.id for s in net.sources}
    for r in net.regimes:
        assert r.name_ja and r.sources["in_force_from"]
        assert set(r.sources["in_force_from"]) <= ids
        if r.kind == "transit_permit":
            assert r.lead_time_days > 0 and r.sources["lead_time_days"]


def test_web_api_reports_the_regimes_and_refuses_an_unknown_buyer(sanctioned):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from corridor.web.app import create_app
    from corridor.web.schemas import ComparisonOut

    body = {"commodity": "ore", "origin": "MINE", "destination": "DEST"}
    with TestClient(create_app(network=sanctioned), base_url="http://127.0.0.1") as client:
        none = client.post("/api/compare", json={**body, "buyer": "none"})
        assert none.status_code == 200, none.text
        ComparisonOut.model_validate(none.json())
        west = next(r for r in none.json()["routes"] if r["family"] == "trans_caspian")
        assert [f["regime"] for f in west["compliance"]] == ["X_GE"]
        jp = client.post("/api/compare", json=body).json()  # default buyer JP
        assert jp["request"]["buyer"] == "JP"
        assert [r["family"] for r in jp["routes"]] == ["china"]
        bad = client.post("/api/compare", json={**body, "buyer": "XX"})
        assert bad.status_code == 422 and "unknown buyer 'XX'" in bad.text


def test_cli_table_and_html_report_say_which_regime_flags_a_route(tmp_path):
    overlay = _overlay(tmp_path)
    report = tmp_path / "r.html"
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DATA"}
    args = ["compare", "--commodity", "ore", "--origin", "MINE", "--destination", "DEST"]
    args += ["--data", str(TINY), "--overlay", str(overlay)]
    none = subprocess.run(
        [sys.executable, "-m", "corridor", *args, "--buyer", "none", "--report", str(report)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert none.returncode == 0, none.stderr
    assert (
        "sanctions X_GE" in none.stdout and "X_GE (sanctions): Sanctions on Georgia" in none.stdout
    )
    html = report.read_text(encoding="utf-8")
    assert "Sanctions and permits" in html and "sanctions X_GE" in html
    jp = subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert jp.returncode == 0, jp.stderr
    assert "buyer JP" in jp.stdout and "excluded for buyer JP by Sanctions on" in jp.stdout
