"""The run store under crashes and contention, with real processes.

- ``kill -9`` of stress runs at random moments: every killed run is listed ``interrupted``
  with its parameters, every run that finished before is intact, the file opens.
- Two writers saving at once while a reader lists the runs in a loop: every result is
  stored, no writer fails, and the readers never change the file.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corridor.store import get_run, list_runs

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"
CONTRACTS = ROOT / "examples" / "contracts.yaml"


def _corridor(*args: str, store: Path) -> subprocess.Popen[str]:
    code = "import sys; from corridor.cli import main; sys.argv[0] = 'corridor'; main()"
    return subprocess.Popen(
        [sys.executable, "-c", code, *args, "--store", str(store)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )


def _wait_for(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_kill_9_never_loses_or_corrupts_a_run(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    rng = random.Random(18)
    finished = _corridor(
        "stress", str(CONTRACTS), "--years", "2000", "--format", "json", store=store
    )
    _, err = finished.communicate(timeout=120)
    assert finished.returncode == 0, err
    kills = 3
    for _ in range(kills):
        before = {r.id for r in list_runs(store=store)}
        p = _corridor("stress", str(CONTRACTS), "--years", "10000000", store=store)
        try:
            started = _wait_for(lambda: len(list_runs(store=store)) > len(before), 60)  # noqa: B023
            assert started, "the run's row was not written when it started"
            time.sleep(rng.uniform(0.0, 1.5))  # planning or simulating
        finally:
            p.send_signal(signal.SIGKILL)
            p.communicate(timeout=30)
        assert p.returncode == -signal.SIGKILL
    runs = list_runs(store=store)
    statuses = sorted(r.status for r in runs)
    assert statuses == ["complete"] + ["interrupted"] * kills  # nothing lost, nothing half-done
    for run in runs:
        assert run.parameters["years"] in (2000, 10_000_000)
        if run.status == "interrupted":
            assert get_run(run.id, store=store).result == {}
    assert get_run(next(r.id for r in runs if r.status == "complete"), store=store).result


WRITER = """
import sys
from corridor.contracts import Contract
from corridor.network import load_network
from corridor import plan
from corridor.store import save_run

net = load_network(sys.argv[1])
for i in range(int(sys.argv[3])):
    result = plan([Contract(f"w{i}", "ore", ("MINE",), ("DEST",), 1000.0 + i)], network=net)
    print(save_run(result, store=sys.argv[2]), flush=True)
"""


def test_two_writers_and_a_reader_store_every_run(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    each = 10
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(TINY), str(store), str(each)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "CORRIDOR_STORE_WAIT_S": "60"},
        )
        for _ in range(2)
    ]
    reads = 0
    while any(w.poll() is None for w in writers):
        list_runs(store=store, limit=100)  # waits its turn; never writes
        reads += 1
    ids = []
    for w in writers:
        out, err = w.communicate(timeout=60)
        assert w.returncode == 0, err
        ids += out.split()
    stored = {r.id: r for r in list_runs(store=store)}
    assert len(ids) == 2 * each and set(ids) == set(stored)
    assert {r.status for r in stored.values()} == {"complete"}
    assert reads > 0


@pytest.mark.parametrize("concurrent", [2])
def test_concurrent_cli_stress_runs_are_all_saved(tmp_path: Path, concurrent: int) -> None:
    store = tmp_path / "runs.duckdb"
    runs = [
        _corridor("stress", str(CONTRACTS), "--years", "1000", "--seed", str(i), store=store)
        for i in range(concurrent)
    ]
    reader = _corridor("runs", "list", "--format", "json", store=store)
    listed, _ = reader.communicate(timeout=120)
    assert reader.returncode == 0
    json.loads(listed)
    for p in runs:
        _, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        assert "saved as run stress-" in err and "warning" not in err
    assert sorted(r.status for r in list_runs(store=store)) == ["complete"] * concurrent


def test_ctrl_c_while_planning_records_the_run_as_interrupted(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    p = _corridor("stress", str(CONTRACTS), "--years", "10000000", store=store)
    try:
        # The row is written before planning starts; planning the bundled contracts takes
        # longer than this poll, so the signal lands while planning.
        assert _wait_for(lambda: bool(list_runs(store=store)), 60)
    finally:
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "Traceback" not in err
    (run,) = list_runs(store=store)
    assert run.status == "interrupted" and run.parameters["years"] == 10_000_000
    assert run.headline["years_done"] == 0
