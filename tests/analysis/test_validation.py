"""Model validation: published figures, never circular, printed beside the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.analysis.queries import default_network
from corridor.analysis.validation import (
    ValidationTableError,
    circular_sources,
    load_published,
    validate_model,
)
from corridor.errors import RequestError
from corridor.network import load_network


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corridor", "validate-model", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_input_cites_a_validation_figure():
    """A figure used to derive an input must be marked calibration, not validation."""
    published = load_published()
    assert any(p.use == "validation" for p in published)
    assert circular_sources(load_network(), published) == {}


def test_the_check_catches_a_circular_figure():
    published = load_published()
    # The China Railway tariff is derived from the Argus through-rate: calling it a
    # validation figure must be caught.
    rate = next(p for p in published if p.id == "VAL_CN_ALMATY_RATE")
    from dataclasses import replace

    found = circular_sources(load_network(), [replace(rate, use="validation")])
    assert "argus_reportaz_2025" in found
    assert any(w.startswith("links.") for w in found["argus_reportaz_2025"])


def test_every_published_figure_names_a_known_source():
    net = load_network()
    for p in load_published():
        assert net.has("sources", p.source), p.id
        assert p.low <= p.high


def test_model_values_against_hand_sums():
    checks = {c.published.id: c for c in validate_model(default_network())}
    cpc = checks["VAL_CPC_THROUGHPUT"]
    assert cpc.model == pytest.approx(70_520_000) and cpc.inside
    # Dostyk–Moyinty: a block train at the line's 800 km/day with no time per link.
    assert checks["VAL_DOSTYK_SPEED"].model == pytest.approx(800)
    assert checks["VAL_DOSTYK_SPEED"].inside
    almaty = checks["VAL_ALMATY_POTI_DAYS"]
    assert almaty.model is not None and "KZ_AKTAU" in almaty.detail
    # Alat → Kars: 745.8 km of rail at the Caucasus block-train 500 km/day, plus the
    # Böyük Kəsik dwell 8 h, the Akhalkalaki gauge change 6 h and the Kars dwell 40 h.
    btk = checks["VAL_BTK_FIRST_TRAIN"]
    rail_km = 418.2 + 44.5 + 177.3 + 105.8
    assert btk.model == pytest.approx(rail_km / 500 + (8 + 6 + 40) / 24, abs=1e-3)
    assert btk.inside is False  # the inaugural train's 40 h: see docs/validation.md


def test_validate_model_prints_every_figure_and_exits_0():
    p = _cli("--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    ids = {c["id"] for c in doc["checks"]}
    assert ids == {x.id for x in load_published()}
    for c in doc["checks"]:
        assert c["inside"] in (True, False, None)
    table = _cli()
    assert table.returncode == 0 and "VAL_ALMATY_POTI_DAYS" in table.stdout


def test_a_malformed_table_names_file_row_and_field(tmp_path: Path):
    bad = tmp_path / "v.csv"
    bad.write_text(
        "id,figure,use,query,metric,low,high,unit,year,source,note\n"
        "X,x,guess,route:a:b:c:,days_mean,1,two,d,2025,s,\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationTableError) as info:
        load_published(bad.read_text(encoding="utf-8"), str(bad))
    text = str(info.value)
    assert f"{bad}, row 2, column use: 'guess' is not calibration or validation" in text
    assert f"{bad}, row 2, column high: 'two' is not a number" in text
    p = _cli("--table", str(bad))
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert str(bad) in p.stderr


def test_simulated_rows_run_only_with_replications():
    pytest.importorskip("simpy")
    from corridor.analysis.validation import load_published, validate_model

    rows = [p for p in load_published() if p.query.startswith("sim:")]
    assert {p.metric for p in rows} >= {"days_mean", "throughput:KZ_KURYK"}
    skipped = validate_model(published=rows)
    assert all(c.model is None and "not simulated" in c.detail for c in skipped)
    ran = {c.published.id: c for c in validate_model(published=rows, replications=2, seed=1)}
    days = ran["VAL_ALMATY_POTI_SIM_DAYS"]
    assert days.model is not None and 5 < days.model < 60 and "2 replications" in days.detail
    assert ran["VAL_KURYK_SIM_THROUGHPUT"].model > 0
    with pytest.raises(RequestError, match="replications"):
        validate_model(published=rows, replications=-1)
