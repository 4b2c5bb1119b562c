"""corridor market, breakeven and backtest as a user meets them: output, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ..conftest import TINY

REE = [
    "--commodity",
    "rare_earth_concentrate",
    "--origin",
    "KZ_ZHANA_KZ",
    "--destination",
    "JP_YOKOHAMA",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("CORRIDOR_DATA", None)
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_market_json_matches_the_library():
    p = run("market", "--format", "json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["market"] == "westbound_overland"
    assert set(out["parameters"]) == {"asc_trans_caspian", "beta_per_100_usd", "theta_sanctions"}
    assert out["errors"]["holdout"]["years"] == 1
    assert out["sources"]["vot_usd_per_t_day"] == "est_market_vot"


def test_market_table():
    p = run("market")
    assert p.returncode == 0, p.stderr
    assert "beta_per_100_usd" in p.stdout and "holdout" in p.stdout


def test_breakeven_table_and_json():
    p = run("breakeven", *REE, "--volume", "10000")
    assert p.returncode == 0, p.stderr
    assert "subsidy USD" in p.stdout and "risk-averse" in p.stdout
    p = run("breakeven", *REE, "--share", "0.3", "--format", "json")
    out = json.loads(p.stdout)
    assert out["share"] == 0.3 and out["subsidy_usd_per_t"] is not None


def test_backtest_json():
    p = run("backtest", "--format", "json")
    assert p.returncode == 0, p.stderr
    labels = [r["label"] for r in json.loads(p.stdout)["replays"]]
    assert labels == ["2022", "2023–24", "2024–25"]


def test_bad_input_exits_2_with_a_message_and_no_traceback():
    cases = [
        (("breakeven", "--commodity", "nope", *REE[2:]), "unknown commodity 'nope'"),
        (("breakeven", *REE, "--share", "1.5"), "strictly between 0 and 1"),
        (("breakeven", *REE, "--volume", "-3"), "volume must be a positive"),
        (("market", "--format", "xml"), "--format must be table or json"),
        (("market", "--data", str(TINY)), "market_observations.csv: file not found"),
        (("market", "--decision-t", "0"), "decision size must be a positive"),
    ]  # fmt: skip
    for args, message in cases:
        p = run(*args)
        assert p.returncode == 2, (args, p.stderr)
        assert message in p.stderr, (args, p.stderr)
        assert "Traceback" not in p.stderr
