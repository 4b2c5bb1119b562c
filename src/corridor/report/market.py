"""HTML report of the market model: the share-against-subsidy curve, the calibration year by
year and the backtest, as one self-contained page (inline SVG, no scripts)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING

from corridor.i18n import family_name, localise, t
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
    curve: Sequence[tuple[float, float]], target_share: float, subsidy: float, lang: str = "en"
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

    label = t("mkt_curve_label", lang, share=f"{target_share:.0%}", subsidy=f"{subsidy:,.0f}")
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
        f'stroke="none" font-size="13">{escape(t("mkt_curve_axis", lang))}</text></g>'
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
    lang: str = "en",
) -> str:
    """One HTML page in ``lang``: the break-even, the curve, the calibration and the backtest."""
    m = calibration.model

    def h(*keys: str) -> list[str]:
        return [t(f"mkt_th_{k}", lang) for k in keys]

    p = f"{be.sanctions_probability:g}"
    inputs = table(
        h("family", "route_usd", "days", "generalised", "share_now"),
        [
            [x.family if lang == "en" else family_name(x.family, lang),
             _num(x.cost_usd_per_t), _num(x.days_mean, 1),
             _num(x.generalised_usd_per_t), _pct(be.shares_now[x.family])]
            for x in be.inputs.values()
        ],
        {1, 2, 3, 4},
    )  # fmt: skip
    summary = table(
        h("question", "answer"),
        [
            [t("mkt_q_subsidy", lang, share=f"{be.share:.0%}"), _num(be.subsidy_usd_per_t)],
            [t("mkt_q_buyer", lang), _num(be.buyer_extra_usd_per_year, 0)],
            [t("mkt_q_bill", lang), _num(be.subsidy_bill_usd_per_year, 0)],
            [t("mkt_q_neutral", lang), _num(be.disruption_multiplier_neutral)],
            [t("mkt_q_averse", lang), _num(be.disruption_multiplier_averse)],
            [t("mkt_q_sanctions_neutral", lang, p=p), _num(be.sanctions_usd_per_t_neutral)],
            [t("mkt_q_sanctions_averse", lang, p=p), _num(be.sanctions_usd_per_t_averse)],
        ],
        {1},
    )  # fmt: skip
    params = table(
        h("parameter", "estimate", "se"),
        [[k, _num(v, 4), _num(m.se.get(k), 4)] for k, v in m.params().items()],
        {1, 2},
    )
    years = table(
        h("year", "split", "observed", "predicted"),
        [
            [str(y.year), t(f"mkt_split_{y.split}", lang),
             _pct(y.observed_share[TARGET] if y.observed_share else None),
             _pct(y.predicted_share[TARGET])]
            for y in calibration.years
        ],
        {2, 3},
    )  # fmt: skip
    back = table(
        h("replay", "change", "pred_shift", "obs_shift", "volume_error"),
        [
            [r.label, localise(r.change, lang), _num(r.predicted_shift_pts),
             _num(r.observed_shift_pts), _num(r.volume_error_pct, 1)]
            for r in replays
        ],
        {2, 3, 4},
    )  # fmt: skip
    curve = share_curve_svg(be.curve, be.share, be.subsidy_usd_per_t, lang)
    calib = escape(t("mkt_h_calibration", lang, market=calibration.market))
    main = (
        f"<section><h2>{escape(t('mkt_h_routes', lang))}</h2>{inputs}</section>"
        f"<section><h2>{escape(t('mkt_h_breakeven', lang))}</h2>{summary}"
        f"<figure>{curve}</figure></section>"
        f"<section><h2>{calib}</h2>{params}{years}</section>"
        f"<section><h2>{escape(t('mkt_h_backtest', lang))}</h2>{back}</section>"
    )
    meta = f"<p>{escape(t('mkt_meta', lang, usd=f'{m.sanctions_usd_per_t:,.0f}'))}</p>"
    return page(title, meta, main, escape(t("mkt_footer", lang)), lang=lang)
