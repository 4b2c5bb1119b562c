"""One self-contained, offline HTML report of route sets and comparisons.

The page has inline CSS and inline SVG only (a one-line script opens the leg tables before
printing; nothing depends on it), loads nothing from the network, and ends with the
sources of every figure shown and the assumptions the caller states.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from corridor.analysis.results import Comparison, RouteSet
from corridor.i18n import localise, t
from corridor.network.model import Network
from corridor.network.names import event_name, place_name
from corridor.network.regimes import NO_BUYER, RegimeFlag, restriction_word
from corridor.report._format import (
    _days,
    _e,
    _family,
    _num,
    _rule,
    _signed,
    _usd_t,
    _word,
)
from corridor.report._premium import _premium_sentence, _premium_table, _risk_change
from corridor.report.svg import RouteStyle, route_map, route_styles, time_cost_distance_chart
from corridor.risk.measures import ComparedMeasures, compare_measures
from corridor.routing.route import Route

CSS = """
:root { --ink: #1b1b1b; --muted: #5a5a5a; --rule: #d4d4d4; --head: #f2f2f2; --accent: #0b4f8a; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem 2rem 3rem; color: var(--ink);
  background: #fff; font: 17px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Arial,
  sans-serif; }
h1 { font-size: 2.1rem; line-height: 1.2; margin: .3rem 0 .5rem; }
h2 { font-size: 1.6rem; margin: 2.8rem 0 .6rem; padding-bottom: .25rem;
  border-bottom: 3px solid var(--ink); }
h3 { font-size: 1.2rem; margin: 1.8rem 0 .5rem; }
a { color: var(--accent); }
p.meta, .muted { color: var(--muted); }
h2 .muted { font-weight: 400; font-size: .8em; }
figure { margin: 1rem 0 1.5rem; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
svg { display: block; max-width: 100%; height: auto; }
figure > svg { width: 100%; }
svg.swatch { display: inline-block; vertical-align: middle; margin-right: .35em; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr));
  gap: 1.2rem; }
.wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .92rem;
  font-variant-numeric: tabular-nums; }
th, td { padding: .4em .55em; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
thead th { background: var(--head); border-bottom: 2px solid var(--ink); font-weight: 600; }
tbody tr:nth-child(even) { background: #fafafa; }
th.n, td.n { text-align: right; }
td.n { white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid var(--ink); }
tr.charge td { font-style: italic; }
td.label { min-width: 13em; }
small.src, small.id { color: var(--muted); white-space: nowrap; }
small.src a { text-decoration: none; }
ul.findings li { margin: .35rem 0; }
details { margin: .7rem 0; padding: .35rem .9rem; border: 1px solid var(--rule);
  border-radius: 4px; }
details[open] { padding-bottom: .8rem; }
summary { cursor: pointer; font-weight: 600; }
ul.conditions { margin: .2em 0 0; padding-left: 1.1em; font-size: .85em; color: #8a4b00; }
ol.sources li { margin: .5rem 0; }
ol.sources li:target { background: #fff6cc; }
dl.assumptions dt { font-weight: 600; margin-top: .6rem; }
dl.assumptions dd { margin: .1rem 0 0 1.5rem; }
footer { margin-top: 3rem; padding-top: .6rem; border-top: 1px solid var(--rule);
  color: var(--muted); font-size: .85rem; }
@media (min-width: 1700px) { body { max-width: 1500px; font-size: 20px; } }
@media print {
  @page { margin: 14mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  main > section:not(:first-child) > h2 { break-before: page; }
  h2, h3 { break-after: avoid; }
  figure, tr, details, .premium li { break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
  details { border: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  ol.sources a[href^="http"]::after { content: " <" attr(href) ">"; word-break: break-all; }
  nav.toc { display: none; }
}
"""

OPEN_FOR_PRINT = (
    '<script>addEventListener("beforeprint",function(){'
    'document.querySelectorAll("details").forEach(function(d){d.open=true})})</script>'
)
"""Opens the collapsed leg tables before printing (the page works without it)."""


def table(head: Sequence[str], rows: Iterable[Sequence[object]], numeric: set[int]) -> str:
    """A plain table of text cells (escaped here); columns in ``numeric`` align right."""
    cls = [' class="n"' if i in numeric else "" for i in range(len(head))]
    th = "".join(f"<th{c}>{_e(h)}</th>" for h, c in zip(head, cls, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{c}>{_e(v)}</td>" for v, c in zip(r, cls, strict=True)) + "</tr>"
        for r in rows
    )
    return (
        f'<div class="wrap"><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>'
    )


def page(title: str, meta: str, main: str, footer: str, script: str = "", lang: str = "en") -> str:
    """One complete, self-contained HTML document: the shell every corridor report shares.

    Parameters
    ----------
    title : plain text (escaped here).
    meta, main, footer, script : HTML fragments, already escaped by the caller: the line under
        the title, the body, the footer text and an optional inline script.
    """
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>{_e(title)}</h1>
{meta}</header>
<main>
{main}
</main>
<footer>{footer}</footer>
{script}
</body>
</html>
"""


def _swatch(style: RouteStyle) -> str:
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return (
        '<svg class="swatch" width="34" height="10" viewBox="0 0 34 10" aria-hidden="true">'
        f'<line x1="1" y1="5" x2="33" y2="5" stroke="{style.colour}" stroke-width="4"{dash}/>'
        "</svg>"
    )


def _provenance(prov: Mapping[str, tuple[str, ...]]) -> str:
    """Source ids behind a table row, linked to the Sources section."""
    columns: dict[str, list[str]] = {}
    for column, ids in prov.items():
        for sid in ids:
            columns.setdefault(sid, []).append(column)
    links = (
        f'<a href="#src-{_e(sid)}" title="{_e(sid)}: {_e(", ".join(cols))}">{_e(sid)}</a>'
        for sid, cols in sorted(columns.items())
    )
    return f'<small class="src">[{", ".join(links)}]</small>' if columns else ""


def _row_source_ids(prov: Mapping[str, tuple[str, ...]]) -> set[str]:
    return {sid for ids in prov.values() for sid in ids}


def _used_sources(sections: Sequence[Comparison | RouteSet], net: Network) -> list[str]:
    """Every source id of the routes shown and of the rows their leg tables cite."""
    used: set[str] = set()
    for section in sections:
        used |= _row_source_ids(net.commodity(section.request.commodity).sources)
        for route in section.routes:
            used.update(route.sources)
            for leg in route.legs:
                used |= _row_source_ids(net.node(leg.from_).sources)
                used |= _row_source_ids(net.node(leg.to).sources)
                if leg.link:
                    link = net.link(leg.link)
                    used |= _row_source_ids(link.sources)
                    used |= _row_source_ids(net.emission_factor(link.emission_factor).sources)
    return sorted(used)


# --------------------------------------------------------------------------- tables


def _regime_cell(flags: Sequence[RegimeFlag], net: Network, lang: str = "en") -> str:
    """The regimes a route meets: effect and id, with the regime's name and lead time on hover."""
    if not flags:
        return "—"
    items = []
    for f in flags:
        days = f"{f.lead_time_days:g}"
        lead = t("rep_regime_title_lead", lang, days=days) if f.lead_time_days else ""
        if lang == "en":  # ids, as before
            name, touches, restricts = f.name_en, ", ".join(f.touches), ", ".join(f.restricts)
        else:
            name = f.name_ja or f.name_en
            touches = "、".join(_exposure_name(net, x, lang) for x in f.touches)
            restricts = "、".join(restriction_word(w, lang) for w in f.restricts)
        title = t(
            "rep_regime_title", lang, name=name, touches=touches, restricts=restricts, lead=lead
        )
        items.append(f'<span class="regime" title="{_e(title)}">{_e(f.short_in(lang))}</span>')
    return "<br>".join(items)


def _conditions(route: Route, lang: str = "en") -> str:
    """The route's conditions (approval, charter only, seasonal) under its name."""
    if not route.conditions:
        return ""
    items = "".join(
        f'<li data-kind="{_e(c.kind)}">{_e(text)}</li>'
        for c in route.conditions
        for text in (c.text_ja if lang == "ja" and c.text_ja else c.text_en,)
    )
    return f'<ul class="conditions">{items}</ul>'


def _summary(sections: Sequence[Comparison | RouteSet], net: Network, lang: str = "en") -> str:
    """What the report finds, first: per section the cheapest route and the premiums."""
    items = []
    for s in sections:
        if not s.routes:
            continue
        req = s.request
        best = min(s.routes, key=lambda r: r.cost_usd_per_t)
        head = _e(
            t(
                "rep_summary_item",
                lang,
                commodity=_commodity(net, req.commodity, lang),
                origin=place_name(net.node(req.origin), lang),
                destination=place_name(net.node(req.destination), lang),
                route=best.label_in(lang),
                cost=_usd_t(best.cost_usd_per_t),
                days=_days(best.days_mean, lang),
            )
        )
        extra = []
        for alt in getattr(s, "premium", ()):
            if alt.route is not None and alt.premium_usd_per_t is not None:
                extra.append(
                    f"{_e(_rule(alt.name, lang))} {_signed(alt.premium_usd_per_t, 0)} USD/t"
                )
            else:
                extra.append(_e(t("rep_no_route", lang, rule=_rule(alt.name, lang))))
        items.append(f"<li>{head}" + (f" ({'; '.join(extra)})" if extra else "") + "</li>")
    return (
        f'<section id="summary"><h2>{_e(t("rep_summary", lang))}</h2>'
        f'<ul class="findings">{"".join(items)}</ul></section>'
    )


def _commodity(net: Network, commodity: str, lang: str) -> str:
    c = net.commodity(commodity)
    return c.name_ja if lang == "ja" and c.name_ja else c.name_en


def _route_table(
    routes: Sequence[Route],
    styles: Sequence[RouteStyle],
    net: Network,
    flags: Sequence[Sequence[RegimeFlag]] = (),
    lang: str = "en",
    measures: ComparedMeasures | None = None,
) -> str:
    """The routes with the comparison measures of docs/risk.md#comparison-measures (not the
    chance of any disruption, near 1 on every route); shared exposures are stated apart."""
    cols = (
        ("route", ""), ("family", ""), ("cost", "n"), ("days_mean", "n"), ("days_p95", "n"),
        ("co2e", "n"), ("distance", "n"), ("countries", ""), ("chokepoints", ""),
        ("p_long", "n"), ("tonne_days", "n"), ("stockout", "n"), ("regimes", ""),
    )  # fmt: skip
    m = measures if measures is not None else compare_measures(net, routes)
    head = (
        "<tr><th>#</th>"
        + "".join(
            f"<th{' class=' + chr(34) + c + chr(34) if c else ''}>{_e(t('rep_th_' + k, lang))}</th>"
            for k, c in cols
        )
        + "</tr>"
    )
    rows = []
    for rank, (route, style) in enumerate(zip(routes, styles, strict=True), 1):
        met = flags[rank - 1] if rank - 1 < len(flags) else ()
        choke = ", ".join(
            f'<span title="{_e(c)}">{_e(_exposure_name(net, c, lang))}</span>'
            for c in route.chokepoints
        )
        rows.append(
            f'<tr data-route="{rank}"><td>{rank}</td>'
            f'<td class="label" title="{_e(" › ".join(route.gateways))}">'
            f"{_swatch(style)}{_e(route.label_in(lang))}{_conditions(route, lang)}</td>"
            f"<td>{_e(_family(route.family, lang))}</td>"
            f'<td class="n">{_num(route.cost_usd_per_t, 2)}</td>'
            f'<td class="n">{_num(route.days_mean, 1)}</td>'
            f'<td class="n">{_num(route.days_p95, 1)}</td>'
            f'<td class="n">{_num(route.co2e_kg_per_t, 1)}</td>'
            f'<td class="n">{_num(route.distance_km, 0)}</td>'
            f"<td>{_e(' › '.join(_exposure_name(net, c, lang) for c in route.countries))}</td>"
            f"<td>{choke or '—'}</td>"
            f'<td class="n">{_num(m.routes[rank - 1].p_long_interruption * 100, 1)} %</td>'
            f'<td class="n">{_num(m.routes[rank - 1].tonne_days_per_t, 2)}</td>'
            f'<td class="n">{_num(m.routes[rank - 1].stockout_days, 2)}</td>'
            f"<td>{_regime_cell(met, net, lang)}</td></tr>"
        )
    shared = ""
    if m.shared.events:
        shared = (
            '<p class="note">'
            + _e(
                t(
                    "rep_risk_shared",
                    lang,
                    events=", ".join(_event_name(net, e, lang) for e in m.shared.events),
                    tonne_days=_num(m.shared.tonne_days_per_t, 2),
                    stockout=_num(m.shared.stockout_days, 2),
                    stock=_num(m.stock_days, 0),
                )
            )
            + "</p>"
        )
    return (
        f'<div class="wrap"><table class="routes"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>{shared}"
    )


def _event_name(net: Network, event_id: str, lang: str) -> str:
    """An event's name for a reader of ``lang`` (its id where it has none)."""
    return event_name(net.event(event_id), lang) if net.has("events", event_id) else event_id


def _exposure_name(net: Network, exposure: str, lang: str) -> str:
    """A country or chokepoint by name (the id where the tables have no name for it)."""
    if not net.has("exposures", exposure):
        return exposure
    e = net.exposure(exposure)
    if lang == "en":
        return exposure if len(exposure) == 2 else e.name_en  # countries by code, as before
    return e.name_ja or e.name_en


def _node_cell(net: Network, node_id: str, lang: str = "en") -> str:
    node = net.node(node_id)
    name = node.name_en if lang == "en" else node.name_ja or node.name_en
    return f'{_e(name)} <small class="id">{_e(node.id)}</small> {_provenance(node.sources)}'


def _leg_table(route: Route, net: Network, lang: str = "en") -> str:
    def th(key: str, numeric: bool = False) -> str:
        cls = ' class="n"' if numeric else ""
        return f"<th{cls}>{_e(t(key, lang))}</th>"

    head = (
        f"<tr>{th('rep_th_from')}{th('rep_th_to')}{th('rep_th_mode')}{th('rep_th_what')}"
        '<th class="n">km</th><th class="n">USD/t</th>'
        f"{th('rep_th_days_mean', True)}{th('rep_th_days_p95', True)}{th('rep_th_co2e', True)}"
        f"{th('rep_th_link')}</tr>"
    )
    rows = []
    for leg in route.legs:
        link_cell = "—"
        if leg.link:
            link = net.link(leg.link)
            factor = net.emission_factor(link.emission_factor)
            link_cell = (
                f"{_e(link.id)} {_provenance(link.sources)}<br>"
                f'<small class="id">CO2e: {_e(factor.id)}</small> {_provenance(factor.sources)}'
            )
        parts = " + ".join(
            f"{_word('comp', k, lang)} {_num(v, 2)}" for k, v in leg.parts.items() if v
        )
        rows.append(
            f'<tr class="{_e(leg.kind)}"><td>{_node_cell(net, leg.from_, lang)}</td>'
            f"<td>{_node_cell(net, leg.to, lang)}</td><td>{_e(_word('mode', leg.mode, lang))}</td>"
            f"<td>{_e(leg.what if lang == 'en' else leg.what_ja or leg.what)}</td>"
            f'<td class="n">{_num(leg.distance_km, 0)}</td>'
            f'<td class="n" title="{_e(parts)}">{_num(leg.cost_usd_per_t, 2)}</td>'
            f'<td class="n">{_num(leg.days_mean, 2)}</td>'
            f'<td class="n">{_num(leg.days_p95, 2)}</td>'
            f'<td class="n">{_num(leg.co2e_kg_per_t, 1)}</td><td>{link_cell}</td></tr>'
        )
    commodity = net.commodity(route.commodity)
    for name, value in route.charges.items():
        rows.append(
            f'<tr class="charge"><td colspan="4">'
            f"{_e(t('rep_route_charge', lang, name=_word('comp', name, lang)))} "
            f"{_provenance(commodity.sources)}</td>"
            f'<td class="n"></td><td class="n">{_num(value, 2)}</td>'
            '<td class="n"></td><td class="n"></td><td class="n"></td><td></td></tr>'
        )
    rows.append(
        f'<tr class="total"><td colspan="4">{_e(t("rep_total", lang))}</td>'
        f'<td class="n">{_num(route.distance_km, 0)}</td>'
        f'<td class="n">{_num(route.cost_usd_per_t, 2)}</td>'
        f'<td class="n">{_num(route.days_mean, 2)}</td>'
        f'<td class="n">{_num(route.days_p95, 2)}</td>'
        f'<td class="n">{_num(route.co2e_kg_per_t, 1)}</td><td></td></tr>'
    )
    return (
        f'<div class="wrap"><table class="legs"><thead>{head}</thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


# --------------------------------------------------------------------------- premium


def _request_line(section: Comparison | RouteSet, net: Network, lang: str = "en") -> str:
    req = section.request

    def node(node_id: str) -> str:
        n = net.node(node_id)
        return _e(n.name_en if lang == "en" else place_name(n, lang))

    def exposure(x: str) -> str:
        e = net.exposure(x)
        return _e(e.name_en if lang == "en" else e.name_ja or e.name_en)

    comma = ", " if lang == "en" else "、"
    parts = [
        t(
            "rep_req_from_to",
            lang,
            origin=node(req.origin),
            origin_id=_e(req.origin),
            destination=node(req.destination),
            destination_id=_e(req.destination),
        )
    ]
    if req.avoid:
        parts.append(t("rep_req_avoiding", lang, names=comma.join(map(exposure, req.avoid))))
    if req.penalise:
        items = comma.join(f"{exposure(x)} {_usd_t(p)}" for x, p in req.penalise)
        parts.append(t("rep_req_penalising", lang, items=items))
    if req.volume_t_per_year:
        parts.append(t("rep_req_volume", lang, volume=_num(req.volume_t_per_year, 0)))
    if req.buyer == NO_BUYER:
        parts.append(t("rep_req_no_buyer", lang))
    else:
        parts.append(t("rep_req_buyer", lang, buyer=_e(req.buyer)))
    if lang == "en":
        return "; ".join(parts) + "."
    return "；".join(parts) + "。"


def _toc_place(net: Network, node_id: str, lang: str) -> str:
    node = net.node(node_id)
    return node.name_en if lang == "en" else place_name(node, lang)


def _kind(section: Comparison | RouteSet, lang: str = "en") -> str:
    return t("rep_kind_compare" if isinstance(section, Comparison) else "rep_kind_routes", lang)


def _section(index: int, section: Comparison | RouteSet, net: Network, lang: str = "en") -> str:
    req = section.request
    routes = section.routes
    styles = route_styles(routes)
    commodity = net.commodity(req.commodity)
    origin, dest = net.node(req.origin).name_en, net.node(req.destination).name_en
    if lang != "en":
        origin = place_name(net.node(req.origin), lang)
        dest = place_name(net.node(req.destination), lang)
    cname = _commodity(net, commodity.id, lang)
    out = [
        f'<section class="section" id="section-{index}">',
        f"<h2>{_e(cname)}: {_e(origin)} → {_e(dest)} "
        f'<span class="muted">· {_e(_kind(section, lang))}</span></h2>',
        f'<p class="meta">{_request_line(section, net, lang)} ',
    ]
    if isinstance(section, Comparison):
        out.append(f"{_e(t('rep_compare_intro', lang))}</p>")
    else:
        key = "rep_routes_ranked_one" if len(routes) == 1 else "rep_routes_ranked"
        out.append(f"{_e(t(key, lang, n=len(routes)))}</p>")
    if section.notes:
        out.append(
            "<ul>" + "".join(f"<li>{_e(localise(n, lang))}</li>" for n in section.notes) + "</ul>"
        )
    out.append(
        f'<figure class="map">{route_map(net, routes, lang=lang)}<figcaption>'
        f"{_e(t('rep_map_caption', lang))}</figcaption></figure>"
    )
    out.append(f"<h3>{_e(t('rep_routes_compared', lang))}</h3>")
    measures = section.measures if isinstance(section, Comparison) else None
    measures = measures if measures is not None else compare_measures(net, routes)
    out.append(_route_table(routes, styles, net, section.compliance, lang, measures))
    if isinstance(section, Comparison):
        cheapest = section.cheapest
        changes = [_risk_change(a, cheapest, net, routes, measures) for a in section.premium]
        volume = req.volume_t_per_year
        out.append(f"<h3>{_e(t('rep_price_avoiding', lang))}</h3>")
        out.append(
            f"<p>Against the cheapest route, {_e(cheapest.label)} at "
            f"{_usd_t(cheapest.cost_usd_per_t)} and {_days(cheapest.days_mean)}:</p>"
            if lang == "en"
            else "<p>"
            + _e(
                t(
                    "rep_against",
                    lang,
                    route=cheapest.label_in(lang),
                    cost=_usd_t(cheapest.cost_usd_per_t),
                    days=_days(cheapest.days_mean, lang),
                )
            )
            + "</p>"
        )
        out.append(
            '<ul class="findings premium">'
            + "".join(
                f"<li>{_premium_sentence(a, cheapest, volume, lang, c)}</li>"
                for a, c in zip(section.premium, changes, strict=True)
            )
            + "</ul>"
        )
        out.append(_premium_table(section.premium, volume, lang, changes))
        if section.uncertainty is not None:
            from corridor.report.uncertainty import uncertainty_section

            out.append(uncertainty_section(section.uncertainty, lang))
        if section.unavailable:
            out.append(f'<h3>{_e(t("rep_families_no_route", lang))}</h3><ul class="findings">')
            out.extend(
                f"<li><strong>{_e(_family(fam, lang))}</strong>: {_e(localise(why, lang))}</li>"
                for fam, why in section.unavailable.items()
            )
            out.append("</ul>")
    out.append(
        f'<h3>{_e(t("rep_cost_time", lang))}</h3><div class="charts">'
        f'<figure class="chart">{time_cost_distance_chart(routes, "cost", lang=lang)}'
        f"<figcaption>{_e(t('rep_chart_cost_caption', lang))}</figcaption></figure>"
        f'<figure class="chart">{time_cost_distance_chart(routes, "days", lang=lang)}'
        f"<figcaption>{_e(t('rep_chart_days_caption', lang))}</figcaption></figure></div>"
    )
    out.append(f"<h3>{_e(t('rep_legs', lang))}</h3>")
    for rank, (route, style) in enumerate(zip(routes, styles, strict=True), 1):
        out.append(
            f'<details data-route="{rank}"><summary>{_swatch(style)}{rank}. '
            f"{_e(route.label_in(lang))} — "
            f"{_usd_t(route.cost_usd_per_t)}, {_days(route.days_mean, lang)}</summary>"
            f"{_leg_table(route, net, lang)}</details>"
        )
    out.append("</section>")
    return "\n".join(out)


def _sources(ids: Sequence[str], net: Network) -> str:
    items = []
    for sid in ids:
        src = net.source(sid)
        citation = src.citation if src.citation.endswith((".", "!", "?")) else src.citation + "."
        if src.url.startswith(("https://", "http://")):
            url = f' <a href="{_e(src.url)}">{_e(src.url)}</a>'
        else:
            url = f" {_e(src.url)}" if src.url else ""
        method = f" Method: {_e(src.method)}" if src.method else ""
        items.append(
            f'<li id="src-{_e(sid)}"><strong>{_e(sid)}</strong> — {_e(citation)}{url} '
            f"<br>Year: {src.year}. Kind: {_e(src.kind)}.{method}</li>"
        )
    return '<ol class="sources">' + "".join(items) + "</ol>"


def render_report(
    sections: Sequence[Comparison | RouteSet],
    net: Network,
    title: str,
    assumptions: dict[str, str] | None = None,
    lang: str = "en",
) -> str:
    """Render comparisons and route sets as one self-contained offline HTML page.

    In Japanese (``lang="ja"``) the summary, headings, tables, route and place names and the
    no-route reasons are Japanese; the explanatory sentences and captions are still English.

    Parameters
    ----------
    sections : sequence of Comparison or RouteSet
        One report section each (results of :func:`corridor.analysis.compare`,
        :func:`corridor.analysis.routes` or :func:`corridor.analysis.pareto`), computed on ``net``.
    net : Network
        The network the results come from (names, sources, link and node details).
    title : str
        Page title and main heading.
    assumptions : dict of str to str, optional
        Name -> text of the assumptions behind the figures, listed at the end.

    Returns
    -------
    str
        A complete HTML document: per section a map, a comparison table, for a
        ``Comparison`` the premium of avoiding China/Russia and the families with no route,
        cost and time charts against distance and the legs of each route with their sources;
        then the Sources (every source id the routes use, with citation, URL, year, kind
        and method) and the Assumptions. All text is HTML-escaped; CSS and SVG are inline;
        nothing is loaded from the network.
    """
    toc = ""
    if len(sections) > 1:
        toc = (
            '<nav class="toc"><ol>'
            + "".join(
                f'<li><a href="#section-{i}">{_e(_commodity(net, s.request.commodity, lang))}: '
                f"{_e(_toc_place(net, s.request.origin, lang))} → "
                f"{_e(_toc_place(net, s.request.destination, lang))} · "
                f"{_e(_kind(s, lang))}</a></li>"
                for i, s in enumerate(sections, 1)
            )
            + "</ol></nav>"
        )
    body = "\n".join(_section(i, s, net, lang) for i, s in enumerate(sections, 1))
    if assumptions:
        assumed = (
            '<dl class="assumptions">'
            + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in assumptions.items())
            + "</dl>"
        )
    else:
        assumed = f"<p>{_e(t('rep_no_assumptions', lang))}</p>"
    origin = _e(localise(net.origin, lang))
    meta = f'<p class="meta">{t("rep_meta", lang, network=origin)}</p>\n{toc}'
    main = f"""{_summary(sections, net, lang)}
{body}
<section id="sources"><h2>{_e(t("rep_sources", lang))}</h2>
<p>{_e(t("rep_sources_intro", lang))}</p>
{_sources(_used_sources(sections, net), net)}
</section>
<section id="assumptions"><h2>{_e(t("rep_assumptions", lang))}</h2>
{assumed}
</section>"""
    footer = _e(t("rep_footer", lang))
    return page(title, meta, main, footer, OPEN_FOR_PRINT, lang)


def write_report(path: str | os.PathLike[str], html: str) -> None:
    """Write a report atomically: never a half-written file at ``path``.

    The text goes to a temporary file in the same folder, is flushed to disk, then
    renamed over ``path`` with :func:`os.replace`; on any error the temporary file is
    removed and an existing report is left untouched.

    Parameters
    ----------
    path : str or path-like
        Where the report goes; missing parent folders are created.
    html : str
        The page, as returned by :func:`render_report`.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(html)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
