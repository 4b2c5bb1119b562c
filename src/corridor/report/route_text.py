"""Text pieces of the route report: escaping and numbers, source links, the request line
and the legs table of a route (in the reader's language)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from corridor.analysis.results import Comparison, RouteSet
from corridor.i18n import t
from corridor.network.model import Network
from corridor.network.names import place_name
from corridor.network.regimes import NO_BUYER
from corridor.routing.route import Route


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _num(value: float, digits: int) -> str:
    """Thousands separators and fixed decimals, without a minus on a rounded zero."""
    if round(value, digits) == 0:
        value = 0.0
    return f"{value:,.{digits}f}"


def _usd_t(value: float) -> str:
    return f"USD {_num(value, 0 if abs(value) >= 100 else 2)}/t"


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


def _node_cell(net: Network, node_id: str) -> str:
    node = net.node(node_id)
    return f'{_e(node.name_en)} <small class="id">{_e(node.id)}</small> {_provenance(node.sources)}'


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
        parts = " + ".join(f"{k} {_num(v, 2)}" for k, v in leg.parts.items() if v)
        rows.append(
            f'<tr class="{_e(leg.kind)}"><td>{_node_cell(net, leg.from_)}</td>'
            f"<td>{_node_cell(net, leg.to)}</td><td>{_e(leg.mode)}</td><td>{_e(leg.what)}</td>"
            f'<td class="n">{_num(leg.distance_km, 0)}</td>'
            f'<td class="n" title="{_e(parts)}">{_num(leg.cost_usd_per_t, 2)}</td>'
            f'<td class="n">{_num(leg.days_mean, 2)}</td>'
            f'<td class="n">{_num(leg.days_p95, 2)}</td>'
            f'<td class="n">{_num(leg.co2e_kg_per_t, 1)}</td><td>{link_cell}</td></tr>'
        )
    commodity = net.commodity(route.commodity)
    for name, value in route.charges.items():
        rows.append(
            f'<tr class="charge"><td colspan="4">Route charge: {_e(name)} '
            f"{_provenance(commodity.sources)}</td>"
            f'<td class="n"></td><td class="n">{_num(value, 2)}</td>'
            '<td class="n"></td><td class="n"></td><td class="n"></td><td></td></tr>'
        )
    rows.append(
        '<tr class="total"><td colspan="4">Total</td>'
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
