"""The API's as_of and service options: the CLI's --as-of and --service, with refusals."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from corridor import analysis as api
from corridor.analysis.queries import default_network
from corridor.costs import Assumptions
from corridor.network.load import load_network
from corridor.network.states import network_on
from corridor.web.app import create_app
from tests.conftest import TINY
from tests.web.test_api import LOCAL, ORE, canon, error_of, wait_for

# Suez shut through 2024 only (as tests/network/test_states.py)
STATES = (
    "id,name_en,name_ja,kind,targets,start,end,capacity_factor,delay_days,"
    "surcharge_usd_per_t,sources,note\n"
    "ST_SUEZ,Suez shut,,closure,SUEZ,2024-01-01,2024-12-31,,,,hand,\n"
)


@pytest.fixture(scope="module")
def undated(tmp_path_factory) -> object:
    folder = tmp_path_factory.mktemp("overlay")
    (Path(folder) / "states.csv").write_text(STATES, encoding="utf-8")
    return load_network(TINY, folder)


@pytest.fixture(scope="module")
def client(undated):
    with TestClient(create_app(undated), base_url=LOCAL) as c:
        yield c


def _families(answer: dict) -> set[str]:
    return {r["family"] for r in answer["routes"]}


def test_as_of_gives_the_network_of_that_day(client, undated):
    shut = client.post("/api/compare", json={**ORE, "as_of": "2024-06-01"})
    open_ = client.post("/api/compare", json={**ORE, "as_of": "2025-01-01"})
    assert shut.status_code == open_.status_code == 200, shut.text
    assert _families(shut.json()) == {"china"}  # only China's route avoids Suez
    assert len(_families(open_.json())) > 1
    expected = api.compare(*ORE.values(), network=network_on(undated, dt.date(2024, 6, 1)))
    assert shut.json() == canon(expected.to_dict())


@pytest.mark.parametrize("kind", ["routes", "pareto", "compare"])
def test_jobs_take_as_of_too(client, kind):
    body = {**ORE, "as_of": "2024-06-01"}
    r = client.post("/api/jobs", json={"kind": kind, "params": body})
    assert r.status_code == 202, r.text
    done = wait_for(client, r.json()["id"])
    assert done["result"] == client.post(f"/api/{kind}", json=body).json()
    assert _families(done["result"]) == {"china"}


@pytest.mark.parametrize(
    ("value", "words"),
    [("2024-13-01", "month"), ("1999-12-31", "2000-01-01"), ("soon", "date"), (20240101, "")],
)
def test_a_bad_as_of_is_a_422_naming_it(client, value, words):
    e = error_of(client.post("/api/compare", json={**ORE, "as_of": value}), 422)
    assert e["field"] == "as_of" and words in e["message"]


def test_a_bad_service_is_a_422_naming_it(client):
    e = error_of(client.post("/api/routes", json={**ORE, "service": "express"}), 422)
    assert e["field"] == "service" and "wagonload" in e["message"]


def test_a_server_fixed_to_a_date_refuses_another():
    with TestClient(
        create_app(network_on(load_network(TINY), dt.date(2024, 6, 1))), base_url=LOCAL
    ) as c:
        assert c.post("/api/compare", json={**ORE, "as_of": "2024-06-01"}).status_code == 200
        e = error_of(c.post("/api/compare", json={**ORE, "as_of": "2025-06-01"}), 400)
        assert e["field"] == "as_of" and "fixed to 2024-06-01" in e["message"]


def test_service_changes_rail_time_as_in_the_library():
    net = default_network()
    body = {"commodity": "rare_earth_concentrate", "origin": "KZ_ZHANA_KZ",
            "destination": "JP_YOKOHAMA", "k": 1}  # fmt: skip
    with TestClient(create_app(net), base_url=LOCAL) as c:
        got = {
            svc: c.post("/api/routes", json={**body, "service": svc}).json()
            for svc in ("block", "wagonload")
        }
    for svc, answer in got.items():
        lib = api.routes(*list(body.values())[:3], k=1, network=net,
                         assumptions=Assumptions(service=svc))  # fmt: skip
        assert answer == canon(lib.to_dict())
    days = {svc: a["routes"][0]["totals"]["days_mean"] for svc, a in got.items()}
    assert days["wagonload"] > days["block"]
