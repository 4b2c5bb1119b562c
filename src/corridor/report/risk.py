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

from corridor.report.html import page, table
from corridor.report.svg import FAMILY_COLOURS, GRID, INK, MUTED, OTHER_COLOUR, _svg_open

if TYPE_CHECKING:
    from corridor.analysis.stress_bands import StressBands
    from corridor.network.model import Network
    from corridor.risk._common import FloatArray, IntArray
    from corridor.risk.frontier import FrontierPoint, FrontierResult
    from corridor.risk.result import GroupRisk, StressResult

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
    for t in ticks:
        if f.x0 - 1e-9 <= t <= f.x1 + 1e-9:
            x = f.px(t)
            out.append(
                f'<line x1="{x:.1f}" y1="{PAD_T}" x2="{x:.1f}" y2="{HEIGHT - PAD_B}" '
                f'stroke="{GRID}" stroke-width="0.6"/>'
                f'<text x="{x:.1f}" y="{HEIGHT - PAD_B + 15}">{_e(_short(t))}</text>'
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
    """
    top = max(int(counts.max()), 1)
    lo = min(float(edges[0]), *markers.values()) if markers else float(edges[0])
    hi = max(float(edges[-1]), *markers.values()) if markers else float(edges[-1])
    f = _Frame((lo, hi), (0.0, math.log10(top + 1)))
    out = [_svg_open(WIDTH, HEIGHT, f"Distribution of {label} over simulated years")]
    out += _x_axis(f, _ticks(lo, hi), label)
    out.append(f'<g fill="{MUTED}" font-size="11" text-anchor="end">')
    for power in range(math.floor(math.log10(top)) + 1):
        y = f.py(math.log10(10**power + 1))
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}">{10**power:,}</text>')
    out.append("</g>" + _y_label("years (log scale)"))
    out.append(f'<g fill="{FAMILY_COLOURS["trans_caspian"]}" fill-opacity="0.75">')
    for a, b, n in zip(edges[:-1], edges[1:], counts, strict=True):
        if n:
            y = f.py(math.log10(int(n) + 1))
            x0, x1 = f.px(float(a)), f.px(float(b))
            out.append(
                f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0 - 0.5, 0.8):.1f}" '
                f'height="{HEIGHT - PAD_B - y:.1f}"><title>{_short(float(a))}–'
                f"{_short(float(b))}: {int(n):,} years</title></rect>"
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


def drivers_svg(names: Sequence[str], values: Sequence[float], label: str) -> str:
    """Horizontal bars: each event's part of the CVaR."""
    rows = len(names)
    height = 28 + 22 * rows
    top = max(max(values, default=0.0), 1e-12)
    left, right = 300, WIDTH - 90
    out = [_svg_open(WIDTH, height, f"Events that drive the tail: {label}")]
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


def frontier_svg(result: FrontierResult) -> str:
    """The frontier (cost against CVaR) with the reference splits as labelled markers."""
    pts = [*result.points, *result.references]
    xs = [p.expected_cost_usd_per_year for p in pts]
    ys = [p.cvar for p in pts]
    pad_x = (max(xs) - min(xs)) * 0.08 or 1.0
    pad_y = (max(ys) - min(ys)) * 0.08 or 1.0
    f = _Frame((min(xs) - pad_x, max(xs) + pad_x), (min(ys) - pad_y, max(ys) + pad_y))
    out = [_svg_open(WIDTH, HEIGHT, "Efficient frontier of expected cost against CVaR")]
    out += _x_axis(f, _ticks(f.x0, f.x1), "expected cost, USD per year")
    out.append(f'<g fill="{MUTED}" font-size="11" text-anchor="end">')
    for t in _ticks(f.y0, f.y1):
        if f.y0 <= t <= f.y1:
            y = f.py(t)
            out.append(
                f'<line x1="{PAD_L}" y1="{y:.1f}" x2="{WIDTH - PAD_R}" y2="{y:.1f}" '
                f'stroke="{GRID}" stroke-width="0.6"/><text x="{PAD_L - 6}" y="{y + 4:.1f}">'
                f"{_e(_short(t))}</text>"
            )
    out.append("</g>" + _y_label(f"CVaR {result.alpha:.0%} of loss, {result.unit}"))
    line = " ".join(
        f"{f.px(p.expected_cost_usd_per_year):.1f},{f.py(p.cvar):.1f}" for p in result.points
    )
    out.append(
        f'<polyline class="frontier" points="{line}" fill="none" stroke="{INK}" stroke-width="2"/>'
    )
    for p in result.points:
        out.append(_dot(f, p, INK, "circle", ""))
    for i, p in enumerate(result.references):
        colour, shape = REFERENCE_STYLE.get(p.name, (OTHER_COLOUR, "circle"))
        out.append(_dot(f, p, colour, shape, p.name, below=i % 2 == 1))
    out.append("</svg>")
    return "".join(out)


def _dot(
    f: _Frame, p: FrontierPoint, colour: str, shape: str, label: str, below: bool = False
) -> str:
    x, y = f.px(p.expected_cost_usd_per_year), f.py(p.cvar)
    name = label or "frontier"
    title = (
        f"<title>{_e(name)}: USD {_num(p.expected_cost_usd_per_year)}/yr, "
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


def frontier_rows(f: FrontierResult) -> tuple[list[list[str]], list[list[str]]]:
    """The frontier's points (#, expected cost, CVaR, family shares) and the plans placed
    against it (name, expected cost, CVaR, within capacity, note), as the report and the
    CLI show them; an in-time frontier adds the mean loss, and whether a plan is on the
    frontier (:func:`frontier_heads` names the columns)."""
    timed = f.loss != "cost"
    points = [
        [
            str(i),
            _num(p.expected_cost_usd_per_year),
            *([_num(p.mean_loss or 0.0)] if timed else []),
            _num(p.cvar),
            _families(p),
        ]
        for i, p in enumerate(f.points, 1)
    ]
    plans = [
        [
            p.name,
            _num(p.expected_cost_usd_per_year),
            *([_num(p.mean_loss or 0.0)] if timed else []),
            _num(p.cvar),
            *(["yes" if _on_frontier(f, p) else "no"] if timed else []),
            "yes" if p.within_capacity else "no",
            p.note,
        ]
        for p in f.references
    ]
    return points, plans


def frontier_heads(f: FrontierResult) -> tuple[list[str], list[str]]:
    """Column names of :func:`frontier_rows`."""
    level = f"CVaR {f.alpha:.0%} {f.unit}"
    if f.loss == "cost":
        return (
            ["#", "expected cost USD/yr", level, "families"],
            ["split", "expected cost USD/yr", level, "within capacity", "note"],
        )
    mean = f"mean loss {f.unit}"
    return (
        ["#", "expected cost USD/yr", mean, level, "families"],
        ["split", "expected cost USD/yr", mean, level, "on frontier", "within capacity", "note"],
    )


def split_rows(f: FrontierResult) -> tuple[list[str], list[list[str]]]:
    """Every split of an in-time frontier: shipping cost, mean stock-out days, undelivered
    tonnes and extra cost, mean loss, expected cost and CVaR (``*``: on the frontier)."""
    head = [
        "split",
        "shipping USD/yr",
        "stock-out d/yr",
        "undelivered t/yr",
        "extra cost USD/yr",
        f"mean loss {f.unit}",
        "expected cost USD/yr",
        f"CVaR {f.alpha:.0%} {f.unit}",
    ]
    rows = [
        [
            ("* " if _on_frontier(f, p) else "") + p.name,
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


def _families(p: FrontierPoint) -> str:
    return ", ".join(f"{k} {v:.0%}" for k, v in p.family_share().items())


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


def _stress_section(r: StressResult) -> str:
    p = r.portfolio
    return f"""
<section id="stress"><h2>Stress test <span class="muted">{r.years:,} simulated years, seed
{r.seed}, {_e(r.timing)} timing</span></h2>
<p>Expected delivered share <strong>{p.delivered_share:.2%}</strong> of
{_num(p.volume_t_per_year)} t/yr; expected undelivered {_num(p.undelivered.mean)} t/yr
(CVaR 95 % {_num(p.undelivered.cvar[0.95])} t); expected extra cost
USD {_num(p.extra_cost.mean)}/yr (CVaR 95 % USD {_num(p.extra_cost.cvar[0.95])}).</p>
<h3>Loss distribution</h3>
{_distributions(r)}
<h3>Per contract</h3>
{table(GROUP_HEAD, group_rows([p, *r.contracts], r.extra_days_mean), set(range(1, 10)))}
<h3>Per route family</h3>
{table(GROUP_HEAD, group_rows(r.families, {}), set(range(1, 10)))}
<h3>Probability of losing more than a share of the annual volume</h3>
{_exceedance(r)}
<h3>Events that drive the tail</h3>
{_drivers(r)}
<h3>Concentration</h3>
{_concentration(r)}
<ul>{"".join(f"<li>{_e(n)}</li>" for n in r.notes)}</ul>
</section>"""


def _distributions(r: StressResult) -> str:
    u, x = r.portfolio.undelivered, r.portfolio.extra_cost
    marks_u = {"VaR 95 %": u.var[0.95], "CVaR 95 %": u.cvar[0.95], "VaR 99 %": u.var[0.99]}
    marks_x = {"VaR 95 %": x.var[0.95], "CVaR 95 %": x.cvar[0.95]}
    lost = histogram_svg(*r.histograms["undelivered_t"], marks_u, "undelivered tonnes per year")
    extra = histogram_svg(*r.histograms["extra_cost_usd"], marks_x, "extra cost, USD per year")
    return (
        f'<div class="charts"><figure>{lost}<figcaption>Undelivered tonnes per simulated year '
        "(log scale); dashed lines: VaR and CVaR.</figcaption></figure>"
        f"<figure>{extra}<figcaption>Extra cost per simulated year: re-routing, surcharges, "
        "insurance and delay.</figcaption></figure></div>"
    )


def _exceedance(r: StressResult) -> str:
    levels = list(r.portfolio.p_loss_over)
    rows = [
        [g.id, *(f"{g.p_loss_over[q]:.4f}" for q in levels)] for g in (r.portfolio, *r.contracts)
    ]
    return table(["", *(f"> {q:.0%}" for q in levels)], rows, set(range(1, len(levels) + 1)))


def _drivers(r: StressResult) -> str:
    top = [d for d in r.drivers if d.undelivered_t[0.95] > 0][:10]
    chart = drivers_svg(
        [d.name for d in top],
        [d.undelivered_t[0.95] for d in top],
        "tonnes of the portfolio CVaR 95 % of undelivered tonnes",
    )
    head = ["event", "what", "t of CVaR 95 %", "USD of CVaR 95 %", "mean lost t/yr"]
    rows = [
        [
            d.event,
            d.name,
            _num(d.undelivered_t[0.95]),
            _num(d.extra_cost_usd[0.95]),
            _num(d.mean_undelivered_t),
        ]
        for d in r.drivers
    ]
    return (
        f"<figure>{chart}<figcaption>Each event's mean undelivered tonnes in the worst 5 % of "
        "years: the bars add up to the CVaR.</figcaption></figure>" + table(head, rows, {2, 3, 4})
    )


def _concentration(r: StressResult) -> str:
    c = r.concentration
    rows = [[k, f"{v:.1%}"] for k, v in c.country_share.items()]
    return (
        f"<p>HHI of transit countries <strong>{c.hhi_countries:,.0f}</strong>, of route "
        f"families <strong>{c.hhi_families:,.0f}</strong> (0–10,000).</p>"
        + table(["transit country", "share of tonnes crossing"], rows, {1})
    )


def _frontier_section(f: FrontierResult) -> str:
    line, refs = frontier_rows(f)
    point_head, plan_head = frontier_heads(f)
    numeric = set(range(1, len(point_head) - 1))
    loss = (
        f"loss in {_e(f.unit)}"
        if f.loss == "cost"
        else f"in-time loss ({_e(f.loss)} + extra cost), {_e(f.unit)}"
    )
    every = ""
    if f.evaluated:
        head, rows = split_rows(f)
        every = table(head, rows, set(range(1, len(head))))
    return f"""
<section id="frontier"><h2>Diversification priced: the mean–CVaR frontier <span class="muted">
{f.scenarios:,} scenarios, {loss}</span></h2>
<figure>{frontier_svg(f)}<figcaption>Each point on the line is the cheapest split whose CVaR
is at most its height; markers place the current plan and the single-family
splits.</figcaption></figure>
{table(point_head, line, numeric)}
{every}
{table(plan_head, refs, numeric)}
<ul>{"".join(f"<li>{_e(n)}</li>" for n in f.notes)}</ul>
</section>"""


def _sources(net: Network) -> str:
    items = []
    for ev in net.events:
        ids = sorted({s for v in ev.sources.values() for s in v})
        cites = "; ".join(
            f"{_e(s)}: {_e(net.source(s).citation)}" for s in ids if net.has("sources", s)
        )
        items.append(
            f"<li><strong>{_e(ev.id)}</strong> — {_e(ev.name_en)}: {ev.events_per_year:g}/yr, "
            f"median {ev.duration_days:g} d (p95 {ev.duration_days_p95:g}), capacity loss "
            f"{ev.capacity_loss:g}. {cites or 'Set by the scenario.'}</li>"
        )
    return '<ol class="sources">' + "".join(items) + "</ol>"


def render_risk_report(
    stress: StressResult | None,
    frontier: FrontierResult | None = None,
    title: str = "corridor disruption risk",
    bands: StressBands | None = None,
) -> str:
    """Render a stress test and/or a frontier as one self-contained offline HTML page.

    Parameters
    ----------
    stress : StressResult, optional
        From :func:`corridor.risk.stress`.
    frontier : FrontierResult, optional
        From :func:`corridor.risk.frontier.frontier`.
    title : str
        Page title and heading.
    bands : StressBands, optional
        The stress test over joint draws of its estimates (``stress --uncertainty``): a
        section with its bands and the tornado of the drivers of the tail loss.

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
    body = (_stress_section(stress) if stress else "") + (
        _frontier_section(frontier) if frontier else ""
    )
    if bands is not None:
        from corridor.report.uncertainty import stress_bands_section

        body += f'<section id="stress-bands">{stress_bands_section(bands)}</section>'

    meta = (
        f'<p class="meta">{_e(allocation.name or "allocation")} ({_e(allocation.basis)}) · '
        f"network “{_e(net.origin)}” · data version {_e(version[:12])}</p>"
    )
    main = (
        f'{body}\n<section id="sources"><h2>Disruption events and their sources</h2>'
        f"{_sources(net)}</section>"
    )
    return page(title, meta, main, "Generated by corridor. Rules and metrics: docs/risk.md.")
