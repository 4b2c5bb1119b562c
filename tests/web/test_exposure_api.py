"""``POST /api/exposure``: the library's numbers, the derived response model, the run store
and the refusals."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("duckdb")

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

from corridor import analysis as api
from corridor import risk
from corridor.network.load import load_network
from corridor.risk.exposure import exposure_index
from corridor.web import schemas
from corridor.web.app import create_app
from corridor.web.security import Settings
from tests.conftest import TINY
from tests.risk.test_stress import HAND_EVENTS

LOCAL = "http://127.0.0.1"
BODY = {"commodity": "ore", "origin": "MINE", "destination": "DEST", "volume": 1000}


RISK_TTR = """id,element,kind,value,low,high,unit,sources,note
TTR_NODE,node,*,5,2,10,d,hand,
TTR_LINK,link,*,20,10,40,d,hand,
TTR_EXPOSURE,exposure,*,30,10,60,d,hand,
"""
RISK_RECOVERY = """id,kind,key,to,value,low,high,unit,sources,note
RC_LEAD,lead_time,general,*,7,3,14,d,hand,
RC_LEAD7,lead_time,class7,*,60,30,90,d,hand,
RC_SPOT,spot_premium,*,*,0.2,0.1,0.4,share,hand,
"""


@pytest.fixture(scope="module")
def risky(tmp_path_factory):
    """The tiny network with its recovery tables (overlaid) and the hand-checkable events."""
    overlay = tmp_path_factory.mktemp("risk")
    (overlay / "risk_ttr.csv").write_text(RISK_TTR, encoding="utf-8")
    (overlay / "risk_recovery.csv").write_text(RISK_RECOVERY, encoding="utf-8")
    return replace(load_network(TINY, overlay=overlay), events=HAND_EVENTS)


@pytest.fixture(scope="module")
def client(risky, tmp_path_factory):
    store = tmp_path_factory.mktemp("runs") / "runs.duckdb"
    with TestClient(create_app(risky, Settings(store=store)), base_url=LOCAL) as c:
        yield c


def _without_seconds(d):
    return {k: v for k, v in d.items() if k != "seconds"}


def test_exposure_equals_the_library_fits_its_model_and_is_stored(client, risky):
    r = client.post("/api/exposure", json={**BODY, "stock_days": 10, "ttr": "p95"})
    assert r.status_code == 200, r.text
    got = r.json()
    schemas.ExposureResultOut.model_validate(got)  # every field present, none unknown
    route = api.routes("ore", "MINE", "DEST", k=1, network=risky).routes[0]
    alloc = risk.from_routes(route, volume=1000, network=risky)
    expected = json.loads(json.dumps(exposure_index(alloc, stock_days=10, ttr="p95").to_dict()))
    assert _without_seconds(got) == _without_seconds(expected)
    rows = got["rows"]
    assert rows and rows[0]["index"] == 1.0
    assert [r["index"] for r in rows] == sorted((r["index"] for r in rows), reverse=True)
    # one route, no alternative planned: every element the route needs outlasts 10 days of
    # stock as soon as it recovers in more than 10 days
    for row in rows:
        assert row["single_point_of_failure"] == (
            row["tts_days"] is not None and row["tts_days"] < row["ttr"]["days"]
        )
    runs = client.get("/api/runs").json()["runs"]
    assert runs[0]["kind"] == "exposure"


def test_a_network_without_recovery_tables_is_refused_by_name(tiny):
    with TestClient(create_app(tiny), base_url=LOCAL) as c:
        r = c.post("/api/exposure", json=BODY)
    assert r.status_code in (400, 422), r.text
    assert "risk_recovery.csv" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"measure": "nope"}, "measure"),
        ({"stock_days": -1}, "stock_days"),
        ({"start_day": 365}, "start_day"),
        ({"origin": "NOWHERE"}, "origin"),
        ({"volume": None}, "volume"),
    ],
)
def test_bad_exposure_requests_name_the_field(client, change, field):
    r = client.post("/api/exposure", json={**BODY, **change})
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"].split(".")[-1] == field
    assert "Traceback" not in r.text


def test_the_exposure_index_downloads_as_xlsx_and_csv(client, tmp_path):
    """``POST /api/export/exposure`` answers the index as a file, as the other results do:
    the XLSX opens with its sources sheet, the CSV's rows are the JSON's elements in order."""
    import csv
    import io

    import openpyxl

    want = [r["element"] for r in client.post("/api/exposure", json=BODY).json()["rows"]]
    r = client.post("/api/export/exposure?format=xlsx&lang=ja", json=BODY)
    assert r.status_code == 200, r.text
    (tmp_path / "x.xlsx").write_bytes(r.content)
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames[0] == "リスク露出指数" and wb.sheetnames[-1] == "出典"
    r = client.post("/api/export/exposure?format=csv", json=BODY)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["element"] for row in rows] == want
    bad = client.post("/api/export/exposure?format=csv", json={**BODY, "stock_days": -1})
    assert bad.status_code == 422
