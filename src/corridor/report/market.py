"""HTML report of the market model: the share-against-subsidy curve, the calibration year by
year and the backtest, as one self-contained page (inline SVG, no scripts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from corridor.report.html import page, table
from corridor.report.svg import FAMILY_COLOURS, GRID, INK, MUTED, _nice_ticks, _svg_open

if TYPE_CHECKING:
    from corridor.market import BreakEven, Calibration, Replay

TARGET = "trans_caspian"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f} %"


def _num(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def share_curve_svg(
    curve: Sequence[tuple[float, float]], target_share: float, subsidy: float
) -> str:
    """Trans-Caspian share (y) against the subsidy per tonne (x), with the break-even marked.

    Raises
    ------
    ValueError
        If ``curve`` has fewer than two points.
    """
    if len(curve) < 2:
        raise ValueError("share_curve_svg needs at least two points")
    width, height, left, right, top, bottom = 640, 360, 64.0, 24.0, 16.0, 52.0
    xs = [x for x, _ in curve]
    lo, hi = min(xs), max(xs)
    plot_w, plot_h = width - left - right, height - top - bottom

    def xy(x: float, s: float) -> tuple[float, float]:
        return left + (x - lo) / (hi - lo) * plot_w, top + (1 - s) * plot_h

    label = f"Trans-Caspian share against subsidy; {target_share:.0%} at USD {subsidy:,.0f}/t"
    out = [_svg_open(width, height, label)]
    out.append(f'<g class="axes" stroke="{GRID}" fill="{INK}">')
    for s in (0.0, 0.25, 0.5, 0.75, 1.0):
        _, y = xy(lo, s)
        out.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{left + plot_w:.1f}" y2="{y:.1f}"/>'
            f'<text x="{left - 8:.1f}" y="{y + 4:.1f}" text-anchor="end" stroke="none">'
            f"{s:.0%}</text>"
        )
    step = _nice_ticks(hi - lo, 6)[1]
    first = math.ceil(lo / step)
    for k in range(first, math.floor(hi / step) + 1):
        x, _ = xy(k * step, 0.0)
        out.append(
            f'<text x="{x:.1f}" y="{top + plot_h + 18:.1f}" text-anchor="middle" stroke="none">'
            f"{k * step:,.0f}</text>"
        )
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 12:.1f}" text-anchor="middle" '
        f'stroke="none" font-size="13">Subsidy on the Trans-Caspian route (USD/t; negative: '
        f"a premium)</text></g>"
    )
    pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in (xy(x, s) for x, s in curve))
    colour = FAMILY_COLOURS.get(TARGET, INK)
    out.append(
        f'<polyline class="share" points="{pts}" fill="none" stroke="{colour}" stroke-width="3"/>'
    )
    bx, by = xy(subsidy, target_share)
    out.append(
        f'<circle class="breakeven" cx="{bx:.1f}" cy="{by:.1f}" r="5" fill="{colour}">'
        f"<title>{escape(label)}</title></circle>"
        f'<line x1="{bx:.1f}" y1="{by:.1f}" x2="{bx:.1f}" y2="{top + plot_h:.1f}" '
        f'stroke="{MUTED}" stroke-dasharray="4 3"/></svg>'
    )
    return "".join(out)


def market_report(
    title: str,
    be: BreakEven,
    calibration: Calibration,
    replays: Sequence[Replay],
) -> str:
    """One HTML page: the break-even, the curve, the calibration and the backtest."""
    m = calibration.model
    inputs = table(
        ["family", "route USD/t", "days", "generalised USD/t", "share now"],
        [
            [x.family, _num(x.cost_usd_per_t), _num(x.days_mean, 1),
             _num(x.generalised_usd_per_t), _pct(be.shares_now[x.family])]
            for x in be.inputs.values()
        ],
        {1, 2, 3, 4},
    )  # fmt: skip
    summary = table(
        ["question", "USD (per tonne or per year) or multiple"],
        [
            [f"subsidy for a {be.share:.0%} Trans-Caspian share", _num(be.subsidy_usd_per_t)],
            ["buyer pays per year over the cheapest route", _num(be.buyer_extra_usd_per_year, 0)],
            ["the subsidy costs per year", _num(be.subsidy_bill_usd_per_year, 0)],
            ["China-route risk multiple, risk-neutral", _num(be.disruption_multiplier_neutral)],
            ["China-route risk multiple, risk-averse", _num(be.disruption_multiplier_averse)],
            [f"China-route sanctions cost USD/t (p = {be.sanctions_probability:g}), risk-neutral",
             _num(be.sanctions_usd_per_t_neutral)],
            [f"China-route sanctions cost USD/t (p = {be.sanctions_probability:g}), risk-averse",
             _num(be.sanctions_usd_per_t_averse)],
        ],
        {1},
    )  # fmt: skip
    params = table(
        ["parameter", "estimate", "SE"],
        [[k, _num(v, 4), _num(m.se.get(k), 4)] for k, v in m.params().items()],
        {1, 2},
    )
    years = table(
        ["year", "split", "observed share", "predicted share"],
        [
            [str(y.year), y.split,
             _pct(y.observed_share[TARGET] if y.observed_share else None),
             _pct(y.predicted_share[TARGET])]
            for y in calibration.years
        ],
        {2, 3},
    )  # fmt: skip
    back = table(
        ["replay", "change", "predicted shift (pts)", "observed shift (pts)", "volume error %"],
        [
            [r.label, r.change, _num(r.predicted_shift_pts), _num(r.observed_shift_pts),
             _num(r.volume_error_pct, 1)]
            for r in replays
        ],
        {2, 3, 4},
    )  # fmt: skip
    curve = share_curve_svg(be.curve, be.share, be.subsidy_usd_per_t)
    main = (
        f"<section><h2>Routes and shares</h2>{inputs}</section>"
        f"<section><h2>Break-even</h2>{summary}<figure>{curve}</figure></section>"
        f"<section><h2>Calibration ({escape(calibration.market)})</h2>{params}{years}</section>"
        f"<section><h2>Backtest</h2>{back}</section>"
    )
    meta = f"<p>Sanctions weigh USD {m.sanctions_usd_per_t:,.0f}/t of generalised cost.</p>"
    return page(title, meta, main, "corridor market model — see docs/market.md")
