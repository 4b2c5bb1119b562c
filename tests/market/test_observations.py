"""The market tables: bundled rows are sourced; bad rows are reported with file, line, column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corridor.errors import DataError
from corridor.market import load_market_data
from corridor.market.observations import OBSERVATIONS_FILE, REGIMES_FILE
from corridor.network import bundled_data_dir, load_network


@pytest.fixture(scope="module")
def net():
    return load_network()


def test_bundled_tables_load_and_every_source_exists(net):
    data = load_market_data(network=net)
    assert data.markets() == ("westbound_overland",)
    years = {o.year for o in data.observations}
    assert years == {2021, 2022, 2023, 2024, 2025}
    assert {o.split for o in data.observations if o.year <= 2023} == {"calibration"}
    assert {o.split for o in data.observations if o.year >= 2024} == {"holdout"}
    # the published Trans-Caspian series (Kazakh Ministry of Transport, March 2026)
    tc = {o.year: o.volume_t for o in data.observations if o.family == "trans_caspian"}
    assert tc == {2021: 586e3, 2022: 1485e3, 2023: 2764e3, 2024: 4484e3, 2025: 4119e3}
    assert {r.id for r in data.regimes} >= {"RG_RU_SANCTIONS", "RG_CASPIAN_LOW_WATER"}


def _copy(tmp_path: Path) -> Path:
    for name in (OBSERVATIONS_FILE, REGIMES_FILE):
        shutil.copy(bundled_data_dir() / name, tmp_path / name)
    return tmp_path


def _replace_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_bad_rows_are_all_reported_with_file_line_and_column(tmp_path, net):
    folder = _copy(tmp_path)
    obs = folder / OBSERVATIONS_FILE
    _replace_line(obs, 2, "m,2021,atlantis,100,100,100,calibration,volume_t=mot_kz_titr_2026,")
    _replace_line(obs, 3, "m,2021,russia,-5,,,training,volume_t=no_such_source,")
    with pytest.raises(DataError) as info:
        load_market_data(folder, network=net)
    text = "\n".join(str(p) for p in info.value.problems)
    assert "market_observations.csv, row 2, column family: unknown family 'atlantis'" in text
    assert "row 3, column volume_t: must be finite and ≥ 0: -5" in text
    assert "row 3, column split: must be calibration or holdout: 'training'" in text
    assert "row 3, column sources: unknown source 'no_such_source'" in text


def test_regime_dates_are_checked(tmp_path):
    folder = _copy(tmp_path)
    _replace_line(
        folder / REGIMES_FILE, 2,
        "RG_X,x,,russia,2022-13-01,,0,0,0,0,0,0,2,sanctions=cgtn_ru_sanctions_2022,",
    )  # fmt: skip
    with pytest.raises(DataError) as info:
        load_market_data(folder)
    text = "\n".join(str(p) for p in info.value.problems)
    assert "market_regimes.csv, row 2, column start: not a date (YYYY-MM-DD)" in text
    assert "row 2, column sanctions: must lie in 0..1" in text


def test_missing_or_empty_tables_are_clear_errors(tmp_path):
    with pytest.raises(DataError, match=r"market_observations\.csv: file not found"):
        load_market_data(tmp_path)
    folder = _copy(tmp_path)
    header = (folder / OBSERVATIONS_FILE).read_text(encoding="utf-8").splitlines()[0]
    (folder / OBSERVATIONS_FILE).write_text(header + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="no observations"):
        load_market_data(folder)
