"""The plan report: one self-contained HTML page with the flows on a map and the LP's answers.

The map draws every link the plan uses, coloured by route family, with a line width that
grows with the square root of the tonnes carried (so a 1,500 t/yr rare-earth flow stays
visible beside a million tonnes of crude). Tables follow: contracts, flows by route,
utilisation and shadow price of every capacity, binding constraints, the cost of each
rule, shortfalls and their causes, the cost breakdown, and the sources of the capacities.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING

from corridor.i18n import catalogue, family_name, localise, t
from corridor.network.model import Link, Network
from corridor.network.names import commodity_name, place_name
from corridor.optimize.capacity import Capacity
from corridor.optimize.plan_result import PlanResult
from corridor.report._format import _word
from corridor.report.html import page, table
from corridor.report.svg import (
    BORDER,
    FAMILY_COLOURS,
    INK,
    LAND,
    MUTED,
    OTHER_COLOUR,
    SEA,
    _frame,
    _graticule,
    _n,
    _outlines,
    _overlaps,
    _ring_path,
    _svg_open,
    country_name,
    node_title,
)
from corridor.uncertainty.labels import element_name, record_name

if TYPE_CHECKING:
    from corridor.analysis.plan_bands import PlanBands

MAX_WIDTH = 14.0
MIN_WIDTH = 1.5
LEGEND_H = 46


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def line_width(t_per_year: float, largest: float) -> float:
    """Stroke width of a flow: square-root scale, ``MIN_WIDTH`` to ``MAX_WIDTH`` px."""
    if largest <= 0:
        return MIN_WIDTH
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.sqrt(max(t_per_year, 0.0) / largest)


def commodity_layer(
    link_flows: Mapping[str, Mapping[str, float]], commodity: str
) -> dict[str, dict[str, float]]:
    """The flows of one commodity only, so that its lines are scaled to its own tonnes
    (1 Mt of crude no longer swamps 1,000 t of uranium)."""
    return {
        link: {commodity: by[commodity]}
        for link, by in link_flows.items()
        if by.get(commodity, 0.0) > 0
    }


def _h(lang: str, *keys: str) -> list[str]:
    """Table headers from ``plan_th_<key>`` messages."""
    return [t(f"plan_th_{k}", lang) for k in keys]


def _layer(result: PlanResult, commodity: str, lang: str = "en") -> str:
    layer = commodity_layer(result.link_flows, commodity)
    svg = flow_map(result.network, layer, 640, 400, lang)
    name = commodity_name(result.network, commodity, lang)
    return (
        f'<figure data-commodity="{_e(commodity)}">{svg}<figcaption>'
        f"{_e(t('plan_layer_caption', lang, name=name))}</figcaption></figure>"
    )


def _commodity(net: Network, commodity: str, lang: str) -> str:
    """A commodity as a map tooltip names it: its id in English, its name in Japanese."""
    if lang == "en" or not net.has("commodities", commodity):
        return commodity
    return net.commodity(commodity).name_ja or commodity


def _link_name(net: Network, link: Link, lang: str) -> str:
    """A link as a map tooltip names it: its id in English; in Japanese its two ends by
    name and the id after them."""
    if lang == "en":
        return link.id
    a, b = (place_name(net.node(n), lang) for n in (link.from_, link.to))
    return f"{a} – {b}, {link.id}"


def capacity_name(net: Network, cap: Capacity, lang: str) -> str:
    """A capacity by name in ``lang``: its node, its group or its links (``cap.name`` in
    English)."""
    if lang == "en":
        return cap.name
    if cap.kind == "node" and cap.node:
        return place_name(net.node(cap.node), lang)
    if cap.kind == "group":
        return element_name(net, cap.id, lang)
    return "、".join(record_name(net, "links", k, lang) for k in cap.links[:3]) or cap.id


def flow_map(
    net: Network,
    link_flows: Mapping[str, Mapping[str, float]],
    width: int = 1000,
    height: int = 560,
    lang: str = "en",
) -> str:
    """Draw the links a plan uses, line width by tonnes per year, as one inline SVG.

    Parameters
    ----------
    net : Network
        Network of the plan (link geometry, node names).
    link_flows : mapping
        Link id -> commodity -> tonnes per year (``PlanResult.link_flows``); at least one.
    width, height : int
        Size in pixels, legend included.
    lang : str
        Language of the legend and the title.

    Returns
    -------
    str
        An ``<svg>`` element; each link is a ``<path class="flow" data-link=...>`` with a
        ``<title>`` giving its tonnes by commodity.
    """
    totals = {k: sum(v.values()) for k, v in link_flows.items() if sum(v.values()) > 0}
    if not totals:
        raise ValueError("flow_map needs at least one link with a flow")
    links = [net.link(k) for k in totals]
    places = [
        net.node(n) for n in dict.fromkeys(n for link in links for n in (link.from_, link.to))
    ]
    points = [p for link in links for p in link.geometry] + [(n.lon, n.lat) for n in places]
    map_h = height - LEGEND_H
    frame = _frame(points, width, map_h)
    largest = max(totals.values())
    out = [_svg_open(width, height, t("plan_map_aria", lang))]
    out.append(f'<rect width="{width}" height="{_n(map_h)}" fill="{SEA}"/>')
    out.append(f'<g fill="{LAND}" stroke="{BORDER}" stroke-width="0.8">')
    for c in _outlines().countries:
        if _overlaps(c.bbox, frame.bounds):
            d = "".join(_ring_path(frame, ring) for ring in c.rings)
            name = country_name(net, c.iso2, c.name, lang)
            out.append(f'<path fill-rule="evenodd" d="{d}"><title>{_e(name)}</title></path>')
    out.append(f'</g><g stroke="#d9d9d9" stroke-width="0.5" fill="{MUTED}" font-size="10">')
    out.extend(_graticule(frame))
    out.append('</g><g fill="none" stroke-linecap="round" stroke-linejoin="round">')
    for link in sorted(links, key=lambda lk: -totals[lk.id]):
        d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in (frame.xy(*p) for p in link.geometry))
        colour = FAMILY_COLOURS.get(link.family, OTHER_COLOUR)
        by = ", ".join(
            f"{_commodity(net, c, lang)} {t:,.0f}" for c, t in link_flows[link.id].items()
        )
        out.append(
            f'<path class="flow" data-link="{_e(link.id)}" d="{d}" stroke="{colour}" '
            f'stroke-opacity="0.85" stroke-width="{line_width(totals[link.id], largest):.2f}">'
            f"<title>{_e(_link_name(net, link, lang))} ({_e(link.service or link.mode)}): "
            f"{totals[link.id]:,.0f} t/yr — {_e(by)}</title></path>"
        )
    out.append(f'</g><g fill="#ffffff" stroke="{INK}" stroke-width="1.2">')
    for node in places:
        x, y = frame.xy(node.lon, node.lat)
        out.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5"><title>{_e(node_title(node, lang))} '
            f"({_e(node.id)})</title></circle>"
        )
    out.append("</g>")
    out.extend(_legend(largest, map_h, width, lang))
    out.append("</svg>")
    return "".join(out)


def _legend(largest: float, top: float, width: int, lang: str = "en") -> list[str]:
    box = f'<rect y="{_n(top)}" width="{width}" height="{LEGEND_H}" fill="#fff"/>'
    out = [f'<g font-size="12" fill="{INK}">{box}']
    x = 8.0
    for share in (1.0, 0.25, 0.01):
        tonnes = largest * share
        y = top + 22
        w = line_width(tonnes, largest)
        label = t("plan_t_yr", lang, t=f"{tonnes:,.0f}")
        out.append(
            f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 40)}" y2="{_n(y)}" stroke="{INK}" '
            f'stroke-width="{w:.2f}"/><text x="{_n(x + 48)}" y="{_n(y + 4)}">{label}</text>'
        )
        x += 170
    for fam, colour in FAMILY_COLOURS.items():
        out.append(
            f'<rect x="{_n(x)}" y="{_n(top + 15)}" width="14" height="14" fill="{colour}"/>'
            f'<text x="{_n(x + 19)}" y="{_n(top + 27)}">{_e(family_name(fam, lang))}</text>'
        )
        x += 115
    out.append("</g>")
    return out


def _t(v: float) -> str:
    return f"{v:,.0f}"


def _contracts(result: PlanResult, lang: str) -> str:
    head = _h(lang, "contract", "commodity", "volume", "delivered", "short", "usd_yr")
    names = {
        c.id: commodity_name(result.network, c.commodity, lang) for c in result.portfolio.contracts
    }
    rows = [
        [
            r["contract"],
            names.get(r["contract"], r["commodity"]),
            _t(r["volume_t_per_year"]),
            _t(r["delivered_t_per_year"]),
            _t(r["short_t_per_year"]),
            _t(r["cost_usd_per_year"]),
            "—" if r["mean_cost_usd_per_t"] is None else f"{r['mean_cost_usd_per_t']:,.2f}",
            t("plan_illustrative" if r["illustrative"] else "plan_sourced", lang),
        ]
        for r in result.contract_rows()
    ]
    return table([*head, *_h(lang, "mean_usd_t", "volume_kind")], rows, {2, 3, 4, 5, 6})


def _flows(result: PlanResult, lang: str) -> str:
    rows = [
        [
            f.contract,
            f.route.label if lang == "en" else f.route.label_in(lang),
            _t(f.t_per_year),
            f"{f.cost_usd_per_t:,.2f}",
            _t(f.t_per_year * f.cost_usd_per_t),
            " ".join(f.route.countries),
            " ".join(f.route.chokepoints),
        ]
        for f in result.flows
    ]
    head = _h(lang, "contract", "route", "t_yr", "usd_t", "usd_yr", "countries", "chokepoints")
    return table(head, rows, {2, 3, 4})


def _utilisation(result: PlanResult, lang: str) -> str:
    util = sorted(result.utilisation, key=lambda u: (-u.shadow_price_usd_per_t, u.capacity.id))
    rows = []
    for u in util:
        cap = u.capacity.capacity_t_per_year
        rows.append(
            [
                u.capacity.id,
                capacity_name(result.network, u.capacity, lang),
                _t(cap),
                _t(u.used_t_per_year),
                f"{u.used_t_per_year / cap:.0%}" if cap else "—",
                f"{u.shadow_price_usd_per_t:,.2f}",
                ", ".join(u.capacity.sources),
                u.capacity.note,
            ]
        )
    head = _h(lang, "capacity", "what", "capacity_t", "used_t", "used", "shadow_t", "sources")
    return table([*head, *_h(lang, "note")], rows, {2, 3, 4, 5})


def _bindings(result: PlanResult, lang: str) -> str:
    if not result.bindings:
        return f"<p>{_e(t('plan_no_binding', lang))}</p>"
    from corridor.export import SHADOW_UNITS

    words = catalogue(lang) if lang != "en" else {}
    rows = [
        [
            words.get(f"xl_binding_{b.kind}", b.kind),
            localise(b.description, lang),
            f"{b.shadow_price:,.2f}",
            words.get(SHADOW_UNITS.get(b.unit, ""), b.unit),
        ]
        for b in result.bindings
    ]
    return table(_h(lang, "kind", "constraint", "shadow", "unit"), rows, {2})


def _rule_costs(result: PlanResult, lang: str) -> str:
    if not result.rule_costs:
        return f"<p>{_e(t('plan_no_rules', lang))}</p>"
    rows = [
        [
            r.rule.name,
            _t(r.cost_with_usd_per_year),
            _t(r.cost_without_usd_per_year),
            _t(r.cost_usd_per_year),
            _t(r.short_t_per_year),
        ]
        for r in result.rule_costs
    ]
    head = _h(lang, "rule", "with", "without", "rule_cost", "held_back")
    return table(head, rows, {1, 2, 3, 4})


def _shortfalls(result: PlanResult, lang: str) -> str:
    if not result.shortfalls:
        return f"<p>{_e(t('plan_all_delivered', lang))}</p>"
    items = "".join(
        f"<li><strong>{_e(s.contract)}</strong>: "
        + _e(
            t(
                "plan_shortfall_item",
                lang,
                short=_t(s.short_t_per_year),
                volume=_t(s.volume_t_per_year),
                causes="; ".join(str(localise(c, lang)) for c in s.causes),
            )
        )
        + "</li>"
        for s in result.shortfalls
    )
    return f"<ul>{items}</ul>"


def _breakdown(result: PlanResult, lang: str) -> str:
    parts = sorted(result.cost_breakdown.items(), key=lambda kv: -kv[1])
    rows = [[_word("comp", k, lang), _t(v)] for k, v in parts if round(v)]
    return table(_h(lang, "component", "usd_yr"), rows, {1})


SECTIONS = (  # heading key, intro key ("" for none), renderer
    ("plan_h_contracts", "", _contracts),
    ("plan_h_flows", "", _flows),
    ("plan_h_capacities", "plan_i_capacities", _utilisation),
    ("plan_h_bindings", "", _bindings),
    ("plan_h_rule_costs", "plan_i_rule_costs", _rule_costs),
    ("plan_h_shortfalls", "", _shortfalls),
    ("plan_h_breakdown", "", _breakdown),
)


def _sections(result: PlanResult, lang: str = "en") -> str:
    return "".join(
        f"<h2>{_e(t(title, lang))}</h2>"
        + (f"<p>{_e(t(intro, lang))}</p>" if intro else "")
        + render(result, lang)
        for title, intro, render in SECTIONS
    )


def _sources(result: PlanResult, lang: str = "en") -> str:
    net = result.network
    ids = sorted({s for u in result.utilisation for s in u.capacity.sources})
    ids += sorted({s for f in result.flows for s in f.route.sources} - set(ids))
    items = []
    for sid in ids:
        src = net.source(sid)
        url = f' <a href="{_e(src.url)}">{_e(src.url)}</a>' if src.url.startswith("http") else ""
        method = _e(t("plan_method", lang, method=src.method)) if src.method else ""
        items.append(
            f"<li><strong>{_e(sid)}</strong> — {_e(src.citation)}{url} ({src.year}, "
            f"{_e(_word('srckind', src.kind, lang))}).{method}</li>"
        )
    return '<ol class="sources">' + "".join(items) + "</ol>"


def render_plan_report(
    result: PlanResult,
    bands: PlanBands | None = None,
    title: str | None = None,
    lang: str = "en",
) -> str:
    """Render a plan as one self-contained offline HTML page.

    Parameters
    ----------
    result : PlanResult
        The plan (from :func:`corridor.optimize.plan`).
    bands : PlanBands, optional
        The plan over joint draws of the estimates (``plan --uncertainty``): a section with
        its bands, tornado and drivers.
    title : str, optional
        Page title and heading (default: "corridor volume plan" in ``lang``).
    lang : str
        Language of the page: ``"en"`` or ``"ja"``.

    Returns
    -------
    str
        A complete HTML document: headline numbers, the flow map (when anything flows),
        then contracts, flows by route, utilisation and shadow prices, binding constraints,
        the cost of each rule, shortfalls, cost breakdown, notes and sources.
    """
    head = result.headline()
    figure = ""
    if result.link_flows:
        svg = flow_map(result.network, result.link_flows, lang=lang)
        figure = f"<figure>{svg}<figcaption>{_e(t('plan_map_caption', lang))}</figcaption></figure>"
        commodities = sorted({c for by in result.link_flows.values() for c in by})
        if len(commodities) > 1:
            figure += '<div class="charts">'
            figure += "".join(_layer(result, c, lang) for c in commodities) + "</div>"
    notes = "".join(f"<li>{_e(localise(n, lang))}</li>" for n in result.notes)
    name = result.portfolio.name or result.portfolio.file or t("plan_python_contracts", lang)
    meta = t(
        "plan_meta",
        lang,
        name=_e(name),
        network=_e(result.network.origin),
        version=_e(result.data_version[:12]),
    )
    summary = t(
        "plan_summary",
        lang,
        cost=_t(head["total_cost_usd_per_year"] or 0),
        delivered=_t(head["delivered_t_per_year"] or 0),
        volume=_t(head["volume_t_per_year"] or 0),
        short=_t(head["shortfall_t_per_year"] or 0),
    )
    main = f"""<section><h2>{_e(t("plan_h_summary", lang))}</h2>
<p>{summary}</p>
{figure}
{_sections(result, lang)}
{_bands_section(bands, lang) if bands is not None else ""}
<h2>{_e(t("plan_h_notes", lang))}</h2><ul>{notes}</ul>
</section>
<section id="sources"><h2>{_e(t("plan_h_sources", lang))}</h2>{_sources(result, lang)}</section>"""
    footer = _e(t("plan_footer", lang))
    title = t("plan_title", lang) if title is None else title
    return page(title, f'<p class="meta">{meta}</p>', main, footer, lang=lang)


def _bands_section(b: PlanBands, lang: str = "en") -> str:
    from corridor.report.uncertainty import study_section

    labels = {
        "total_cost_usd_per_year": t("plan_b_total", lang),
        "delivered_t_per_year": t("plan_b_delivered", lang),
        "shortfall_t_per_year": t("plan_b_short", lang),
    }
    labels |= {
        k: t("plan_b_shadow", lang, capacity=k.split(":", 1)[1])
        for k in b.study.bands
        if k.startswith("shadow:")
    }
    labels |= {
        k: t("plan_b_share", lang, route=k.split(":", 1)[1])
        for k in b.study.bands
        if k.startswith("share:")
    }
    return study_section(
        b.study,
        t("plan_b_heading", lang),
        labels,
        b.probabilities,
        lambda v: f"{v:,.2f}" if abs(v) < 10 else f"{v:,.0f}",
        b.closing_note(),
        t("plan_b_metric", lang),
        lang,
    )
