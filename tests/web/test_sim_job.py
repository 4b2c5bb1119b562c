"""The ``simulate`` job: the queue simulation through the API, equal to the library."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from corridor.analysis.queries import default_network
from corridor.network import Network
from corridor.sim import WhatIf
from corridor.sim.run import payload, prepare, run_prepared
from corridor.web.app import create_app
from tests.web.test_api import LOCAL, error_of, wait_for

pytest.importorskip("simpy")

CASE = {
    "commodity": "rare_earth_oxide",
    "origin": "KZ_ALMATY",
    "destination": "GE_POTI",
    "volume": 5_000,
    "replications": 2,
    "horizon_days": 60,
    "seed": 3,
}


@pytest.fixture(scope="module")
def net() -> Network:
    return default_network()


@pytest.fixture(scope="module")
def api(net):
    with TestClient(create_app(network=net), base_url=LOCAL) as c:
        yield c


def _library(net: Network, whatif: WhatIf | None = None) -> dict:
    args = (net, CASE["commodity"], CASE["origin"], CASE["destination"], CASE["volume"])
    base = run_prepared(prepare(*args, horizon_days=60), 2, 3)
    case = None
    if whatif is not None:
        case = run_prepared(prepare(*args, whatif=whatif, horizon_days=60), 2, 3)
    return json.loads(json.dumps(payload(base, case)))


def test_simulate_job_equals_the_library(api, net):
    r = api.post("/api/jobs", json={"kind": "simulate", "params": CASE})
    assert r.status_code == 202, r.text
    done = wait_for(api, r.json()["id"], timeout=60)
    assert done["status"] == "done", done
    assert done["progress"] == 1
    assert done["result"] == _library(net)
    assert "whatif" not in done["result"]


def test_a_whatif_adds_the_change_against_the_base(api, net):
    params = {**CASE, "extra_ferries": 2}
    r = api.post("/api/jobs", json={"kind": "simulate", "params": params})
    done = wait_for(api, r.json()["id"], timeout=60)
    assert done["result"] == _library(net, WhatIf(extra_ferries=2))
    # more ferries never make the traced cargo wait longer on the same random numbers
    assert done["result"]["whatif"]["delta"]["mean_days"] <= 1e-9


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"replications": 0}, "params.replications", "greater than or equal to 1"),
        ({"replications": 501}, "params.replications", "less than or equal to 500"),
        ({"origin": "NOWHERE"}, "params.origin", "NOWHERE"),
        ({"handling_port": "NOWHERE"}, "params.handling_port", "NOWHERE"),
        ({"volume": -5}, "params.volume", "greater than 0"),
        ({"horizon_days": 1e9}, "params.horizon_days", "less than or equal to 730"),
        ({"destination": "CN_TIANJIN"}, None, "rail ferry"),
    ],
)
def test_bad_simulate_jobs_name_the_field(api, change, field, says):
    r = api.post("/api/jobs", json={"kind": "simulate", "params": {**CASE, **change}})
    e = error_of(r, 422)
    assert e["field"] == field
    assert says in e["message"]
