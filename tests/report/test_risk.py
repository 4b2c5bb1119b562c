"""The frontier chart's labels stay inside the chart, measured by Chromium's own text layout
(the SVG sits at the page's origin at its own size, so client boxes are chart coordinates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest

from corridor.report.risk import HEIGHT, WIDTH, frontier_svg
from corridor.risk.frontier import FrontierPoint, FrontierResult

CHROMIUM = Path("/usr/bin/chromium")


def _point(name: str, cost: float, cvar: float) -> FrontierPoint:
    return FrontierPoint(
        name=name,
        expected_cost_usd_per_year=cost,
        shipping_cost_usd_per_year=cost,
        cvar=cvar,
        var=cvar,
        shortfall_t_per_year=0.0,
        split=(),
        within_capacity=True,
    )


def _result() -> FrontierResult:
    """The shape of the bundled frontier: all-China cheapest with the worst tail, all
    Trans-Caspian dearest (at the right edge) and lowest, the current plan between."""
    line = tuple(_point("frontier", 3.0e6 + i * 0.2e6, 9.0e6 - i * 1.5e6) for i in range(5))
    refs = (
        _point("all China", 3.0e6, 9.5e6),
        _point("current plan", 3.4e6, 6.0e6),
        _point("all Trans-Caspian", 4.1e6, 2.8e6),
    )
    fields: dict[str, Any] = dict(
        allocation=None, points=line, references=refs, alpha=0.95, measure="usd",
        scenarios=1000, seed=0, timing="", seconds=0.0, data_version="x",
    )  # fmt: skip
    return FrontierResult(**fields)


def test_labels_are_placed_inside_the_chart_by_their_estimated_width():
    svg = frontier_svg(_result())
    label = svg.split('data-name="all Trans-Caspian"')[1].split("</g>")[0]
    assert 'text-anchor="end"' in label  # at the right edge it turns to the left


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_no_label_is_clipped_in_the_browser():
    playwright = pytest.importorskip("playwright.sync_api")
    svg = frontier_svg(_result())
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page()
        page.set_content(f"<!DOCTYPE html><html><body style='margin:0'>{svg}</body></html>")
        boxes = cast(
            list[dict[str, Any]],
            page.evaluate(
                "[...document.querySelectorAll('svg text')].map(t => {"
                "const b = t.getBoundingClientRect(); return {text: t.textContent,"
                " x: b.left, y: b.top, right: b.right, bottom: b.bottom}; })"
            ),
        )
        browser.close()
    assert any(b["text"] == "all Trans-Caspian" for b in boxes)
    for b in boxes:
        assert b["x"] >= -0.5 and b["right"] <= WIDTH + 0.5, b
        assert b["y"] >= -0.5 and b["bottom"] <= HEIGHT + 0.5, b
