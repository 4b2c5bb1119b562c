"""The exposure report section and ``corridor exposure --lang ja``: ranked rows, the single
points of failure marked, every word from the catalogue."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.i18n import catalogue
from corridor.report.exposure import COLUMNS, exposure_section, notes
from corridor.risk import from_contracts
from corridor.risk.exposure import exposure_index

ALL_CHINA = "examples/splits/ree_5000_all_china.yaml"


@pytest.fixture(scope="module")
def short_stock():
    """All China with 10 days of stock: a China closure of its 30-day TTR outlasts it."""
    from corridor.network.load import load_network
    from corridor.network.states import network_on

    net = network_on(load_network(), dt.date(2026, 6, 1))
    return exposure_index(from_contracts(ALL_CHINA, network=net), stock_days=10)


def test_single_points_of_failure_are_marked_in_rank_order(short_stock):
    spof = [r.element.id for r in short_stock.rows if r.single_point]
    assert "CN" in spof  # TTS 10 (the stock; no alternative planned) < TTR 30
    cn = next(r for r in short_stock.rows if r.element.id == "CN")
    assert cn.tts_days == 10 and cn.ttr.days == 30
    html = exposure_section(short_stock, "en")
    marked = re.findall(r'<tr class="spof"><td>([A-Z0-9_]+)', html)
    assert marked == spof  # every one, in the ranked order, and no other row
    assert html.count("<tr") == len(short_stock.rows) + 1  # + the head
    assert "single point(s) of failure" in html and ", ".join(spof) in notes(short_stock)[0]


def test_japanese_section_uses_the_catalogue_only(short_stock):
    ja = catalogue("ja")
    html = exposure_section(short_stock, "ja")
    for key in COLUMNS:
        assert f">{ja[key]}<" in html
    for word in ("survives", "single point", "extra cost", "stock-out", "TTS: "):
        assert word not in html, word
    assert "中国" in html  # the exposure's Japanese name


def test_cli_exposure_lang_ja_with_report(tmp_path: Path):
    report = tmp_path / "exposure.html"
    args = ["exposure", ALL_CHINA, "--stock-days", "10", "--lang", "ja", "--no-store"]
    res = CliRunner().invoke(app, [*args, "--report", str(report)])
    assert res.exit_code == 0, res.output
    assert "リスク露出指数" in res.stdout and "単一障害点" in res.stdout
    assert "survives" not in res.stdout and "single points" not in res.stdout
    assert 'class="spof"' in report.read_text(encoding="utf-8")
    bad = CliRunner().invoke(app, [*args[:2], "--lang", "fr", "--no-store"])
    assert "--lang must be one of" in str(bad.exception)
