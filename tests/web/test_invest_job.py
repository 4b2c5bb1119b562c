"""The ``invest`` job: the investment appraisal through the API, equal to the library."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from corridor.contracts.io import build_portfolio
from corridor.invest import invest
from corridor.invest.intime import RiskSettings
from corridor.network.load import load_network
from corridor.web.app import create_app
from tests.invest.test_invest import closure, two_routes  # noqa: F401  (fixtures)
from tests.web.test_api import LOCAL, error_of, wait_for

CONTRACT = {
    "id": "ore_800k",
    "commodity": "ore",
    "origins": ["MINE"],
    "destinations": ["DEST"],
    "volume_t_per_year": 800000,
}


def test_invest_job_equals_the_library(closure: Path) -> None:  # noqa: F811
    net = load_network(closure)
    params = {"contracts": [CONTRACT], "corridor_traffic": False, "budget_usd": 2e6, "years": 50}
    with TestClient(create_app(network=net), base_url=LOCAL) as api:
        r = api.post("/api/jobs", json={"kind": "invest", "params": params})
        assert r.status_code == 202, r.text
        done = wait_for(api, r.json()["id"], timeout=120)
        assert done["status"] == "done", done
        assert done["progress"] == 1
        bad = api.post(
            "/api/jobs", json={"kind": "invest", "params": {**params, "projects": ["PRJ_X"]}}
        )
        assert "PRJ_X" in error_of(bad, 422)["message"]
    portfolio = build_portfolio([CONTRACT], [], net, name="web request")
    library = invest(
        portfolio,
        network=net,
        budget_usd=2e6,
        corridor_traffic=False,
        risk=RiskSettings(years=50),
    )
    assert done["result"] == json.loads(json.dumps(library.to_dict()))
    assert done["result"]["in_time"]["years"] == 50
    assert done["result"]["selected"]["projects"] == ["PRJ_WEST"]


def test_invest_job_without_the_in_time_risk(two_routes: Path) -> None:  # noqa: F811
    net = load_network(two_routes)
    params = {"contracts": [CONTRACT], "corridor_traffic": False, "years": 0}
    with TestClient(create_app(network=net), base_url=LOCAL) as api:
        r = api.post("/api/jobs", json={"kind": "invest", "params": params})
        done = wait_for(api, r.json()["id"], timeout=120)
        assert done["status"] == "done", done
    assert done["result"]["in_time"] is None
    assert done["result"]["ranked"][0]["stockout_days_change"] is None
