"""The fixed set of commands and API calls whose output the golden files pin.

Every CLI subcommand and every API endpoint is run on the bundled data. Volatile fields (run ids,
timestamps, durations, store paths) are normalised so that the files compare byte for byte.
Regenerate after an intentional change with ``python tests/golden/cases.py`` and say in the
commit which fields changed and why.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corridor.network.states import TODAY_ENV

HERE = Path(__file__).parent
GOLDEN_DAY = "2026-12-01"
EXAMPLES = HERE.parents[1] / "examples"
REE = ["--commodity", "rare_earth_concentrate", "--origin", "KZ_ZHANA_KZ"]
UOC = ["--commodity", "uranium_ore_concentrate", "--origin", "KZ_NORTH_KHARASAN"]
YOK = ["--destination", "JP_YOKOHAMA"]
CONTRACTS = str(EXAMPLES / "contracts.yaml")
DOSTYK = str(EXAMPLES / "scenarios" / "dostyk_closed_60_days.yaml")

# name -> argv (the store option is added by the runner)
CLI: dict[str, list[str]] = {
    "network_show": ["network", "show", "--format", "json"],
    "network_show_aktau": ["network", "show", "KZ_AKTAU", "--format", "json"],
    "routes_ree": ["routes", *REE, *YOK, "--k", "10", "--format", "json"],
    "routes_uoc_avoid_ru": ["routes", *UOC, *YOK, "--avoid", "RU", "--format", "json"],
    "routes_ree_csv": ["routes", *REE, *YOK, "--penalise", "CN=40", "--format", "csv"],
    "compare_ree": ["compare", *REE, *YOK, "--volume", "10000", "--format", "json"],
    "compare_uoc": ["compare", *UOC, *YOK, "--volume", "1000", "--format", "json"],
    "pareto_crude": [
        "pareto",
        "--commodity",
        "crude_oil",
        "--origin",
        "KZ_TENGIZ",
        *YOK,
        "--format",
        "json",
    ],
    "capacity_tc": ["capacity", *REE, *YOK, "--family", "trans_caspian", "--format", "json"],
    "plan": ["plan", CONTRACTS, "--max-share", "CN=0.5", "--format", "json"],
    "stress": ["stress", CONTRACTS, "--years", "2000", "--seed", "7", "--format", "json"],
    "frontier": ["frontier", CONTRACTS, "--scenarios", "300", "--points", "3", "--format", "json"],
    "whatif": ["whatif", DOSTYK, "--contracts", CONTRACTS, "--format", "json"],
    "runs_list": ["runs", "list", "--format", "json"],
    "market": ["market", "--format", "json"],
    "breakeven_ree": ["breakeven", *REE, *YOK, "--volume", "10000", "--format", "json"],
    "backtest": ["backtest", "--format", "json"],
}

ORE = {"commodity": "rare_earth_concentrate", "origin": "KZ_ZHANA_KZ", "destination": "JP_YOKOHAMA"}
ORES = {
    "commodity": "rare_earth_concentrate",
    "origins": ["KZ_ZHANA_KZ"],
    "destinations": ["JP_YOKOHAMA"],
}
API: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "api_info": ("GET", "/api/info", None),
    "api_network": ("GET", "/api/network", None),
    "api_record": ("GET", "/api/network/links/F_AKTAU_ALAT", None),
    "api_routes": ("POST", "/api/routes", {**ORE, "k": 5}),
    "api_compare": ("POST", "/api/compare", {**ORE, "volume": 10000}),
    "api_pareto": ("POST", "/api/pareto", {**ORE}),
    "api_market": ("GET", "/api/market", None),
    "api_breakeven": ("POST", "/api/breakeven", {**ORE, "volume": 10000}),
    "api_capacity": ("POST", "/api/capacity", {**ORES, "families": ["trans_caspian"]}),
    "api_plan": (
        "POST",
        "/api/plan",
        {
            "contracts": [{"id": "c1", **ORES, "volume_t_per_year": 5000}],
            "rules": [{"on": "exposure", "target": "CN", "max_share": 0.5}],
        },
    ),
    "api_jobs_batch": (
        "POST",
        "/api/jobs",
        {
            "kind": "batch_compare",
            "params": {
                "commodity": "rare_earth_concentrate",
                "origins": ["KZ_ZHANA_KZ"],
                "destinations": ["JP_YOKOHAMA", "JP_KOBE"],
            },
        },
    ),
    "api_runs": ("GET", "/api/runs", None),
}


def normalise(text: str) -> str:
    """Blank fields that change from run to run; keep everything else byte for byte."""
    text = re.sub(r"(plan|capacity|stress|frontier|whatif)-[0-9a-f]{6,}", r"\1-RUNID", text)
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?", "TIMESTAMP", text)
    text = re.sub(
        r'"(seconds|elapsed_s|duration_s|solve_seconds|wall_s)": [0-9.e+-]+', r'"\1": 0', text
    )
    text = re.sub(r'("(candidates|build|solve|pricing|rule_costs)": )[0-9.e+-]+', r"\1 0", text)
    # the hash covers the absolute contracts path, so it differs between checkouts
    text = re.sub(r'("inputs_hash": ")[0-9a-f]{64}"', r'\1HASH"', text)
    text = text.replace(str(HERE.parents[1]), "ROOT")
    text = re.sub(r"/tmp/[^\"\s]*", "TMP", text)
    # sums of many floats differ in their last digits between numpy builds and machines:
    # keep ten significant digits of every long decimal (and one zero, never "-0.0")
    text = re.sub(r"-?\d+\.\d{6,}(e[+-]?\d+)?", _ten_digits, text)
    return re.sub(r"(?<![\w.])-0\.0(?![\d])", "0.0", text)


def _ten_digits(match: re.Match[str]) -> str:
    return repr(float(f"{float(match.group(0)):.10g}"))


def run_cli(store: Path) -> Iterator[tuple[str, str, int]]:
    from typer.testing import CliRunner

    from corridor.cli import app

    runner = CliRunner()
    for name, argv in CLI.items():
        extra = (
            ["--store", str(store)]
            if argv[0] in {"capacity", "plan", "stress", "frontier", "runs"}
            else []
        )
        if argv[:2] == ["runs", "list"]:
            argv = ["runs", "list", "--store", str(store), *argv[2:]]
            extra = []
        r = runner.invoke(app, [*argv, *extra])
        yield name, r.stdout, r.exit_code


def run_api(store: Path) -> Iterator[tuple[str, str, int]]:
    from fastapi.testclient import TestClient

    from corridor.web.app import create_app
    from corridor.web.security import Settings

    with TestClient(
        create_app(settings=Settings(store=store)), base_url="http://127.0.0.1"
    ) as client:
        for name, (method, path, body) in API.items():
            r = client.request(method, path, json=body)
            data = r.json()
            if path == "/api/jobs" and r.status_code == 202:
                data = _finished(client, data["id"])["result"]
            yield name, json.dumps(data, indent=1, sort_keys=True), r.status_code


def _finished(client: Any, job_id: str) -> dict[str, Any]:
    import time

    for _ in range(600):
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.05)
    raise TimeoutError(job_id)


def record(store: Path) -> dict[str, str]:
    # The network is the one of a fixed day (its chronic states: Red Sea regime, Caspian low
    # water and winter), so the files do not change with the calendar.
    os.environ[TODAY_ENV] = GOLDEN_DAY
    out = {}
    for name, text, code in (*run_cli(store), *run_api(store)):
        out[name] = f"exit {code}\n{normalise(text)}"
    return out


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        files = record(Path(tmp) / "runs.duckdb")
    for name, text in files.items():
        (HERE / f"{name}.txt").write_text(text)
    print(f"wrote {len(files)} golden files", file=sys.stderr)
