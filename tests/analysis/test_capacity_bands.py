"""Capacity under uncertainty against values computed on paper (tiny network).

With ``--family china`` the tiny network's maximum is min(L2, L3) (L2 1,000,000 t/yr, L3
500,000 t/yr); with L6 given a capacity too, the Trans-Caspian branch adds it:
max = min(L2, L3) + L6.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.analysis.capacity_bands import capacity_bands
from corridor.errors import InvalidParameterError
from corridor.network import load_network
from tests.uncertainty.conftest import write_ranges


def _set_capacity(folder: Path, link: str, value: str) -> None:
    path = folder / "links.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["id"] == link:
            r["capacity_t_per_year"] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def test_one_uncertain_capacity_band_and_sobol_index(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L3", "capacity_t_per_year", "300000", "700000"]])
    net = load_network(tiny_copy)
    b = capacity_bands("ore", ["MINE"], ["DEST"], families=["china"], network=net, samples=256)
    band = b.study.bands["max_t_per_year"]
    # max = L3 ~ U(300k, 700k): P5 320k, P50 500k, P95 680k
    assert band.base == pytest.approx(500_000)
    assert band.p5 == pytest.approx(320_000, rel=0.005)
    assert band.p50 == pytest.approx(500_000, rel=0.005)
    assert band.p95 == pytest.approx(680_000, rel=0.005)
    assert b.binds == {"L3": 1.0} and b.p_binding_changes == 0.0
    (d,) = b.study.drivers
    assert d.factor == "links/L3/capacity_t_per_year"
    assert d.s1 == pytest.approx(1.0, abs=0.03) and d.st == pytest.approx(1.0, abs=0.03)
    assert (d.at_low, d.at_high) == pytest.approx((300_000, 700_000))
    assert d.narrowing == pytest.approx(1.0)


def test_the_binding_element_changes_as_often_as_theory_says(tiny_copy: Path):
    # L2 ~ U(400k, 1.2M) against L3 = 500k: L2 binds when below 500k, P = 100/800
    write_ranges(tiny_copy, [["links", "L2", "capacity_t_per_year", "400000", "1200000"]])
    net = load_network(tiny_copy)
    b = capacity_bands("ore", ["MINE"], ["DEST"], families=["china"], network=net, samples=256)
    assert b.stated_binding == ("L3",)
    assert b.binds["L2"] == pytest.approx(0.125, abs=0.01)
    assert b.binds["L3"] == pytest.approx(0.875, abs=0.01)
    assert b.p_binding_changes == pytest.approx(0.125, abs=0.01)
    band = b.study.bands["max_t_per_year"]
    assert band.p5 == pytest.approx(440_000, rel=0.005)  # the 5 % quantile of L2
    assert band.p50 == band.p95 == pytest.approx(500_000)


def test_two_independent_capacities_split_the_variance_as_theory_says(tiny_copy: Path):
    # max = L3 + L6 with L3 ~ U(300k, 700k), L6 ~ U(200k, 400k): S = 16/20 and 4/20
    _set_capacity(tiny_copy, "L6", "300000")
    write_ranges(
        tiny_copy,
        [
            ["links", "L3", "capacity_t_per_year", "300000", "700000"],
            ["links", "L6", "capacity_t_per_year", "200000", "400000"],
        ],
    )
    net = load_network(tiny_copy)
    b = capacity_bands("ore", ["MINE"], ["DEST"], network=net, samples=512)
    assert b.study.bands["max_t_per_year"].base == pytest.approx(800_000)
    s = {d.factor: d for d in b.study.drivers}
    l3, l6 = s["links/L3/capacity_t_per_year"], s["links/L6/capacity_t_per_year"]
    assert l3.s1 == pytest.approx(0.8, abs=0.05) and l6.s1 == pytest.approx(0.2, abs=0.05)
    assert l3.s1 + l6.s1 == pytest.approx(1.0, abs=0.05)
    assert l3.st == pytest.approx(l3.s1, abs=0.05)  # no interaction in a sum
    assert b.study.improve_first()[0].factor == l3.factor


def test_an_unlimited_corridor_has_no_band_and_bad_counts_are_refused(tiny_copy: Path):
    net = load_network(tiny_copy)
    b = capacity_bands("ore", ["MINE"], ["DEST"], network=net, samples=16)
    assert b.study is None and "no capacity figure" in b.to_dict()["unbounded_reason"]
    with pytest.raises(InvalidParameterError):
        capacity_bands("ore", ["MINE"], ["DEST"], network=net, samples=0)


def test_capacity_cli_prints_and_writes_the_band(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L3", "capacity_t_per_year", "300000", "700000"]])
    base = [sys.executable, "-m", "corridor", "capacity", "--commodity", "ore", "--origin"]
    base += ["MINE", "--destination", "DEST", "--family", "china", "--data", str(tiny_copy)]
    base += ["--no-store", "--uncertainty", "32"]
    p = subprocess.run([*base, "--format", "json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    u = json.loads(p.stdout)["uncertainty"]
    assert u["bands_t_per_year"]["max_t_per_year"]["base"] == 500_000
    assert u["sensitivity"]["drivers"][0]["factor"] == "links/L3/capacity_t_per_year"
    assert u["binding_share"] == {"L3": 1.0}
    report = tiny_copy / "capacity.html"
    p = subprocess.run([*base, "--report", str(report)], capture_output=True, text=True,
                       timeout=120)  # fmt: skip
    assert p.returncode == 0, p.stderr
    assert "left for this user" in p.stdout and "P(L3 binds) = 100.0%" in p.stdout
    html = report.read_text(encoding="utf-8")
    assert 'id="capacity-bands"' in html and "Tornado chart of the capacity left" in html
    assert "P(L3 binds) = 100.0%" in html and 'src="http' not in html
    p = subprocess.run([*base[:-1], "-3"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_capacity_formulas_agree_with_the_capacities_of_a_rebuilt_network():
    import numpy as np

    from corridor.analysis.capacity_bands import capacity_keys, formulas
    from corridor.analysis.queries import default_network
    from corridor.costs import Assumptions
    from corridor.network.states import parse_date
    from corridor.optimize.capacity import capacities
    from corridor.uncertainty.sampling import factor_values, factors_for, perturbed, unit_draws

    net = default_network(parse_date("2026-12-02"))  # a dated network: states scale some
    ids = sorted(capacities(net))
    forms = formulas(net, ids)
    factors = factors_for(net, Assumptions(), capacity_keys(net), ())
    assert len(factors) >= 5
    u = unit_draws(4, len(factors), 1)
    values = factor_values(factors, u)
    for i in range(4):
        drawn, _ = perturbed(net, Assumptions(), {k: float(v[i]) for k, v in values.items()})
        caps = capacities(drawn)
        for cid, f in zip(ids, forms, strict=True):
            total, left = f.of({k: v[i : i + 1] for k, v in values.items()}, 1)
            assert total[0] == pytest.approx(caps[cid].total, rel=1e-9), cid
            assert left[0] == pytest.approx(caps[cid].capacity_t_per_year, rel=1e-9, abs=1e-6)
    assert np.ptp(values[factors[0].members[0].key]) > 0


def test_capacity_report_section_speaks_japanese(tiny_copy: Path):
    from corridor.report.uncertainty import capacity_bands_section

    write_ranges(tiny_copy, [["links", "L3", "capacity_t_per_year", "300000", "700000"]])
    net = load_network(tiny_copy)
    b = capacity_bands("ore", ["MINE"], ["DEST"], families=["china"], network=net, samples=16)
    ja = capacity_bands_section(b, "ja")
    assert "この輸送能力はどの程度確かか" in ja and "L3が制約となる" in ja and "<svg" in ja
