"""compare --uncertainty as a user meets it: the table, the JSON fields, the exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import corridor

from .conftest import write_ranges

DRAWS = "uncertainty must be a whole number of draws from 1 to 1,000,000"
ROUTE = ["--commodity", "ore", "--origin", "MINE", "--destination", "DEST"]


def run(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CORRIDOR_DATA": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "corridor", "compare", *ROUTE, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_compare_with_uncertainty_prints_bands_flip_and_drivers(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100"]])
    p = run(tiny_copy, "--uncertainty", "256", "--seed", "2")
    assert p.returncode == 0, p.stderr
    assert "How sure: 256 joint draws" in p.stdout
    assert "P(Trans-Caspian cheaper than China) =" in p.stdout
    assert "Strongest drivers of the premium (avoid China)" in p.stdout
    assert "links/L6" in p.stdout
    assert "Improve first" in p.stdout
    assert "its strongest driver: hand: tariff_usd_per_t of links/L6 (ST 1.0" in p.stdout


def test_compare_json_carries_the_uncertainty_fields(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100"]])
    p = run(tiny_copy, "--uncertainty", "128", "--format", "json")
    assert p.returncode == 0, p.stderr
    u = json.loads(p.stdout)["uncertainty"]
    assert u["samples"] == 128
    band = u["bands_usd_per_t"]["cost:trans_caspian"]
    assert band["p5"] <= band["p50"] <= band["p95"]
    assert 0 <= u["probabilities"]["Trans-Caspian cheaper than China"] <= 1
    drivers = [d["factor"] for d in u["sensitivity"]["drivers"]]
    # the tariff, and the in-transit carrying rate (8–12 %/yr), which every compare draws
    assert drivers == ["links/L6/tariff_usd_per_t", "assumptions:carrying_pct_per_year"]
    assert u["check"]["max_gap_usd_per_t"] < 1e-6


def test_plain_compare_has_no_uncertainty_field(tiny):
    assert "uncertainty" not in corridor.compare("ore", "MINE", "DEST", network=tiny).to_dict()


def test_bad_sample_count_and_seed_exit_2_without_traceback(tiny_copy: Path):
    for args, words in (
        (
            ("--uncertainty", "-5"),
            DRAWS,
        ),
        (
            ("--uncertainty", "2000000"),
            DRAWS,
        ),
        (("--uncertainty", "10", "--seed", "-1"), "seed must be a non-negative whole number"),
        (("--uncertainty", "many"), "--uncertainty"),
    ):
        p = run(tiny_copy, *args)
        assert p.returncode == 2, args
        assert words in p.stderr
        assert "Traceback" not in p.stderr
