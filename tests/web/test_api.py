"""The REST API: every endpoint's answers and refusals, its numbers against the library's,
its security rules, and the background-job lifecycle."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

with warnings.catch_warnings():
    # Starlette suggests httpx2 for its test client; httpx is what the project installs.
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

import corridor
from corridor import analysis as api
from corridor import risk
from corridor.analysis.queries import PREMIUM_RULES
from corridor.costs import Assumptions
from corridor.errors import RequestError
from corridor.network.load import load_network
from corridor.risk import runner as risk_runner
from corridor.routing.kbest import MAX_K
from corridor.web import schemas
from corridor.web.app import STATIC, create_app
from corridor.web.compute import JOB_KINDS
from corridor.web.jobs import JobManager, TooManyJobs, UnknownJob
from corridor.web.security import (
    ConfigError,
    Limits,
    Settings,
    is_loopback,
    load_tokens,
    token_problem,
)
from tests.conftest import TINY
from tests.risk.test_stress import HAND_EVENTS

LOCAL = "http://127.0.0.1"
TOKEN = "tok-" + "x" * 28
ORE = {"commodity": "ore", "origin": "MINE", "destination": "DEST"}


def canon(data):
    """What a JSON round trip makes of the library's dictionaries."""
    return json.loads(json.dumps(data))


@pytest.fixture(scope="module")
def client(tiny):
    with TestClient(create_app(network=tiny), base_url=LOCAL) as c:
        yield c


@pytest.fixture
def remote(tiny):
    """A server listening beyond loopback, with one token."""
    settings = Settings(host="0.0.0.0", tokens=(TOKEN,))
    with TestClient(create_app(tiny, settings), base_url="http://corridor.example") as c:
        yield c


def error_of(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"message", "field"}
    assert "Traceback" not in response.text
    return body["error"]


def wait_for(client, job_id, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish")


# --------------------------------------------------------------------------- network


def test_info_states_limits_and_job_kinds(client):
    info = schemas.InfoOut.model_validate(client.get("/api/info").json())
    assert info.token_required is False
    assert info.limits.max_k == MAX_K == 50
    assert info.job_kinds == list(JOB_KINDS)


def test_network_counts(client, tiny):
    d = schemas.NetworkOut.model_validate(client.get("/api/network").json())
    assert d.counts == {
        "nodes": 6,
        "links": 6,
        "commodities": 3,
        "exposures": 5,
        "events": 0,  # the tiny network has no events table
        "emission_factors": 3,
        "sources": 1,
    }
    assert d.link_families == {"domestic": 2, "china": 2, "trans_caspian": 2}
    assert d.origin == tiny.origin


@pytest.mark.parametrize(
    ("table", "model"),
    [
        ("nodes", schemas.NodeOut),
        ("links", schemas.LinkOut),
        ("commodities", schemas.CommodityOut),
        ("exposures", schemas.ExposureOut),
        ("emission_factors", schemas.EmissionFactorOut),
        ("sources", schemas.SourceOut),
    ],
)
def test_every_table_is_served_whole_and_typed(client, tiny, table, model):
    rows = client.get(f"/api/network/{table}").json()
    assert [r["id"] for r in rows] == [r.id for r in getattr(tiny, table)]
    for row in rows:
        model.model_validate(row)


def test_tables_carry_japanese_names_and_link_ends(client):
    nodes = {n["id"]: n for n in client.get("/api/network/nodes").json()}
    assert nodes["DEST"]["name_ja"] == "目的港"
    assert nodes["MINE"]["products"] == ["ore", "uoc"]
    link = next(x for x in client.get("/api/network/links").json() if x["id"] == "L3")
    assert (link["from"], link["to"], link["geometry"]) == (
        "BORDER_A",
        "PORT_C",
        [[82, 45], [119, 34]],
    )


def test_record_with_its_sources_resolved(client):
    d = schemas.RecordOut.model_validate(client.get("/api/network/links/L3").json())
    assert d.record["distance_km"] == 3000 and d.sources["distance_km"] == ["hand"]
    assert [s.id for s in d.source_details] == ["hand"]
    assert d.source_details[0].citation == "Hand-made figures of the test network"
    source = client.get("/api/network/sources/hand").json()
    assert source["record"]["kind"] == "estimated" and source["sources"] == {}


def test_unknown_record_and_table_are_404_naming_them(client):
    e = error_of(client.get("/api/network/nodes/DES"), 404)
    assert e["field"] == "record_id" and "'DES'" in e["message"] and "DEST" in e["message"]
    e = error_of(client.get("/api/network/planets/DEST"), 404)
    assert e["field"] == "table" and "'planets'" in e["message"]
    e = error_of(client.get("/api/network/links/MINE"), 404)
    assert e["field"] == "record_id"


def test_country_outlines_are_the_shipped_asset(client):
    r = client.get("/api/geo/countries")
    asset = Path(corridor.__file__).parent / "report" / "assets" / "countries.json"
    assert r.content == asset.read_bytes()
    assert any(c["iso2"] == "JP" for c in r.json()["countries"])


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"k": 1},
        {"avoid": ["CN"], "volume": 2500},
        {"penalise": {"SUEZ": 40, "GE": 5.5}, "carbon_price": 80},
    ],
)
def test_routes_equal_the_library(client, tiny, extra):
    body = {**ORE, **extra}
    r = client.post("/api/routes", json=body)
    assert r.status_code == 200, r.text
    expected = api.routes(
        "ore",
        "MINE",
        "DEST",
        k=body.get("k", 5),
        avoid=body.get("avoid", ()),
        penalise=body.get("penalise"),
        volume=body.get("volume"),
        assumptions=Assumptions(carbon_price_usd_per_t=body.get("carbon_price", 0.0)),
        network=tiny,
    )
    assert r.json() == canon(expected.to_dict())
    schemas.RouteSetOut.model_validate(r.json())


@pytest.mark.parametrize("extra", [{}, {"volume": 5000}, {"avoid": ["SUEZ"], "volume": 10}])
def test_compare_equals_the_library(client, tiny, extra):
    r = client.post("/api/compare", json={**ORE, **extra})
    assert r.status_code == 200, r.text
    expected = api.compare(
        "ore",
        "MINE",
        "DEST",
        avoid=extra.get("avoid", ()),
        volume=extra.get("volume"),
        network=tiny,
    )
    assert r.json() == canon(expected.to_dict())
    d = schemas.ComparisonOut.model_validate(r.json())
    assert [p.name for p in d.premium] == [n for n, _ in PREMIUM_RULES]


def test_pareto_equals_the_library(client, tiny):
    r = client.post("/api/pareto", json={**ORE, "commodity": "uoc"})
    assert r.status_code == 200, r.text
    assert r.json() == canon(api.pareto("uoc", "MINE", "DEST", network=tiny).to_dict())
    schemas.RouteSetOut.model_validate(r.json())


def test_cli_json_equals_api(client):
    env = {**os.environ, "CORRIDOR_DATA": str(TINY)}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "corridor",
            "compare",
            "--commodity",
            "ore",
            "--origin",
            "MINE",
            "--destination",
            "DEST",
            "--volume",
            "700",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == client.post("/api/compare", json={**ORE, "volume": 700}).json()


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("path", "body", "field", "says"),
    [
        ("/api/routes", {**ORE, "commodity": "oar"}, "commodity", "unknown commodity 'oar'"),
        ("/api/routes", {**ORE, "origin": "MINEX"}, "origin", "unknown node 'MINEX'"),
        ("/api/compare", {**ORE, "destination": "NOPE"}, "destination", "unknown node 'NOPE'"),
        ("/api/routes", {**ORE, "avoid": ["CN", "XX"]}, "avoid.1", "unknown exposure 'XX'"),
        ("/api/compare", {**ORE, "penalise": {"ZZ": 3}}, "penalise.ZZ", "unknown exposure 'ZZ'"),
        ("/api/routes", {**ORE, "destination": "MINE"}, "destination", "same place"),
        ("/api/routes", {**ORE, "k": 0}, "k", "greater than or equal to 1"),
        ("/api/routes", {**ORE, "k": 51}, "k", "less than or equal to 50"),
        ("/api/routes", {**ORE, "k": "many"}, "k", "valid integer"),
        ("/api/compare", {**ORE, "k": 3}, "k", "Extra inputs"),
        ("/api/routes", {**ORE, "data": "/etc"}, "data", "Extra inputs"),
        ("/api/pareto", {**ORE, "volume": 5}, "volume", "Extra inputs"),
        ("/api/routes", {**ORE, "volume": -1}, "volume", "greater than 0"),
        ("/api/routes", {**ORE, "volume": 1e11}, "volume", "less than or equal"),
        ("/api/routes", {**ORE, "carbon_price": -5}, "carbon_price", "greater than or equal"),
        ("/api/routes", {**ORE, "penalise": {"CN": -1}}, "penalise.CN", "greater than or equal"),
        ("/api/routes", {**ORE, "avoid": ["CN"] * 17}, "avoid", "at most 16"),
        ("/api/routes", {**ORE, "origin": "../../etc/passwd"}, "origin", "pattern"),
        ("/api/routes", {"commodity": "ore", "origin": "MINE"}, "destination", "Field required"),
        ("/api/routes", [1, 2], None, "valid dictionary"),
    ],
)
def test_bad_requests_name_the_field(client, path, body, field, says):
    e = error_of(client.post(path, json=body), 422)
    assert e["field"] == field
    assert says in e["message"]


def test_no_route_is_explained(client):
    e = error_of(client.post("/api/routes", json={**ORE, "avoid": ["KZ"]}), 422)
    assert "the origin Mine is in Kazakhstan, which is avoided" in e["message"]
    e = error_of(client.post("/api/compare", json={**ORE, "commodity": "gas"}), 422)
    assert "no gas pipeline or LNG terminal" in e["message"]


def test_malformed_and_non_json_bodies(client):
    headers = {"Content-Type": "application/json"}
    e = error_of(client.post("/api/routes", content=b"{nope", headers=headers), 422)
    assert e["message"] == "request body is not valid JSON"
    nan = b'{"commodity": "ore", "origin": "MINE", "destination": "DEST", "volume": NaN}'
    assert error_of(client.post("/api/routes", content=nan, headers=headers), 422)["field"] == (
        "volume"
    )
    e = error_of(
        client.post(
            "/api/routes",
            content=b"commodity=ore",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ),
        415,
    )
    assert e["field"] == "Content-Type"
    error_of(client.post("/api/routes", content=b"", headers=headers), 422)


def test_oversized_bodies_are_refused(client):
    big = {**ORE, "pad": "x" * 70_000}
    e = error_of(client.post("/api/routes", json=big), 413)
    assert "65536 bytes" in e["message"]

    def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(70):
            yield b" " * 1024

    headers = {"Content-Type": "application/json"}
    error_of(client.post("/api/routes", content=chunks(), headers=headers), 413)


def test_unknown_paths_and_methods_are_json(client):
    e = error_of(client.get("/api/nothing"), 404)
    assert "/api/nothing" in e["message"]
    error_of(client.get("/api/routes"), 405)
    error_of(client.put("/api/jobs/x", json={}), 405)


def test_internal_errors_are_a_plain_500(tiny, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr(api, "routes", broken)
    # a fresh network: the shared one keeps the answers earlier tests computed
    net = load_network(TINY)
    with TestClient(create_app(net), base_url=LOCAL, raise_server_exceptions=False) as c:
        r = c.post("/api/routes", json=ORE)
    e = error_of(r, 500)
    assert "secret detail" not in r.text and "ZeroDivisionError" not in r.text
    assert e["message"].startswith("internal error")


def test_a_repeated_request_is_answered_from_the_kept_bytes(monkeypatch):
    """The answer is computed once per network and body: a repeat does not call the
    library again, and a body differing in one field does."""
    net = load_network(TINY)
    calls = []
    real = api.compare
    monkeypatch.setattr(api, "compare", lambda *a, **k: calls.append(a) or real(*a, **k))
    with TestClient(create_app(net), base_url=LOCAL) as c:
        first = c.post("/api/compare", json=ORE)
        again = c.post("/api/compare", json=ORE)
        other = c.post("/api/compare", json={**ORE, "volume": 500})
    assert first.status_code == again.status_code == other.status_code == 200
    assert again.content == first.content and len(calls) == 2
    assert other.json()["request"]["volume_t_per_year"] == 500


# --------------------------------------------------------------------------- security


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("corridor.example", False),
    ],
)
def test_loopback_detection(host, loopback):
    assert is_loopback(host) is loopback


def test_beyond_loopback_only_the_page_its_files_and_health_are_open(remote):
    for path in ("/", "/static/app.js", "/static/i18n/ja.json", "/api/health", "/docs"):
        assert remote.get(path).status_code == 200, path
    assert remote.get("/api/health").json()["reads_need_token"] is True
    for path in ("/api/network", "/api/info", "/api/jobs", "/api/runs", "/api/jobs/x", "/nope"):
        error_of(remote.get(path), 401)
    good = {"Authorization": "Bearer " + TOKEN}
    assert remote.get("/api/network", headers=good).status_code == 200
    error_of(remote.get("/api/jobs", headers={"Authorization": "Bearer " + "x" * 20}), 403)


def test_require_token_closes_reads_on_loopback_behind_a_proxy(tiny):
    with pytest.raises(ConfigError, match="--require-token"):
        create_app(tiny, Settings(require_token=True))
    settings = Settings(tokens=(TOKEN,), require_token=True)
    with TestClient(create_app(tiny, settings), base_url=LOCAL) as c:
        error_of(c.get("/api/jobs"), 401)
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/jobs", headers={"Authorization": "Bearer " + TOKEN}).status_code == 200


@pytest.mark.parametrize(
    "host",
    [
        "[::1].evil.com",
        "127.0.0.1:80@evil.com",
        "127.0.0.1:99999",
        "127.0.0.1:",
        "localhost..",
        "[::1",
        "[not-ip]:80",
        "evil.com",
        "127.0.0.1 ",
    ],
)
def test_host_headers_are_parsed_strictly(tiny, host):
    with TestClient(create_app(tiny), base_url=LOCAL) as c:
        error_of(c.get("/api/info", headers={"Host": host}), 400)


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost", "[::1]:8000", "LOCALHOST:1"])
def test_loopback_host_headers_pass(tiny, host):
    with TestClient(create_app(tiny), base_url=LOCAL) as c:
        assert c.get("/api/info", headers={"Host": host}).status_code == 200


def test_compute_needs_a_token_beyond_loopback(remote, tiny):
    r = remote.post("/api/routes", json=ORE)
    e = error_of(r, 401)
    assert e["field"] == "Authorization" and "Bearer" in e["message"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    for header in ("Bearer wrong-token-wrong-token-wrong", "Basic " + TOKEN, "Bearer"):
        error_of(remote.post("/api/routes", json=ORE, headers={"Authorization": header}), 403)
    error_of(remote.delete("/api/jobs/abc"), 401)
    error_of(remote.post("/api/jobs", json={"kind": "routes", "params": ORE}), 401)
    good = {"Authorization": "Bearer " + TOKEN}
    r = remote.post("/api/routes", json=ORE, headers=good)
    assert r.status_code == 200
    assert r.json() == canon(api.routes("ore", "MINE", "DEST", network=tiny).to_dict())
    assert remote.get("/api/info", headers=good).json()["token_required"] is True


def test_configured_tokens_are_enforced_on_loopback_too(tiny):
    settings = Settings(tokens=(TOKEN,))
    with TestClient(create_app(tiny, settings), base_url=LOCAL) as c:
        error_of(c.post("/api/routes", json=ORE), 401)
        assert (
            c.post(
                "/api/routes", json=ORE, headers={"Authorization": f"bearer {TOKEN}"}
            ).status_code
            == 200
        )


def test_refuses_to_start_beyond_loopback_without_a_token(tiny):
    with pytest.raises(ConfigError, match="--token-file") as exc:
        create_app(tiny, Settings(host="0.0.0.0"))
    assert "CORRIDOR_TOKENS" in str(exc.value)
    with pytest.raises(ConfigError, match="shorter than 16"):
        create_app(tiny, Settings(host="0.0.0.0", tokens=("short",)))


def test_tokens_from_file_and_environment(tmp_path):
    f = tmp_path / "tokens"
    f.write_text("# team tokens\nalpha-token-0123456789\n\n  beta-token-0123456789  \n")
    env = {"CORRIDOR_TOKENS": "gamma-token-0123456789, alpha-token-0123456789,"}
    assert load_tokens(f, env) == (
        "alpha-token-0123456789",
        "beta-token-0123456789",
        "gamma-token-0123456789",
    )
    assert load_tokens(None, {}) == ()
    with pytest.raises(ConfigError, match="cannot read token file"):
        load_tokens(tmp_path / "missing", {})


def test_token_comparison():
    tokens = ("a" * 20, "b" * 20)
    assert token_problem(None, tokens) == "missing"
    assert token_problem("Token " + "a" * 20, tokens) == "malformed"
    assert token_problem("Bearer " + "c" * 20, tokens) == "invalid"
    assert token_problem("Bearer " + "b" * 20, tokens) is None
    assert token_problem("Bearer é", tokens) == "invalid"


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("127.0.0.1:8000", True),
        ("localhost:8000", True),
        ("[::1]:8000", True),
        ("localhost", True),
        ("evil.example", False),
        ("evil.example:8000", False),
        ("127.0.0.1.evil.example", False),
    ],
)
def test_loopback_server_refuses_foreign_host_headers(client, host, allowed):
    r = client.get("/api/info", headers={"Host": host})
    if allowed:
        assert r.status_code == 200
    else:
        assert error_of(r, 400)["field"] == "Host"


def test_cors_is_closed_by_default(client, tiny):
    origin = {"Origin": "http://other.example"}
    assert "access-control-allow-origin" not in client.get("/api/info", headers=origin).headers
    pre = client.options("/api/routes", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    settings = Settings(cors_origins=("http://app.example",))
    with TestClient(create_app(tiny, settings), base_url=LOCAL) as c:
        r = c.get("/api/info", headers={"Origin": "http://app.example"})
        assert r.headers["access-control-allow-origin"] == "http://app.example"
        r = c.get("/api/info", headers=origin)
        assert "access-control-allow-origin" not in r.headers


def test_pages_forbid_outside_resources(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"


# --------------------------------------------------------------------------- jobs


def test_batch_compare_job_lifecycle(client, tiny):
    params = {
        "commodity": "ore",
        "origins": ["MINE", "HUB"],
        "destinations": ["DEST"],
        "volume": 100,
    }
    r = client.post("/api/jobs", json={"kind": "batch_compare", "params": params})
    assert r.status_code == 202, r.text
    job = schemas.JobOut.model_validate(r.json())
    assert job.status in ("queued", "running") and job.result is None
    done = wait_for(client, job.id)
    schemas.JobOut.model_validate(done)
    assert done["status"] == "done" and done["progress"] == 1.0 and done["error"] is None
    items = done["result"]["items"]
    assert [(i["origin"], i["destination"]) for i in items] == [("MINE", "DEST"), ("HUB", "DEST")]
    for item in items:
        expected = api.compare("ore", item["origin"], "DEST", volume=100, network=tiny)
        assert item["result"] == canon(expected.to_dict()) and item["error"] is None
    listed = client.get("/api/jobs").json()["jobs"]
    assert listed[0]["id"] == job.id and listed[0]["result"] is None
    gone = client.delete(f"/api/jobs/{job.id}")
    assert gone.status_code == 200 and gone.json()["status"] == "done"
    assert error_of(client.get(f"/api/jobs/{job.id}"), 404)["field"] == "job_id"


def test_batch_items_without_a_route_say_why(client):
    params = {
        "commodity": "ore",
        "origins": ["MINE"],
        "destinations": ["DEST"],
        "avoid": ["SUEZ", "CN"],
    }
    r = client.post("/api/jobs", json={"kind": "batch_compare", "params": params})
    item = wait_for(client, r.json()["id"])["result"]["items"][0]
    assert item["result"] is None and "every route crosses" in item["error"]


@pytest.mark.parametrize("kind", ["routes", "compare", "pareto"])
def test_single_jobs_equal_their_endpoints(client, kind):
    r = client.post("/api/jobs", json={"kind": kind, "params": ORE})
    assert r.status_code == 202, r.text
    done = wait_for(client, r.json()["id"])
    assert done["result"] == client.post(f"/api/{kind}", json=ORE).json()


def test_failed_job_reports_the_library_message(client):
    r = client.post("/api/jobs", json={"kind": "routes", "params": {**ORE, "avoid": ["KZ"]}})
    done = wait_for(client, r.json()["id"])
    assert done["status"] == "failed" and "which is avoided" in done["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "whatif", "params": {}}, "kind"),
        ({"kind": "routes", "params": {**ORE, "k": 99}}, "params.k"),
        ({"kind": "routes", "params": {**ORE, "origin": "NOWHERE"}}, "params.origin"),
        (
            {
                "kind": "batch_compare",
                "params": {"commodity": "ore", "origins": ["MINE"], "destinations": ["DEST", "XX"]},
            },
            "params.destinations.1",
        ),
        (
            {
                "kind": "batch_compare",
                "params": {
                    "commodity": "ore",
                    "origins": ["MINE"] * 11,
                    "destinations": ["DEST"] * 10,
                },
            },
            "params.destinations",
        ),
        (
            {
                "kind": "batch_compare",
                "params": {"commodity": "ore", "origins": [], "destinations": ["DEST"]},
            },
            "params.origins",
        ),
        ({"kind": "routes", "params": ORE, "path": "/tmp/x"}, "path"),
    ],
)
def test_bad_job_requests_name_the_field(client, body, field):
    assert error_of(client.post("/api/jobs", json=body), 422)["field"] == field


def test_unknown_job_ids_are_404(client):
    for r in (client.get("/api/jobs/0123abc"), client.delete("/api/jobs/0123abc")):
        e = error_of(r, 404)
        assert e["field"] == "job_id" and "'0123abc'" in e["message"]


def test_concurrency_limit_and_cancel(tiny, monkeypatch):
    release = threading.Event()
    real = api.compare

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "compare", slow)
    settings = Settings(limits=Limits(max_active_jobs=2))
    body = {
        "kind": "batch_compare",
        "params": {"commodity": "ore", "origins": ["MINE", "HUB"], "destinations": ["DEST"]},
    }
    with TestClient(create_app(tiny, settings), base_url=LOCAL) as c:
        first, second = (c.post("/api/jobs", json=body).json() for _ in range(2))
        r = c.post("/api/jobs", json=body)
        e = error_of(r, 429)
        assert "2 jobs are already queued or running" in e["message"]
        assert r.headers["retry-after"] == "5"
        cancelled = c.delete(f"/api/jobs/{first['id']}").json()
        assert cancelled["cancel_requested"] is True
        release.set()
        assert wait_for(c, first["id"])["status"] == "cancelled"
        assert wait_for(c, first["id"])["result"] is None
        assert wait_for(c, second["id"])["status"] == "done"
        assert c.post("/api/jobs", json=body).status_code == 202


# --------------------------------------------------------------------------- job manager


def test_queued_job_is_cancelled_before_it_runs():
    jobs = JobManager(max_active=2)
    jobs._pool._max_workers = 1  # one worker for two jobs: the second waits in the queue
    gate = threading.Event()
    ran = []
    jobs.submit("block", {}, lambda ctx: gate.wait(10) and {})
    queued = jobs.submit("later", {}, lambda ctx: ran.append(1) or {})
    assert jobs.get(queued["id"])["status"] == "queued"
    assert jobs.cancel(queued["id"])["status"] == "cancelled"
    gate.set()
    jobs.shutdown()
    assert ran == [] and jobs.get(queued["id"])["status"] == "cancelled"


def test_progress_is_monotonic_and_failures_are_contained():
    jobs = JobManager(max_active=1, max_kept=2)
    seen = []
    submitted = threading.Event()

    def steps(ctx):
        submitted.wait(10)
        for f in (0.5, 0.25, 2.0):
            ctx.progress(f)
            seen.append(jobs.get(job["id"])["progress"])
        return {"ok": True}

    job = jobs.submit("steps", {}, steps)
    submitted.set()
    _settle(jobs, job["id"])
    assert seen == [0.5, 0.5, 1.0]
    boom = jobs.submit("boom", {}, lambda ctx: 1 / 0)
    assert _settle(jobs, boom["id"])["error"].startswith("internal error")
    bad = jobs.submit("bad", {}, lambda ctx: (_ for _ in ()).throw(RequestError("no route")))
    assert _settle(jobs, bad["id"])["error"] == "no route"
    with pytest.raises(UnknownJob):  # only the two newest finished jobs are kept
        jobs.get(job["id"])
    jobs.shutdown()


def test_manager_refuses_beyond_its_limit():
    jobs = JobManager(max_active=1)
    gate = threading.Event()
    jobs.submit("block", {}, lambda ctx: gate.wait(10) and {})
    with pytest.raises(TooManyJobs):
        jobs.submit("more", {}, lambda ctx: {})
    gate.set()
    jobs.shutdown()


def _settle(jobs, job_id):
    for _ in range(500):
        job = jobs.get(job_id)
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.01)
    raise AssertionError("job did not settle")


# --------------------------------------------------------------------------- pages


def test_openapi_and_offline_docs(client):
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/network",
        "/api/network/{table}/{record_id}",
        "/api/routes",
        "/api/compare",
        "/api/pareto",
        "/api/jobs",
        "/api/jobs/{job_id}",
        "/api/geo/countries",
    ):
        assert path in spec["paths"]
    docs = client.get("/docs").text
    for url in re.findall(r'(?:src|href)="([^"]+)"', docs):
        assert url.startswith(("/", "data:")), url
        if url.startswith("/"):
            assert client.get(url).status_code == 200, url


def test_page_and_its_assets_are_served(client):
    page = client.get("/").text
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith(("/", "data:")), url
        if url.startswith("/static"):
            assert client.get(url).status_code == 200
    scripts = re.findall(r'<script src="(/static/[^"]+\.js)"', page)
    assert len(scripts) > 1 and scripts[-1] == "/static/app.js"  # the start comes last
    assert {f"/static/js/{p.name}" for p in (STATIC / "js").glob("*.js")} <= set(scripts)
    for url in scripts:
        script = client.get(url).text
        assert "http://" not in script.replace("http://www.w3.org/2000/svg", ""), url
        assert "https://" not in script, url


def test_translations_cover_every_key():
    en = json.loads((STATIC / "i18n" / "en.json").read_text(encoding="utf-8"))
    ja = json.loads((STATIC / "i18n" / "ja.json").read_text(encoding="utf-8"))
    assert en.keys() == ja.keys()
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    files = [STATIC / "app.js", *(STATIC / "js").glob("*.js")]
    script = "\n".join(f.read_text(encoding="utf-8") for f in files)
    used = set(re.findall(r'data-i18n="(\w+)"', page)) | set(re.findall(r'\bt\("(\w+)"', script))
    used -= {k for k in used if k.endswith("_")}  # prefixes of keys built at run time
    assert used <= en.keys(), used - en.keys()
    for family in ("china", "trans_caspian", "russia", "south"):
        assert f"family_{family}" in en
    for _, avoid in PREMIUM_RULES:
        assert "rule_" + "_".join(avoid) in en
    for kind in JOB_KINDS:
        assert f"kind_{kind}" in en


def test_job_kinds_match_the_request_schema():
    assert set(schemas.JobKindName.__args__) == set(JOB_KINDS)


# --------------------------------------------------------------------------- command


def _serve(*args):
    code = "from corridor.cli import main; main()"
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_TOKENS"}
    env["CORRIDOR_DATA"] = str(TINY)
    return subprocess.run(
        [sys.executable, "-c", code, "serve", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_serve_refuses_to_listen_beyond_loopback_without_a_token():
    p = _serve("--host", "0.0.0.0", "--port", "1")
    assert p.returncode == 2
    assert "refusing to listen on 0.0.0.0" in p.stderr and "Traceback" not in p.stderr


def test_serve_help_lists_its_options():
    p = _serve("--help")
    assert p.returncode == 0
    for option in ("--host", "--port", "--data", "--token-file", "--cors-origin"):
        assert option in p.stdout


# --------------------------------------------------------------------------- capacity, plans, runs


PLAN = {
    "contracts": [
        {
            "id": "c1",
            "commodity": "ore",
            "origins": ["MINE"],
            "destinations": ["DEST"],
            "volume_t_per_year": 800_000,
        }
    ],
    "rules": [{"on": "family", "target": "china", "min_share": 0.25}],
}


@pytest.fixture(scope="module")
def planner(tiny, tmp_path_factory):
    pytest.importorskip("highspy")
    pytest.importorskip("duckdb")
    store = tmp_path_factory.mktemp("runs") / "runs.duckdb"
    with TestClient(create_app(tiny, Settings(store=store)), base_url=LOCAL) as c:
        yield c


def without_timings(plan):
    return {**plan, "summary": {k: v for k, v in plan["summary"].items() if k != "seconds"}}


def test_capacity_equals_the_library(planner, tiny):
    from corridor.optimize.maxflow import max_flow

    body = {"commodity": "ore", "origins": ["MINE"], "destinations": ["DEST"]}
    r = planner.post("/api/capacity", json=body)
    assert r.status_code == 200, r.text
    assert r.json() == canon(max_flow("ore", ["MINE"], ["DEST"], network=tiny).to_dict())
    assert r.json()["max_t_per_year"] is None  # the Trans-Caspian links have no capacity
    assert "no capacity figure" in r.json()["unbounded_reason"]
    china = planner.post("/api/capacity", json={**body, "families": ["china"]}).json()
    assert china["max_t_per_year"] == 500_000
    assert [b["id"] for b in china["bottlenecks"]] == ["L3"]
    e = error_of(planner.post("/api/capacity", json={**body, "families": ["moon"]}), 422)
    assert e["field"] == "families.0"
    e = error_of(planner.post("/api/capacity", json={**body, "origins": ["NOPE"]}), 422)
    assert e["field"] == "origins.0"


def test_plan_equals_the_library(planner, tiny):
    from corridor.contracts.model import Contract, Portfolio, Rule
    from corridor.optimize.planning import plan

    r = planner.post("/api/plan", json=PLAN)
    assert r.status_code == 200, r.text
    portfolio = Portfolio(
        (Contract("c1", "ore", ("MINE",), ("DEST",), 800_000),),
        (Rule("china", "family", None, 0.25),),
        name="web request",
    )
    expected = plan(portfolio, network=tiny).to_dict()
    assert without_timings(r.json()) == without_timings(canon(expected))
    shares = {f["family"]: f["t_per_year"] for f in r.json()["flows"]}
    assert shares == {"china": 200_000, "trans_caspian": 600_000}


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"contracts": []}, "contracts", "at least 1"),
        (
            {"rules": [{"on": "exposure", "target": "CN", "max_share": 1.5}]},
            "rules.0.max_share",
            "less than or equal to 1",
        ),
        ({"rules": [{"on": "exposure", "target": "XX", "max_share": 0.5}]}, "rules.0.target", "XX"),
        ({"k": 0}, "k", "greater than or equal to 1"),
        ({"file": "contracts.yaml"}, "file", "Extra inputs"),
    ],
)
def test_bad_plans_name_the_field(planner, change, field, says):
    e = error_of(planner.post("/api/plan", json={**PLAN, **change}), 422)
    assert e["field"] == field and says in e["message"]


def test_plan_job_and_run_history(planner):
    r = planner.post("/api/jobs", json={"kind": "plan", "params": PLAN})
    assert r.status_code == 202, r.text
    done = wait_for(planner, r.json()["id"])
    assert done["status"] == "done"
    runs = planner.get("/api/runs").json()["runs"]
    assert runs and runs[0]["kind"] == "plan"
    schemas.RunListOut.model_validate({"runs": runs})
    record = planner.get(f"/api/runs/{runs[0]['id']}").json()
    schemas.RunOut.model_validate(record)
    assert record["headline"]["delivered_t_per_year"] == 800_000
    assert {f["route"] for f in record["tables"]["route_flows"]} == {
        f["route"] for f in done["result"]["flows"]
    }
    e = error_of(planner.get("/api/runs/zzzz"), 404)
    assert e["field"] == "run_id" and "'zzzz'" in e["message"]
    error_of(planner.get("/api/runs?limit=0"), 422)


# --------------------------------------------------------------------------- stress runs


STRESS = {**ORE, "volume": 1000, "years": 2_000, "seed": 3}


@pytest.fixture(scope="module")
def risky(tiny):
    """The tiny network with the two hand-checkable events of ``test_risk``."""
    return replace(tiny, events=HAND_EVENTS)


@pytest.fixture(scope="module")
def stresser(risky, tmp_path_factory):
    pytest.importorskip("duckdb")
    store = tmp_path_factory.mktemp("runs") / "runs.duckdb"
    with TestClient(create_app(risky, Settings(store=store)), base_url=LOCAL) as c:
        yield c


def without_seconds(result):
    return {k: v for k, v in result.items() if k != "seconds"}


def test_stress_job_equals_the_library_and_is_stored(stresser, risky):
    r = stresser.post("/api/jobs", json={"kind": "stress", "params": STRESS})
    assert r.status_code == 202, r.text
    assert r.json()["params"]["years"] == 2_000
    done = wait_for(stresser, r.json()["id"])
    assert done["status"] == "done" and done["progress"] == 1.0, done["error"]
    route = api.routes("ore", "MINE", "DEST", k=1, network=risky).routes[0]
    alloc = risk.from_routes(route, volume=1000, network=risky)
    expected = risk.stress(alloc, years=2_000, seed=3).to_dict()
    assert without_seconds(done["result"]) == without_seconds(canon(expected))
    assert done["result"]["portfolio"]["undelivered_t"]["mean"] > 0
    runs = stresser.get("/api/runs").json()["runs"]
    assert runs[0]["kind"] == "stress"
    assert (
        runs[0]["headline"]["expected_undelivered_t"]
        == expected["portfolio"]["undelivered_t"]["mean"]
    )


def test_stress_job_of_contracts_is_planned_first(stresser, risky):
    pytest.importorskip("highspy")
    from corridor.contracts.model import Contract, Portfolio, Rule

    params = {**PLAN, "years": 2_000}
    done = wait_for(
        stresser, stresser.post("/api/jobs", json={"kind": "stress", "params": params}).json()["id"]
    )
    assert done["status"] == "done", done["error"]
    portfolio = Portfolio(
        (Contract("c1", "ore", ("MINE",), ("DEST",), 800_000),),
        (Rule("china", "family", None, 0.25),),
        name="web request",
    )
    alloc = risk.from_contracts(portfolio, network=risky)
    expected = risk.stress(alloc, years=2_000, seed=0).to_dict()
    assert without_seconds(done["result"]) == without_seconds(canon(expected))


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"years": 10_000_001}, "params.years", "less than or equal to 10000000"),
        ({"years": 0}, "params.years", "greater than or equal to 1"),
        ({"seed": -1}, "params.seed", "greater than or equal to 0"),
        ({"volume": None}, "params.volume", "give contracts, or volume"),
        ({"origin": "NOWHERE"}, "params.origin", "NOWHERE"),
        ({"contracts": PLAN["contracts"]}, "params.commodity", "not both"),
        ({"rules": PLAN["rules"]}, "params.rules", "rules apply to contracts"),
    ],
)
def test_bad_stress_jobs_name_the_field(stresser, change, field, says):
    body = {"kind": "stress", "params": {**STRESS, **change}}
    e = error_of(stresser.post("/api/jobs", json=body), 422)
    assert e["field"] == field and says in e["message"]


def test_stress_job_is_cancelled_between_chunks(stresser, monkeypatch):
    """A million years (the limit) are accepted; cancelling stops the run at its next chunk."""
    gate, started = threading.Event(), threading.Event()
    real = risk.chunk_tally

    def held(model, seed, chunk, *args):
        if chunk == 1:
            started.set()
            gate.wait(10)
        return real(model, seed, chunk, *args)

    monkeypatch.setattr(risk_runner, "chunk_tally", held)
    runs_before = len(stresser.get("/api/runs").json()["runs"])
    r = stresser.post("/api/jobs", json={"kind": "stress", "params": {**STRESS, "years": 10**6}})
    assert r.status_code == 202, r.text
    assert started.wait(10)
    job_id = r.json()["id"]
    running = stresser.get(f"/api/jobs/{job_id}").json()
    assert running["status"] == "running" and 0 < running["progress"] < 0.1
    assert stresser.delete(f"/api/jobs/{job_id}").json()["cancel_requested"] is True
    gate.set()
    done = wait_for(stresser, job_id)
    assert done["status"] == "cancelled" and done["result"] is None and done["progress"] < 0.1
    assert len(stresser.get("/api/runs").json()["runs"]) == runs_before
