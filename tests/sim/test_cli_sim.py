"""``corridor simulate`` as a user meets it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from corridor.cli import app

CASE = ["--commodity", "rare_earth_oxide", "--origin", "KZ_ALMATY", "--destination", "GE_POTI"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DATA"}
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_json_output_and_dwell_overlay(tmp_path: Path) -> None:
    args = ["simulate", *CASE, "--volume", "5000", "--replications", "2", "--seed", "4"]
    args += ["--format", "json", "--write-dwell", str(tmp_path / "dwell"), "--extra-ferries", "1"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout[res.stdout.index("{") :])
    assert payload["replications"] == 2 and payload["seed"] == 4
    days = payload["end_to_end_days"]
    assert 0 < days["p50"] <= days["p95"]
    assert payload["route"][0] == "KZ_ALMATY" and payload["route"][-1] == "GE_POTI"
    assert "wait for feeder at KZ_AKTAU" in payload["stage_hours"]  # containers: feeder
    assert "delta" in payload["whatif"]
    assert (tmp_path / "dwell" / "links.csv").exists()


def test_bad_input_exits_2_with_a_message_and_no_traceback() -> None:
    p = _run("simulate", *CASE, "--volume", "-3")
    assert p.returncode == 2
    assert "--volume must be a positive number" in p.stderr
    assert "Traceback" not in p.stderr
    p = _run("simulate", *CASE)
    assert p.returncode == 2 and "either --volume T or --contracts FILE" in p.stderr
    p = _run("simulate", *CASE[:-1], "JP_NOWHERE", "--volume", "10")
    assert p.returncode == 2 and "JP_NOWHERE" in p.stderr


def test_other_commands_do_not_load_simpy() -> None:
    code = "import sys, corridor.cli; print('simpy' in sys.modules)"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "False", p.stderr


def test_html_report_has_the_three_charts(tmp_path: Path) -> None:
    page = tmp_path / "sim.html"
    args = ["simulate", *CASE, "--volume", "20000", "--replications", "2", "--report", str(page)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    html = page.read_text(encoding="utf-8")
    # queues of the ferry ports (wagons) and of the feeder port (TEU), days, timeline
    assert html.count("<svg") == 4
    assert "Wagons waiting for a ferry" in html and "Timeline of one traced train" in html
    assert "Boxes waiting for a Caspian container feeder" in html
    assert "wait for feeder at KZ_AKTAU" in html
    assert not re.search(r'(src|href)="https?:', html)  # nothing loaded from the network


def test_contracts_give_the_volume() -> None:
    contracts = Path(__file__).parents[2] / "examples" / "contracts.yaml"
    args = ["simulate", "--commodity", "uranium_ore_concentrate", "--origin", "KZ_NORTH_KHARASAN"]
    args += ["--destination", "JP_YOKOHAMA", "--contracts", str(contracts)]
    res = CliRunner().invoke(app, [*args, "--replications", "1", "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout[res.stdout.index("{") :])
    assert payload["volume_t"] == 2358  # the uoc_kharasan contract
    assert "class 7 lot at GE_POTI" in payload["stage_hours"]
