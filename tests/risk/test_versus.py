"""``corridor stress --versus``: both plans on the same years, the sentence, the stored run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from corridor.cli import app

ALL_CHINA = "examples/splits/ree_5000_all_china.yaml"
SPLIT = "examples/splits/ree_5000_split_70_30.yaml"


def test_versus_is_stored_and_its_sentence_quotes_the_numbers(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    args = ["stress", ALL_CHINA, "--versus", SPLIT, "--years", "100", "--stock-days", "10"]
    res = CliRunner().invoke(app, [*args, "--format", "json", "--store", str(store)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout[: res.stdout.rindex("}") + 1])
    assert doc["kind"] == "stress_versus" and doc["parameters"]["stock_days"] == 10
    a, b = doc["plans"]
    assert a["years"] == b["years"] == 100 and a["seed"] == b["seed"] == 0
    better, worse = (a, b) if a["mean_stockout_days"] <= b["mean_stockout_days"] else (b, a)
    summary = doc["summary"]
    assert f"{better['name']} protects more than {worse['name']}" in summary
    assert f"{worse['mean_stockout_days'] - better['mean_stockout_days']:,.2f} fewer" in summary
    # both plans on the same events: those touching any route either may use, the Russia
    # sanctions (which close 100 % China's northern alternative) among them
    assert set(a["by_event"]) == set(b["by_event"]) and "EV_RUSSIA_SANCTIONS" in a["by_event"]
    listed = CliRunner().invoke(app, ["runs", "list", "--store", str(store)])
    assert listed.exit_code == 0 and "stress_versus" in listed.stdout
    from corridor.store import get_run, list_runs

    run = get_run(list_runs(store=store)[0].id, store=store)
    assert run.kind == "stress_versus" and run.result["summary"] == summary
    assert run.headline["stockout_days_a"] == a["mean_stockout_days"]


def test_ctrl_c_on_two_workers_stops_cleanly_and_lists_the_run_as_interrupted(
    tmp_path: Path,
) -> None:
    from corridor.store import list_runs

    store = tmp_path / "runs.duckdb"
    args = ["stress", ALL_CHINA, "--versus", SPLIT, "--years", "10000000", "--workers", "2"]
    p = subprocess.Popen(
        [sys.executable, "-m", "corridor", *args, "--store", str(store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "CORRIDOR_DATA"},
    )
    time.sleep(12)  # planned, the cluster started, simulating (the whole run takes hours)
    assert p.poll() is None
    p.send_signal(signal.SIGINT)
    stopping = time.monotonic()
    _, stderr = p.communicate(timeout=60)
    assert time.monotonic() - stopping < 10  # the run stops, the cluster closes
    assert p.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    (run,) = list_runs(store=store)
    assert run.kind == "stress_versus" and run.status == "interrupted"
    assert run.parameters["years"] == 10_000_000 and run.parameters["versus"] == SPLIT
    assert 0 <= run.headline["years_done"] < 10_000_000
    assert f"recorded as interrupted run {run.id}" in stderr
