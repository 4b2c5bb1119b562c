"""HTML report of an investment appraisal: the ranked projects and a benefit-against-cost
chart (inline SVG), in English or Japanese."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from corridor.i18n import localise, t
from corridor.report.html import page, table
from corridor.report.svg import FAMILY_COLOURS, GRID, INK, MUTED, OTHER_COLOUR, _svg_open

if TYPE_CHECKING:
    from corridor.invest import Evaluation, InvestResult

WIDTH, HEIGHT = 760, 420
PAD_L, PAD_R, PAD_T, PAD_B = 80, 30, 20, 50


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _m(usd: float) -> str:
    return f"{usd / 1e6:,.1f}"


def _step(top: float) -> float:
    raw = max(top, 1e-9) / 5
    mag = 10.0 ** len(str(int(raw))) / 10 if raw >= 1 else 0.1
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def benefit_cost_svg(items: list[Evaluation], lang: str = "en") -> str:
    """Each project as a point: capex (x) against the present value of its benefit (y),
    with the line benefit = cost; points above the line have a benefit–cost ratio above 1
    (before opex). Whiskers show the low–high band of the benefit."""
    w, h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    pv = [(e, e.capex_usd / 1e6, e.benefit() * e.annuity / 1e6) for e in items]
    bands = [
        (e.benefit("low") * e.annuity / 1e6, e.benefit("high") * e.annuity / 1e6) for e in items
    ]
    x_top = max([x for _, x, _ in pv] + [1.0]) * 1.1
    y_top = max([y for _, _, y in pv] + [hi for _, hi in bands] + [x_top]) * 1.05
    y_low = min([0.0] + [lo for lo, _ in bands] + [y for _, _, y in pv])
    span = y_top - y_low

    def sx(x: float) -> float:
        return PAD_L + x / x_top * w

    def sy(y: float) -> float:
        return PAD_T + h - (y - y_low) / span * h

    out = [_svg_open(WIDTH, HEIGHT, t("invest_chart", lang))]
    out.append(f'<g fill="{MUTED}" font-size="11">')
    step = _step(x_top)
    i = 0
    while i * step <= x_top:
        x = sx(i * step)
        out.append(
            f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{PAD_T + h}" stroke="{GRID}"/>'
            f'<text x="{x:.1f}" y="{PAD_T + h + 15}" text-anchor="middle">{i * step:,g}</text>'
        )
        i += 1
    step = _step(span)
    v = (y_low // step) * step
    while v <= y_top:
        y = sy(v)
        if PAD_T <= y <= PAD_T + h:
            out.append(
                f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{PAD_L + w}" y2="{y:.1f}" stroke="{GRID}"/>'
                f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" text-anchor="end">{v:,g}</text>'
            )
        v += step
    out.append("</g>")
    end = min(x_top, y_top)
    out.append(
        f'<line x1="{sx(0):.1f}" y1="{sy(0):.1f}" x2="{sx(end):.1f}" y2="{sy(end):.1f}" '
        f'stroke="{MUTED}" stroke-dasharray="4 3"><title>{_e(t("invest_chart_line", lang))}'
        "</title></line>"
    )
    for (e, x, y), (lo, hi) in zip(pv, bands, strict=True):
        colour = FAMILY_COLOURS["trans_caspian"] if e.npv() > 0 else OTHER_COLOUR
        label = "+".join(i.removeprefix("PRJ_") for i in e.ids)
        out.append(
            f'<line x1="{sx(x):.1f}" y1="{sy(lo):.1f}" x2="{sx(x):.1f}" y2="{sy(hi):.1f}" '
            f'stroke="{colour}" stroke-width="1"/>'
            f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="{colour}">'
            f"<title>{_e(e.name)}: capex {_m(e.capex_usd)}, PV {y:,.1f}</title></circle>"
            f'<text x="{sx(x) + 6:.1f}" y="{sy(y) - 4:.1f}" font-size="10" fill="{INK}">'
            f"{_e(label)}</text>"
        )
    out.append(
        f'<text x="{PAD_L + w / 2:.1f}" y="{HEIGHT - 10}" text-anchor="middle" fill="{INK}">'
        f"{_e(t('invest_chart_x', lang))}</text>"
        f'<text transform="translate(16 {PAD_T + h / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" fill="{INK}">{_e(t("invest_chart_y", lang))}</text></svg>'
    )
    return "".join(out)


def stockout_change(e: Evaluation) -> str:
    """The change in expected stock-out days a year ± its Monte Carlo error ("–": not run)."""
    if e.risk is None:
        return "–"
    change, err = round(e.risk.change("stockout_days"), 1) + 0.0, e.risk.stderr["stockout_days"]
    return f"{change:+,.1f} ± {err:.1f}" if err else f"{change:+,.1f}"


def render_invest_report(result: InvestResult, lang: str = "en") -> str:
    """The whole page: ranked table, chart, selection and the approximation stated."""
    head = [
        t(k, lang)
        for k in (
            "invest_col_rank",
            "invest_col_project",
            "invest_col_capex",
            "invest_col_extra",
            "invest_col_days",
            "invest_col_stockout",
            "invest_col_stockout_value",
            "invest_col_benefit",
            "invest_col_npv",
            "invest_col_band",
            "invest_col_bcr",
        )
    ]
    projects = {p.id: p for p in result.network.projects}
    rows = []
    for i, e in enumerate(result.ranked, 1):
        p = projects.get(e.ids[0])
        name = (p.name_ja or p.name_en) if p is not None and lang == "ja" else e.name
        lo, hi = sorted((e.npv("low"), e.npv("high")))
        rows.append(
            [
                i,
                name,
                _m(e.capex_usd),
                f"{e.extra_t_per_year + e.extra_corridor_t_per_year:,.0f}",
                f"{e.days_saved_per_t:.2f}",
                stockout_change(e),
                _m(e.stockout_benefit()),
                _m(e.benefit()),
                _m(e.npv()),
                f"{_m(lo)} – {_m(hi)}",
                f"{e.bcr():.2f}",
            ]
        )
    ids = [e.ids for e in result.selected]
    if lang == "ja":
        ja = {i: p.name_ja or p.name_en for i, p in projects.items()}
        ids = [tuple(ja.get(i, i) for i in e) for e in ids]
    chosen = ", ".join("+".join(e) for e in ids) or t("invest_nothing", lang)
    budget = (
        t("invest_no_limit", lang)
        if result.budget_usd is None
        else f"USD {_m(result.budget_usd)} m"
    )
    selected = t(
        "invest_selected",
        lang,
        budget=budget,
        items=chosen,
        capex=f"USD {_m(result.selection.capex_usd)} m",
        npv=f"USD {_m(result.selection.npv_usd)} m",
    )
    main = (
        f"<section><h2>{_e(t('invest_ranked', lang))}</h2>"
        + table(head, rows, {0, 2, 3, 4, 5, 6, 7, 8, 9, 10})
        + f"<p>{_e(selected)}</p></section>"
        + f"<section><h2>{_e(t('invest_chart', lang))}</h2>"
        + benefit_cost_svg(list(result.items), lang)
        + "</section>"
        + f"<section><h2>{_e(t('invest_approximation', lang))}</h2>"
        + f"<p>{_e(localise(result.approximation(), lang))}</p></section>"
    )
    meta = (
        "<p>"
        + _e(
            t(
                "invest_meta",
                lang,
                rate=f"{result.money.discount_rate:.0%}",
                version=result.data_version[:12],
            )
        )
        + "</p>"
    )
    title = t("invest_title", lang, portfolio=result.portfolio.name or "portfolio")
    return page(title, meta, main, _e("corridor invest"))
