"""The risk report: one self-contained HTML page of a stress test and a mean–CVaR frontier.

Inline SVG only: the distribution of undelivered tonnes and of extra cost per year (log
scale, with VaR and CVaR marked), the events that drive the tail (their part of the CVaR),
and the frontier of expected cost against CVaR with the all-China, all-Trans-Caspian and
current splits placed on it. Tables follow, then the sources of the events.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from corridor.i18n import family_name, localise, t
from corridor.network.names import event_name
from corridor.report.html import page, table
from corridor.report.svg import FAMILY_COLOURS, GRID, INK, MUTED, OTHER_COLOUR, _svg_open
from corridor.risk.frontier import split_label

if TYPE_CHECKING:
    from corridor.analysis.stress_bands import StressBands
    from corridor.network.model import Network
    from corridor.risk._common import FloatArray, IntArray
    from corridor.risk.frontier import FrontierPoint, FrontierResult
    from corridor.risk.result import Driver, GroupRisk, StressResult

WIDTH, HEIGHT = 760, 320
PAD_L, PAD_R, PAD_T, PAD_B = 70, 20, 20, 48
REFERENCE_STYLE = {
    "current plan": ("#000000", "diamond"),
    "all China": (FAMILY_COLOURS["china"], "square"),
    "all Trans-Caspian": (FAMILY_COLOURS["trans_caspian"], "triangle"),
    "70/30 China/Trans-Caspian": ("#7b3294", "diamond"),
}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _num(v: float, digits: int = 0) -> str:
    return f"{v:,.{digits}f}"


def _ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    span = hi - lo
    if span <= 0:
        return [lo, lo + 1.0]
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    return [start + i * step for i in range(math.ceil((hi - start) / step - 1e-9) + 1)]


def _short(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.1f} bn"
    if a >= 1e6:
        return f"{v / 1e6:,.1f} m"
    if a >= 1e4:
        return f"{v / 1e3:,.0f} k"
    return f"{v:,.0f}"


class _Frame:
    """Linear axes inside the plotting area."""

    def __init__(self, x: tuple[float, float], y: tuple[float, float]) -> None:
        self.x0, self.x1 = x
        self.y0, self.y1 = y

    def px(self, v: float) -> float:
        span = (self.x1 - self.x0) or 1.0
        return PAD_L + (v - self.x0) / span * (WIDTH - PAD_L - PAD_R)

    def py(self, v: float) -> float:
        span = (self.y1 - self.y0) or 1.0
        return HEIGHT - PAD_B - (v - self.y0) / span * (HEIGHT - PAD_T - PAD_B)


def _x_axis(f: _Frame, ticks: Iterable[float], label: str) -> list[str]:
    out = [f'<g fill="{MUTED}" font-size="11" text-anchor="middle">']
    for tick in ticks:
        if f.x0 - 1e-9 <= tick <= f.x1 + 1e-9:
            x = f.px(tick)
            out.append(
                f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{HEIGHT - PAD_B}" '
                f'stroke="{GRID}" stroke-width="0.6"/>'
                f'<text x="{x:.1f}" y="{HEIGHT - PAD_B + 15}">{_e(_short(tick))}</text>'
            )
    out.append(
        f'<text x="{(PAD_L + WIDTH - PAD_R) / 2:.1f}" y="{HEIGHT - 10}" fill="{INK}" '
        f'font-size="12">{_e(label)}</text></g>'
    )
    return out


def _y_label(text: str) -> str:
    y = (PAD_T + HEIGHT - PAD_B) / 2
    return (
        f'<text transform="translate(16 {y:.1f}) rotate(-90)" text-anchor="middle" '
        f'font-size="12" fill="{INK}">{_e(text)}</text>'
    )


# --------------------------------------------------------------------------- charts


def histogram_svg(
    edges: FloatArray,
    counts: IntArray,
    markers: Mapping[str, float],
    label: str,
    lang: str = "en",
) -> str:
    """Bars of a distribution over simulated years, log-scaled counts, with markers.

    Parameters
    ----------
    edges : array
        Bin edges (one more than ``counts``).
    counts : array
        Years per bin.
    markers : mapping of str to float
        Label -> value drawn as a vertical dashed line (VaR, CVaR).
    label : str
        X-axis title with its unit.
    lang : str
        Language of the axis and the tooltips.
    """
    top = max(int(counts.max()), 1)
    lo = min(float(edges[0]), *markers.values()) if markers else float(edges[0])
    hi = max(float(edges[-1]), *markers.values()) if markers else float(edges[-1])
    f = _Frame((lo, hi), (0.0, math.log10(top + 1)))
    out = [_svg_open(WIDTH, HEIGHT, t("risk_hist_aria", lang, label=label))]
    out += _x_axis(f, _ticks(lo, hi), label)
    out.append(f'<g fill="{MUTED}" font-size="11" text-anchor="end">')
    for power in range(math.floor(math.log10(top)) + 1):
        y = f.py(math.log10(10**power + 1))
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}">{10**power:,}</text>')
    out.append("</g>" + _y_label(t("risk_years_log", lang)))
    out.append(f'<g fill="{FAMILY_COLOURS["trans_caspian"]}" fill-opacity="0.75">')
    for a, b, n in zip(edges[:-1], edges[1:], counts, strict=True):
        if n:
            y = f.py(math.log10(int(n) + 1))
            x0, x1 = f.px(float(a)), f.px(float(b))
            out.append(
                f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0 - 0.5, 0.8):.1f}" '
                f'height="{HEIGHT - PAD_B - y:.1f}"><title>{_short(float(a))}–'
                f"{_short(float(b))}: {t('risk_n_years', lang, n=f'{int(n):,}')}</title></rect>"
            )
    out.append("</g>")
    for i, (name, value) in enumerate(markers.items()):
        x = f.px(value)
        out.append(
            f'<line class="marker" x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" '
            f'y2="{HEIGHT - PAD_B}" stroke="#d62728" stroke-dasharray="4 3"/>'
            f'<text x="{x + 3:.1f}" y="{PAD_T + 12 + 13 * i}" font-size="11" '
            f'fill="#d62728">{_e(name)} {_e(_short(value))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def drivers_svg(names: Sequence[str], values: Sequence[float], label: str, lang: str = "en") -> str:
    """Horizontal bars: each event's part of the CVaR."""
    rows = len(names)
    height = 28 + 22 * rows
    top = max(max(values, default=0.0), 1e-12)
    left, right = 300, WIDTH - 90
    out = [_svg_open(WIDTH, height, t("risk_drivers_aria", lang, label=label))]
    for i, (name, v) in enumerate(zip(names, values, strict=True)):
        y = 10 + 22 * i
        w = max(v, 0.0) / top * (right - left)
        room = int((left - 12) / 7.2)  # characters of 12 px text that fit left of the bars
        text = name if len(name) <= room else name[: room - 1] + "…"
        out.append(
            f'<text x="{left - 8}" y="{y + 13}" text-anchor="end" fill="{INK}">{_e(text)}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="16" '
            f'fill="{FAMILY_COLOURS["china"]}" fill-opacity="0.8"><title>{_e(name)}: '
            f"{_short(v)}</title></rect>"
            f'<text x="{left + w + 6:.1f}" y="{y + 13}" fill="{MUTED}">{_e(_short(v))}</text>'
        )
    out.append(
        f'<text x="{left}" y="{height - 4}" fill="{MUTED}" font-size="11">{_e(label)}</text></svg>'
    )
    return "".join(out)


def frontier_svg(result: FrontierResult, lang: str = "en") -> str:
    """The frontier (cost against CVaR) with the reference splits as labelled markers."""
    pts = [*result.points, *result.references]
    xs = [p.expected_cost_usd_per_year for p in pts]
    ys = [p.cvar for p in pts]
    pad_x = (max(xs) - min(xs)) * 0.08 or 1.0
    pad_y = (max(ys) - min(ys)) * 0.08 or 1.0
    f = _Frame((min(xs) - pad_x, max(xs) + pad_x), (min(ys) - pad_y, max(ys) + pad_y))
    out = [_svg_open(WIDTH, HEIGHT, t("risk_frontier_aria", lang))]
    out += _x_axis(f, _ticks(f.x0, f.x1), t("risk_x_expected_cost", lang))
    out.append(f'<g fill="{MUTED}" font-size="11" text-anchor="end">')
    for tick in _ticks(f.y0, f.y1):
        if f.y0 <= tick <= f.y1:
            y = f.py(tick)
            out.append(
                f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{WIDTH - PAD_R}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="0.6"/><text x="{PAD_L - 6}" y="{y + 4:.1f}">'
                f"{_e(_short(tick))}</text>"
            )
    level = f"{result.alpha:.0%}"
    out.append("</g>" + _y_label(t("risk_y_cvar", lang, level=level, unit=result.unit)))
    line = " ".join(
        f"{f.px(p.expected_cost_usd_per_year):.1f},{f.py(p.cvar):.1f}" for p in result.points
    )
    out.append(
        f'<polyline class="frontier" points="{line}" fill="none" stroke="{INK}" stroke-width="2"/>'
    )
    for p in result.points:
        out.append(_dot(f, p, INK, "circle", "", lang=lang))
    for i, p in enumerate(result.references):
        colour, shape = REFERENCE_STYLE.get(p.name, (OTHER_COLOUR, "circle"))
        out.append(_dot(f, p, colour, shape, p.name, below=i % 2 == 1, lang=lang))
    out.append("</svg>")
    return "".join(out)


def _dot(
    f: _Frame,
    p: FrontierPoint,
    colour: str,
    shape: str,
    label: str,
    below: bool = False,
    lang: str = "en",
) -> str:
    x, y = f.px(p.expected_cost_usd_per_year), f.py(p.cvar)
    name = label or "frontier"
    title = (
        f"<title>{_e(name)}: USD {_num(p.expected_cost_usd_per_year)}{t('risk_per_yr', lang)}, "
        f"CVaR {_num(p.cvar)}</title>"
    )
    paths = {
        "square": f"M{x - 5:.1f} {y - 5:.1f}h10v10h-10Z",
        "triangle": f"M{x:.1f} {y - 6:.1f}L{x + 6:.1f} {y + 5:.1f}L{x - 6:.1f} {y + 5:.1f}Z",
        "diamond": f"M{x:.1f} {y - 7:.1f}l7 7l-7 7l-7 -7Z",
    }
    if shape in paths:
        mark = f'<path d="{paths[shape]}" fill="{colour}">{title}</path>'
    else:
        mark = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">{title}</circle>'
    if label:
        mark += _point_label(x, y, label, colour, below)
    return f'<g class="point" data-name="{_e(name)}">{mark}</g>'


LABEL_PX_PER_CHAR = 7.2
"""Width of one character of the 12 px labels, an upper bound for Latin sans-serif text."""


def _point_label(x: float, y: float, label: str, colour: str, below: bool) -> str:
    """A marker's label beside it, on the side where it fits inside the chart: to the right
    unless it would run past the right edge (the dearest split sits there), then to the left;
    kept below the top edge and above the x axis."""
    width = len(label) * LABEL_PX_PER_CHAR
    if x + 9 + width <= WIDTH - 2:
        tx, anchor = x + 9, "start"
    else:
        tx, anchor = max(x - 9, width + 2), "end"
    ty = min(max(y + (18 if below else -6), PAD_T + 10), HEIGHT - PAD_B - 4)
    return (
        f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}" fill="{colour}" '
        f'font-size="12">{_e(label)}</text>'
    )


# --------------------------------------------------------------------------- sections


def group_rows(groups: Sequence[GroupRisk], days: Mapping[str, float]) -> list[list[str]]:
    """One row per group (portfolio, contract or family), as the report and the CLI show it:
    id, t/yr, delivered share, mean/VaR95/CVaR95/CVaR99 of lost tonnes, mean and CVaR95 of
    extra cost, and the mean extra days where ``days`` has them."""
    return [
        [
            g.id,
            _num(g.volume_t_per_year),
            f"{g.delivered_share:.2%}",
            _num(g.undelivered.mean),
            _num(g.undelivered.var[0.95]),
            _num(g.undelivered.cvar[0.95]),
            _num(g.undelivered.cvar[0.99]),
            _num(g.extra_cost.mean),
            _num(g.extra_cost.cvar[0.95]),
            f"{days[g.id]:+.2f}" if g.id in days else "",
        ]
        for g in groups
    ]


def frontier_rows(f: FrontierResult, lang: str = "en") -> tuple[list[list[str]], list[list[str]]]:
    """The frontier's points (#, expected cost, CVaR, family shares) and the plans placed
    against it (name, expected cost, CVaR, within capacity, note), as the report and the
    CLI show them; an in-time frontier adds the mean loss, and whether a plan is on the
    frontier (:func:`frontier_heads` names the columns)."""
    timed = f.loss != "cost"
    yes, no = t("risk_yes", lang), t("risk_no", lang)
    points = [
        [
            str(i),
            _num(p.expected_cost_usd_per_year),
            *([_num(p.mean_loss or 0.0)] if timed else []),
            _num(p.cvar),
            _families(p, lang),
        ]
        for i, p in enumerate(f.points, 1)
    ]
    plans = [
        [
            split_label(p.name, lang),
            _num(p.expected_cost_usd_per_year),
            *([_num(p.mean_loss or 0.0)] if timed else []),
            _num(p.cvar),
            *([yes if _on_frontier(f, p) else no] if timed else []),
            yes if p.within_capacity else no,
            localise(p.note, lang),
        ]
        for p in f.references
    ]
    return points, plans


def frontier_heads(f: FrontierResult, lang: str = "en") -> tuple[list[str], list[str]]:
    """Column names of :func:`frontier_rows` in ``lang``."""
    level = f"CVaR {f.alpha:.0%} {f.unit}"
    cost, families = t("risk_th_expected_cost", lang), t("risk_th_families", lang)
    split, within, note = (t(f"risk_th_{k}", lang) for k in ("split", "within", "note"))
    if f.loss == "cost":
        return (["#", cost, level, families], [split, cost, level, within, note])
    mean = t("risk_th_mean_loss", lang, unit=f.unit)
    on = t("risk_th_on_frontier", lang)
    return (
        ["#", cost, mean, level, families],
        [split, cost, mean, level, on, within, note],
    )


def split_rows(f: FrontierResult, lang: str = "en") -> tuple[list[str], list[list[str]]]:
    """Every split of an in-time frontier: shipping cost, mean stock-out days, undelivered
    tonnes and extra cost, mean loss, expected cost and CVaR (``*``: on the frontier)."""
    words = ("split", "shipping", "stockout", "undelivered", "extra_cost")
    head = [
        *(t(f"risk_th_{k}", lang) for k in words),
        t("risk_th_mean_loss", lang, unit=f.unit),
        t("risk_th_expected_cost", lang),
        f"CVaR {f.alpha:.0%} {f.unit}",
    ]
    rows = [
        [
            ("* " if _on_frontier(f, p) else "") + split_label(p.name, lang),
            _num(p.shipping_cost_usd_per_year),
            _num(p.extra.get("mean_stockout_days", 0.0), 2),
            _num(p.extra.get("mean_undelivered_t", 0.0), 1),
            _num(p.extra.get("mean_extra_cost_usd", 0.0)),
            _num(p.mean_loss or 0.0),
            _num(p.expected_cost_usd_per_year),
            _num(p.cvar),
        ]
        for p in f.evaluated
    ]
    return head, rows


def _on_frontier(f: FrontierResult, p: FrontierPoint) -> bool:
    return any(q.split == p.split and q.cvar == p.cvar for q in f.points)


def _families(p: FrontierPoint, lang: str = "en") -> str:
    shares = p.family_share().items()
    if lang == "en":
        return ", ".join(f"{k} {v:.0%}" for k, v in shares)
    return "、".join(f"{family_name(k, lang)} {v:.0%}" for k, v in shares)


GROUP_HEAD = [
    "",
    "t/yr",
    "delivered",
    "E[lost] t",
    "VaR 95 % t",
    "CVaR 95 % t",
    "CVaR 99 % t",
    "E[extra] USD",
    "CVaR 95 % USD",
    "extra days",
]


def group_head(lang: str = "en") -> list[str]:
    """:data:`GROUP_HEAD` in ``lang`` (VaR and CVaR columns keep their names)."""
    if lang == "en":
        return list(GROUP_HEAD)
    words = [t(f"risk_th_{k}", lang) for k in ("t_yr", "delivered", "e_lost")]
    tail = [t("risk_th_e_extra", lang), "CVaR 95 % USD", t("risk_th_extra_days", lang)]
    return ["", *words, *GROUP_HEAD[4:7], *tail]


def _stress_section(r: StressResult, lang: str = "en") -> str:
    p = r.portfolio
    head = group_head(lang)
    sub = t("risk_stress_sub", lang, years=f"{r.years:,}", seed=r.seed, timing=_e(r.timing))
    summary = t(
        "risk_stress_summary",
        lang,
        share=f"{p.delivered_share:.2%}",
        volume=_num(p.volume_t_per_year),
        lost=_num(p.undelivered.mean),
        lost_cvar=_num(p.undelivered.cvar[0.95]),
        extra=_num(p.extra_cost.mean),
        extra_cvar=_num(p.extra_cost.cvar[0.95]),
    )
    return f"""
<section id="stress"><h2>{_e(t("risk_h_stress", lang))} <span class="muted">{sub}</span></h2>
<p>{summary}</p>
<h3>{_e(t("risk_h_loss", lang))}</h3>
{_distributions(r, lang)}
<h3>{_e(t("risk_h_contract", lang))}</h3>
{table(head, group_rows([p, *r.contracts], r.extra_days_mean), set(range(1, 10)))}
<h3>{_e(t("risk_h_family", lang))}</h3>
{table(head, group_rows(r.families, {}), set(range(1, 10)))}
<h3>{_e(t("risk_h_exceed", lang))}</h3>
{_exceedance(r)}
<h3>{_e(t("risk_h_drivers", lang))}</h3>
{_drivers(r, lang)}
<h3>{_e(t("risk_h_concentration", lang))}</h3>
{_concentration(r, lang)}
<ul>{"".join(f"<li>{_e(localise(n, lang))}</li>" for n in r.notes)}</ul>
</section>"""


def _distributions(r: StressResult, lang: str = "en") -> str:
    u, x = r.portfolio.undelivered, r.portfolio.extra_cost
    marks_u = {"VaR 95 %": u.var[0.95], "CVaR 95 %": u.cvar[0.95], "VaR 99 %": u.var[0.99]}
    marks_x = {"VaR 95 %": x.var[0.95], "CVaR 95 %": x.cvar[0.95]}
    label_u, label_x = t("risk_lbl_undelivered", lang), t("risk_lbl_extra", lang)
    lost = histogram_svg(*r.histograms["undelivered_t"], marks_u, label_u, lang)
    extra = histogram_svg(*r.histograms["extra_cost_usd"], marks_x, label_x, lang)
    return (
        f'<div class="charts"><figure>{lost}<figcaption>{_e(t("risk_cap_undelivered", lang))}'
        f"</figcaption></figure><figure>{extra}<figcaption>{_e(t('risk_cap_extra', lang))}"
        "</figcaption></figure></div>"
    )


def _exceedance(r: StressResult) -> str:
    levels = list(r.portfolio.p_loss_over)
    rows = [
        [g.id, *(f"{g.p_loss_over[q]:.4f}" for q in levels)] for g in (r.portfolio, *r.contracts)
    ]
    return table(["", *(f"> {q:.0%}" for q in levels)], rows, set(range(1, len(levels) + 1)))


def _driver_name(r: StressResult, d: Driver, lang: str) -> str:
    """The driving event's name in ``lang`` (its table row's, else the name it was given)."""
    net = r.allocation.network
    if net.has("events", d.event):
        return event_name(net.event(d.event), lang)
    return str(localise(d.name, lang))


def _drivers(r: StressResult, lang: str = "en") -> str:
    top = [d for d in r.drivers if d.undelivered_t[0.95] > 0][:10]
    chart = drivers_svg(
        [_driver_name(r, d, lang) for d in top],
        [d.undelivered_t[0.95] for d in top],
        t("risk_lbl_drivers", lang),
        lang,
    )
    head = [t(f"risk_th_{k}", lang) for k in ("event", "what", "t_cvar", "usd_cvar", "mean_lost")]
    rows = [
        [
            d.event,
            _driver_name(r, d, lang),
            _num(d.undelivered_t[0.95]),
            _num(d.extra_cost_usd[0.95]),
            _num(d.mean_undelivered_t),
        ]
        for d in r.drivers
    ]
    caption = escape(t("risk_cap_drivers", lang), quote=False)
    figure = f"<figure>{chart}<figcaption>{caption}</figcaption></figure>"
    return figure + table(head, rows, {2, 3, 4})


def _concentration(r: StressResult, lang: str = "en") -> str:
    c = r.concentration
    rows = [[k, f"{v:.1%}"] for k, v in c.country_share.items()]
    countries, families = f"{c.hhi_countries:,.0f}", f"{c.hhi_families:,.0f}"
    hhi = t("risk_hhi", lang, countries=countries, families=families)
    head = [t("risk_th_transit", lang), t("risk_th_share_crossing", lang)]
    return f"<p>{hhi}</p>" + table(head, rows, {1})


def _frontier_section(f: FrontierResult, lang: str = "en") -> str:
    line, refs = frontier_rows(f, lang)
    point_head, plan_head = frontier_heads(f, lang)
    numeric = set(range(1, len(point_head) - 1))
    if f.loss == "cost":
        loss = t("risk_loss_cost", lang, unit=_e(f.unit))
    else:
        loss = t("risk_loss_intime", lang, loss=_e(f.loss), unit=_e(f.unit))
    every = ""
    if f.evaluated:
        head, rows = split_rows(f, lang)
        every = table(head, rows, set(range(1, len(head))))
    sub = t("risk_frontier_sub", lang, scenarios=f"{f.scenarios:,}", loss=loss)
    return f"""
<section id="frontier"><h2>{_e(t("risk_h_frontier", lang))} <span class="muted">{sub}</span></h2>
<figure>{frontier_svg(f, lang)}<figcaption>{_e(t("risk_cap_frontier", lang))}</figcaption></figure>
{table(point_head, line, numeric)}
{every}
{table(plan_head, refs, numeric)}
<ul>{"".join(f"<li>{_e(localise(n, lang))}</li>" for n in f.notes)}</ul>
</section>"""


def _sources(net: Network, lang: str = "en") -> str:
    items = []
    for ev in net.events:
        ids = sorted({s for v in ev.sources.values() for s in v})
        cites = "; ".join(
            f"{_e(s)}: {_e(net.source(s).citation)}" for s in ids if net.has("sources", s)
        )
        text = t(
            "risk_event_item",
            lang,
            name=event_name(ev, lang),
            rate=f"{ev.events_per_year:g}",
            days=f"{ev.duration_days:g}",
            p95=f"{ev.duration_days_p95:g}",
            loss=f"{ev.capacity_loss:g}",
        )
        items.append(
            f"<li><strong>{_e(ev.id)}</strong> — {_e(text)}"
            f"{cites or _e(t('risk_by_scenario', lang))}</li>"
        )
    return '<ol class="sources">' + "".join(items) + "</ol>"


def render_risk_report(
    stress: StressResult | None,
    frontier: FrontierResult | None = None,
    title: str | None = None,
    bands: StressBands | None = None,
    lang: str = "en",
) -> str:
    """Render a stress test and/or a frontier as one self-contained offline HTML page.

    Parameters
    ----------
    stress : StressResult, optional
        From :func:`corridor.risk.stress`.
    frontier : FrontierResult, optional
        From :func:`corridor.risk.frontier.frontier`.
    title : str, optional
        Page title and heading (default: "corridor disruption risk" in ``lang``).
    bands : StressBands, optional
        The stress test over joint draws of its estimates (``stress --uncertainty``): a
        section with its bands and the tornado of the drivers of the tail loss.
    lang : str
        Language of the page: ``"en"`` or ``"ja"``.

    Returns
    -------
    str
        A complete HTML document (inline CSS and SVG, nothing loaded from the network).

    Raises
    ------
    ValueError
        Neither a stress test nor a frontier is given.
    """
    first = stress if stress is not None else frontier
    if first is None:
        raise ValueError("give a stress test, a frontier, or both")
    allocation, version = first.allocation, first.data_version
    net = allocation.network
    body = (_stress_section(stress, lang) if stress else "") + (
        _frontier_section(frontier, lang) if frontier else ""
    )
    if bands is not None:
        from corridor.report.uncertainty import stress_bands_section

        body += f'<section id="stress-bands">{stress_bands_section(bands, lang)}</section>'

    meta = t(
        "risk_meta",
        lang,
        name=_e(allocation.name or t("risk_allocation", lang)),
        basis=_e(allocation.basis),
        network=_e(net.origin),
        version=_e(version[:12]),
    )
    main = (
        f'{body}\n<section id="sources"><h2>{_e(t("risk_h_sources", lang))}</h2>'
        f"{_sources(net, lang)}</section>"
    )
    title = t("risk_title", lang) if title is None else title
    footer = _e(t("risk_footer", lang))
    return page(title, f'<p class="meta">{meta}</p>', main, footer, lang=lang)
