"""GET /api/market and POST /api/breakeven: the CLI's numbers, bad bodies answered with 422."""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from corridor.analysis.market import breakeven_for
from corridor.analysis.queries import bundled_network
from corridor.market import RiskBuyer
from corridor.web.app import create_app

BODY = {
    "commodity": "rare_earth_concentrate",
    "origin": "KZ_ZHANA_KZ",
    "destination": "JP_YOKOHAMA",
}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(), base_url="http://127.0.0.1") as c:
        yield c


def test_market_endpoint_has_the_calibration_and_the_backtest(client):
    r = client.get("/api/market")
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["market"] == "westbound_overland"
    assert [b["label"] for b in out["backtest"]] == ["2022", "2023–24", "2024–25"]


def test_breakeven_endpoint_equals_the_library(client):
    r = client.post("/api/breakeven", json={**BODY, "share": 0.25, "volume": 5000})
    assert r.status_code == 200, r.text
    be, _ = breakeven_for(
        bundled_network(), *BODY.values(), share=0.25, volume_t=5000, buyer=RiskBuyer()
    )
    assert r.json()["subsidy_usd_per_t"] == round(be.subsidy_usd_per_t, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "share": 1.5}, "share"),
        ({**BODY, "share": 0}, "share"),
        ({**BODY, "volume": -1}, "volume"),
        ({**BODY, "commodity": "nope"}, "commodity"),
        ({**BODY, "destination": "KZ_ZHANA_KZ"}, "destination"),
        ({**BODY, "path": "/etc/passwd"}, "path"),
    ],
)
def test_bad_bodies_are_422_naming_the_field(client, body, field):
    r = client.post("/api/breakeven", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field
