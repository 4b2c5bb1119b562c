"""The command line as a user meets it: outputs, exit codes, and no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TINY

ROUTE = ["--commodity", "ore", "--origin", "MINE", "--destination", "DEST"]


def run(*args: str, data: Path | None = TINY) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("CORRIDOR_DATA", None)
    if data is not None:
        env["CORRIDOR_DATA"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_compare_table_and_premium():
    p = run("compare", *ROUTE, "--volume", "5000")
    assert p.returncode == 0, p.stderr
    assert "Trans-Caspian: Port W" in p.stdout
    assert "Strategic premium" in p.stdout
    assert "Russia: no route" in p.stdout


def test_json_equals_library(tiny):
    from corridor.analysis.queries import compare

    p = run("compare", *ROUTE, "--format", "json", "--volume", "100")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == json.loads(
        json.dumps(compare("ore", "MINE", "DEST", network=tiny, volume=100).to_dict())
    )


def test_csv_and_geojson():
    p = run("routes", *ROUTE, "--format", "csv", "--k", "3")
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert [r["family"] for r in rows] == ["trans_caspian", "china"]
    gj = json.loads(run("routes", *ROUTE, "--format", "geojson").stdout)
    assert gj["type"] == "FeatureCollection"


def test_report_is_written(tmp_path):
    out = tmp_path / "sub" / "r.html"
    p = run("compare", *ROUTE, "--report", str(out))
    assert p.returncode == 0, p.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["routes", "--commodity", "ore", "--origin", "MINE", "--destination", "NOPE"],
            "unknown node 'NOPE'",
        ),
        (["routes", *ROUTE, "--avoid", "KZ"], "the origin Mine is in Kazakhstan, which is avoided"),
        (["routes", *ROUTE, "--penalise", "CN"], "give a price"),
        (["routes", *ROUTE, "--format", "xml"], "format must be one of"),
        (
            ["routes", "--commodity", "gas", "--origin", "MINE", "--destination", "DEST"],
            "no gas pipeline or LNG terminal",
        ),
        (["network", "show", "NOTHING"], "no node, link, commodity, exposure, source, regime"),
    ],
)
def test_errors_are_messages_not_tracebacks(args, message):
    p = run(*args)
    assert p.returncode == 2
    assert message in p.stderr
    assert "Traceback" not in p.stderr + p.stdout
    assert p.stdout == ""


def test_broken_data_lists_problems_and_exits_non_zero(tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(TINY, bad)
    text = (bad / "links.csv").read_text().replace(",3000,4,", ",-3000,4,", 1)
    (bad / "links.csv").write_text(text)
    p = run("network", "validate", str(bad), data=None)
    assert p.returncode == 2
    assert "links.csv, row 4, column distance_km: -3000 is below the minimum 0" in p.stderr
    assert "Traceback" not in p.stderr
    p = run("compare", *ROUTE, data=bad)
    assert p.returncode == 2 and p.stdout == ""


def test_unwritable_report_is_an_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    p = run("compare", *ROUTE, "--report", str(blocker / "r.html"))
    assert p.returncode == 2
    assert "cannot write report" in p.stderr


def test_network_show_record_with_sources():
    p = run("network", "show", "BORDER_A")
    assert p.returncode == 0
    assert "dwell_hours" in p.stdout and "Hand-made figures" in p.stdout
    p = run("network", "show", "L3", "--format", "json")
    d = json.loads(p.stdout)
    assert d["distance_km"] == 3000 and d["sources"]["distance_km"] == ["hand"]
