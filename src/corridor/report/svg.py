"""Inline SVG figures for the report: a route map and time/cost–distance charts.

Everything is drawn from data held in the package (country outlines in
``assets/countries.json``, Natural Earth via world-atlas, public domain); the SVG loads no
external resource, so it can be embedded in an offline HTML file.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from importlib import resources
from typing import Literal

from corridor.i18n import t
from corridor.network.model import Network, Node
from corridor.network.names import place_name
from corridor.report._format import _word
from corridor.routing.route import Route

Metric = Literal["cost", "days"]

FAMILY_COLOURS = {
    "china": "#d62728",
    "trans_caspian": "#1f77b4",
    "russia": "#7b3294",
    "south": "#f28e0b",
}
"""Route family -> line colour; any other family is drawn in :data:`OTHER_COLOUR`."""

OTHER_COLOUR = "#7f7f7f"
DASHES = ("", "10 5", "3 4", "14 4 3 4", "6 3 2 3 2 3")
"""Dash patterns that tell apart routes of one family (the first route is solid)."""

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
LAND = "#e3e3e3"
BORDER = "#ffffff"
SEA = "#f1f6fa"
INK = "#222222"
MUTED = "#666666"
GRID = "#d9d9d9"
LEGEND_ROW = 20
CHAR_PX = 6.6
"""Rough width of one character of 12 px text, for fitting legend labels."""

_METRICS = ("cost", "days")


@dataclass(frozen=True)
class RouteStyle:
    """How one route is drawn: the same in the map, the charts and the tables."""

    colour: str
    dash: str
    width: float


def route_styles(routes: Sequence[Route]) -> list[RouteStyle]:
    """Colour, dash pattern and line width of each route, by family and rank.

    Parameters
    ----------
    routes : sequence of Route
        Routes in rank order (the first is rank 1).

    Returns
    -------
    list of RouteStyle
        One style per route: the family colour (grey for other families), a dash pattern
        that tells apart several routes of one family, and a thicker line for rank 1.
    """
    seen: dict[str, int] = {}
    out = []
    for rank, route in enumerate(routes, 1):
        n = seen.get(route.family, 0)
        seen[route.family] = n + 1
        colour = FAMILY_COLOURS.get(route.family, OTHER_COLOUR)
        out.append(RouteStyle(colour, DASHES[n % len(DASHES)], 5.0 if rank == 1 else 3.0))
    return out


def _n(v: float) -> str:
    """A coordinate with one decimal."""
    return f"{v:.1f}"


def _money(v: float) -> str:
    return f"USD {v:,.2f}/t"


def _dash_attr(style: RouteStyle) -> str:
    return f' stroke-dasharray="{style.dash}"' if style.dash else ""


def _fit(label: str, px: float) -> str:
    """Shorten ``label`` to about ``px`` pixels of 12 px text (wide CJK characters count
    twice)."""
    room = max(int(px / CHAR_PX), 4)
    used = 0
    for i, ch in enumerate(label):
        used += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used > room - 1 and i < len(label) - 1:
            return label[:i] + "…"
    return label


def _route_title(rank: int, route: Route, lang: str = "en") -> str:
    return t(
        "chart_route_title",
        lang,
        rank=rank,
        route=route.label_in(lang),
        cost=_money(route.cost_usd_per_t),
        days=f"{route.days_mean:.1f}",
        p95=f"{route.days_p95:.1f}",
        km=f"{route.distance_km:,.0f}",
    )


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'font-family="{FONT}" font-size="12">'
    )


def _legend(
    routes: Sequence[Route],
    styles: Sequence[RouteStyle],
    top: float,
    width: int,
    extra: bool,
    lang: str = "en",
) -> list[str]:
    """Legend rows (rank, line sample, label) in one or two columns from ``top`` down."""
    cols = 2 if len(routes) > 3 and width >= 560 else 1
    col_w = (width - 20) / cols
    rows = math.ceil(len(routes) / cols)
    out = []
    for i, (route, style) in enumerate(zip(routes, styles, strict=True)):
        x = 10 + (i // rows) * col_w
        y = top + (i % rows) * LEGEND_ROW + LEGEND_ROW / 2
        text = f"{i + 1}. {route.label_in(lang)}"
        if extra:
            days = t("map_days", lang, days=f"{route.days_mean:.1f}")
            text += f" — {_money(route.cost_usd_per_t)}, {days}"
        out.append(
            f'<g class="legend-item" data-route="{i + 1}">'
            f"<title>{escape(_route_title(i + 1, route, lang))}</title>"
            f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 30)}" y2="{_n(y)}" '
            f'stroke="{style.colour}" stroke-width="{min(style.width, 4):g}"{_dash_attr(style)}/>'
            f'<text x="{_n(x + 38)}" y="{_n(y + 4)}" fill="{INK}">'
            f"{escape(_fit(text, col_w - 48))}</text></g>"
        )
    return out


def _legend_height(routes: Sequence[Route], width: int) -> float:
    cols = 2 if len(routes) > 3 and width >= 560 else 1
    return math.ceil(len(routes) / cols) * LEGEND_ROW + 10


# --------------------------------------------------------------------------- map


@dataclass(frozen=True)
class _Country:
    name: str
    iso2: str | None
    rings: tuple[tuple[tuple[float, float], ...], ...]
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class _Outlines:
    source: str
    countries: tuple[_Country, ...]

    def name_of(self, iso2: str) -> str:
        return next((c.name for c in self.countries if c.iso2 == iso2), iso2)


@cache
def _outlines() -> _Outlines:
    """Country outlines shipped with the package (read once per process)."""
    text = resources.files("corridor.report").joinpath("assets/countries.json").read_text("utf-8")
    data = json.loads(text)
    countries = []
    for c in data["countries"]:
        rings = tuple(tuple((float(p[0]), float(p[1])) for p in ring) for ring in c["rings"])
        lons = [p[0] for ring in rings for p in ring]
        lats = [p[1] for ring in rings for p in ring]
        bbox = (min(lons), min(lats), max(lons), max(lats))
        countries.append(_Country(str(c["name"]), c.get("iso2"), rings, bbox))
    return _Outlines(str(data["source"]), tuple(countries))


@dataclass(frozen=True)
class _Frame:
    """Equirectangular projection (standard parallel at the centre) onto a pixel box."""

    lon_left: float
    lat_top: float
    kx: float
    scale: float
    width: float
    height: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            (lon - self.lon_left) * self.kx * self.scale,
            (self.lat_top - lat) * self.scale,
        )

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Visible lon_min, lat_min, lon_max, lat_max."""
        lon_span = self.width / (self.kx * self.scale)
        lat_span = self.height / self.scale
        return (self.lon_left, self.lat_top - lat_span, self.lon_left + lon_span, self.lat_top)


def _frame(points: Sequence[tuple[float, float]], width: float, height: float) -> _Frame:
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    lon_pad = max((max(lons) - min(lons)) * 0.08, 2.0)
    lat_pad = max((max(lats) - min(lats)) * 0.12, 2.0)
    lon_min, lon_max = min(lons) - lon_pad, max(lons) + lon_pad
    lat_min, lat_max = max(min(lats) - lat_pad, -85.0), min(max(lats) + lat_pad, 85.0)
    kx = math.cos(math.radians((lat_min + lat_max) / 2))
    scale = min(width / ((lon_max - lon_min) * kx), height / (lat_max - lat_min))
    lon_c, lat_c = (lon_min + lon_max) / 2, (lat_min + lat_max) / 2
    lon_left = lon_c - width / (kx * scale) / 2
    lat_top = lat_c + height / scale / 2
    return _Frame(lon_left, lat_top, kx, scale, width, height)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _ring_path(frame: _Frame, ring: Sequence[tuple[float, float]]) -> str:
    pts = [frame.xy(lon, lat) for lon, lat in ring]
    head = f"M{_n(pts[0][0])} {_n(pts[0][1])}L"
    return head + " ".join(f"{_n(x)} {_n(y)}" for x, y in pts[1:]) + "Z"


def _lon_label(lon: float) -> str:
    wrapped = (lon + 180) % 360 - 180
    return f"{abs(wrapped):g}°{'E' if wrapped >= 0 else 'W'}"


def _graticule(frame: _Frame) -> list[str]:
    lon_min, lat_min, lon_max, lat_max = frame.bounds
    step = 10 if lon_max - lon_min > 30 else 5
    out = []
    lon = math.ceil(lon_min / step) * step
    while lon <= lon_max:
        x, _ = frame.xy(lon, 0)
        out.append(
            f'<line x1="{_n(x)}" y1="0" x2="{_n(x)}" y2="{_n(frame.height)}"/>'
            f'<text x="{_n(x + 3)}" y="12">{_lon_label(lon)}</text>'
        )
        lon += step
    lat = math.ceil(lat_min / step) * step
    while lat <= lat_max:
        _, y = frame.xy(0, lat)
        hemi = "N" if lat >= 0 else "S"
        out.append(
            f'<line x1="0" y1="{_n(y)}" x2="{_n(frame.width)}" y2="{_n(y)}"/>'
            f'<text x="3" y="{_n(y - 3)}">{abs(lat):g}°{hemi}</text>'
        )
        lat += step
    return out


def node_title(node: Node, lang: str = "en") -> str:
    """A node's full name for a tooltip: ``name_ja`` in Japanese where it has one."""
    return node.name_ja if lang != "en" and node.name_ja else node.name_en


def country_name(net: Network, iso2: str | None, name: str, lang: str = "en") -> str:
    """A country's name for a tooltip: ``name`` (the outline's, English), in Japanese the
    name of the exposure of that code where the network has one."""
    if lang != "en" and iso2 and net.has("exposures", iso2):
        return net.exposure(iso2).name_ja or name
    return name


def route_map(
    net: Network,
    routes: Sequence[Route],
    width: int = 1000,
    height: int = 560,
    lang: str = "en",
) -> str:
    """Draw routes on a map of the countries they cross, as one inline SVG element.

    The projection is equirectangular (true scale at the middle latitude), fitted to the
    routes' geometry and nodes plus a margin; country outlines come from the packaged
    Natural Earth asset. Routes are coloured by family (see :func:`route_styles`), rank 1
    drawn thickest and on top; a legend band runs along the bottom.

    Parameters
    ----------
    net : Network
        Network the routes were computed on (for node names and countries).
    routes : sequence of Route
        Routes in rank order; at least one.
    width, height : int
        Size of the SVG in pixels (legend included).
    lang : str
        Language of the labels (``"en"`` or ``"ja"``).

    Returns
    -------
    str
        An ``<svg>`` element. Each route is one ``<path class="route" data-route="<rank>">``
        with a ``<title>`` (label, cost, days); each node a ``<circle class="node">`` with a
        ``<title>`` (name, id, country). Nothing external is referenced.

    Raises
    ------
    ValueError
        If ``routes`` is empty.
    """
    if not routes:
        raise ValueError("route_map needs at least one route")
    outlines = _outlines()
    styles = route_styles(routes)
    map_h = height - _legend_height(routes, width)
    node_ids = list(dict.fromkeys(n for r in routes for n in r.nodes))
    nodes = [net.node(n) for n in node_ids]
    points = [p for r in routes for line in r.geometry for p in line]
    points += [(n.lon, n.lat) for n in nodes]
    frame = _frame(points, width, map_h)
    view = frame.bounds
    key = repr((width, height, [r.signature for r in routes])).encode()
    clip = "clip-" + hashlib.sha1(key).hexdigest()[:10]

    labels = "; ".join(r.label_in(lang) for r in routes)
    aria = "Map of the routes: " + labels if lang == "en" else t("map_aria", lang, routes=labels)
    out = [_svg_open(width, height, aria)]
    out.append(
        f'<defs><clipPath id="{clip}"><rect width="{width}" height="{_n(map_h)}"/>'
        "</clipPath></defs>"
    )
    out.append(f'<g clip-path="url(#{clip})">')
    out.append(f'<rect class="sea" width="{width}" height="{_n(map_h)}" fill="{SEA}"/>')
    out.append(f'<g class="countries" fill="{LAND}" stroke="{BORDER}" stroke-width="0.8">')
    for c in outlines.countries:
        if not _overlaps(c.bbox, view):
            continue
        d = "".join(_ring_path(frame, ring) for ring in c.rings)
        out.append(
            f'<path class="country" data-iso2="{escape(c.iso2 or "")}" fill-rule="evenodd" '
            f'd="{d}"><title>{escape(country_name(net, c.iso2, c.name, lang))}</title></path>'
        )
    out.append("</g>")
    out.append(
        f'<g class="graticule" stroke="{GRID}" stroke-width="0.5" fill="{MUTED}" font-size="10">'
    )
    out.extend(_graticule(frame))
    out.append("</g>")

    out.append('<g class="routes" fill="none" stroke-linecap="round" stroke-linejoin="round">')
    for rank in range(len(routes), 0, -1):
        route, style = routes[rank - 1], styles[rank - 1]
        d = "".join(
            "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in (frame.xy(*p) for p in line))
            for line in route.geometry
        )
        out.append(
            f'<path class="casing" d="{d}" stroke="#ffffff" stroke-opacity="0.85" '
            f'stroke-width="{style.width + 3:g}"/>'
        )
        out.append(
            f'<path class="route" data-route="{rank}" data-family="{escape(route.family)}" '
            f'd="{d}" stroke="{style.colour}" stroke-width="{style.width:g}"{_dash_attr(style)}>'
            f"<title>{escape(_route_title(rank, route, lang))}</title></path>"
        )
    out.append("</g>")

    ends = {routes[0].origin, routes[0].destination}
    out.append(f'<g class="nodes" fill="#ffffff" stroke="{INK}" stroke-width="1.2">')
    for node in nodes:
        x, y = frame.xy(node.lon, node.lat)
        country = country_name(net, node.country, outlines.name_of(node.country), lang)
        out.append(
            f'<circle class="node" data-node="{escape(node.id)}" cx="{_n(x)}" cy="{_n(y)}" '
            f'r="{5 if node.id in ends else 3.5:g}"><title>{escape(node_title(node, lang))} '
            f"({escape(node.id)}), {escape(country)} ({escape(node.country)})</title></circle>"
        )
    out.append("</g>")
    out.append(
        f'<g class="labels" fill="{INK}" stroke="#ffffff" stroke-width="3" paint-order="stroke" '
        'font-size="13" font-weight="600">'
    )
    for node in nodes:
        if node.id in ends:
            x, y = frame.xy(node.lon, node.lat)
            name = place_name(node, lang)
            # Keep the label inside the map: anchor it away from the nearer edge.
            room = len(name) * CHAR_PX * 1.1 + 10
            anchor = "end" if x + room > width else "start"
            dx = -8 if anchor == "end" else 8
            out.append(
                f'<text x="{_n(x + dx)}" y="{_n(max(y - 8, 14))}" text-anchor="{anchor}">'
                f"<title>{escape(node_title(node, lang))} ({escape(node.id)})</title>"
                f"{escape(name)}</text>"
            )
    out.append("</g>")
    out.append(
        f'<text x="{width - 6}" y="{_n(map_h - 6)}" text-anchor="end" font-size="10" '
        f'fill="{MUTED}">{escape(t("map_outlines", lang, source=outlines.source))}</text>'
    )
    out.append("</g>")
    out.append(
        f'<g class="legend"><rect y="{_n(map_h)}" width="{width}" '
        f'height="{_n(height - map_h)}" fill="#ffffff"/>'
    )
    out.extend(_legend(routes, styles, map_h + 5, width, extra=True, lang=lang))
    out.append("</g></svg>")
    return "".join(out)


# --------------------------------------------------------------------------- charts


def chart_points(route: Route, metric: Metric) -> list[tuple[float, float]]:
    """Vertices of a route's line in the time/cost–distance chart.

    Parameters
    ----------
    route : Route
        The route.
    metric : {"cost", "days"}
        ``"cost"``: cumulative USD per tonne; ``"days"``: cumulative mean days.

    Returns
    -------
    list of (float, float)
        (cumulative km, cumulative cost or days). The first point is ``(0, 0)``. For
        ``"cost"`` the second point is ``(0, sum of route.charges)``: route-level charges
        (insurance, penalties) as a vertical step at the origin. Then one point per leg, in
        order: a ``link`` leg moves right by its distance and up by its cost or days; a
        ``transfer`` or ``dwell`` leg (no distance) is a vertical step. The last point is
        ``(route.distance_km, route.cost_usd_per_t)`` or ``(route.distance_km,
        route.days_mean)``.

    Raises
    ------
    ValueError
        If ``metric`` is not ``"cost"`` or ``"days"``.
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be 'cost' or 'days', not {metric!r}")
    x, y = 0.0, 0.0
    points = [(x, y)]
    if metric == "cost":
        y += sum(route.charges.values())
        points.append((x, y))
    for leg in route.legs:
        if leg.kind == "link":
            x += leg.distance_km
        y += leg.cost_usd_per_t if metric == "cost" else leg.days_mean
        points.append((x, y))
    return points


def _nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 covering ``top``."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


def _tick_label(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _step_title(
    route: Route, what: str, x: float, dy: float, metric: Metric, lang: str = "en"
) -> str:
    amount = _money(dy) if metric == "cost" else t("map_days", lang, days=f"{dy:.2f}")
    route_label = route.label_in(lang)
    return t("chart_step", lang, route=route_label, what=what, km=f"{x:,.0f}", amount=amount)


def _steps(
    route: Route, pts: Sequence[tuple[float, float]], metric: Metric, lang: str
) -> list[tuple[str, tuple[float, float], float]]:
    """The vertical steps of a route's line: (what it is, its top point, its height)."""
    steps: list[tuple[str, tuple[float, float], float]] = []
    if metric == "cost":
        what = ", ".join(f"{_word('comp', k, lang)} {_money(v)}" for k, v in route.charges.items())
        steps.append((t("chart_route_charges", lang, what=what), pts[1], pts[1][1]))
    first = len(pts) - len(route.legs)
    for i, leg in enumerate(route.legs, first):
        if leg.kind != "link":
            # in Japanese the leg's text says what kind of step it is ("…での積替え")
            what = f"{leg.kind}: {leg.what}" if lang == "en" else leg.what_ja or leg.what
            steps.append((what, pts[i], pts[i][1] - pts[i - 1][1]))
    return steps


def time_cost_distance_chart(
    routes: Sequence[Route],
    metric: Metric,
    width: int = 640,
    height: int = 420,
    lang: str = "en",
) -> str:
    """UNESCAP time/cost–distance chart of routes, as one inline SVG element.

    Each route is a line from the origin: links rise diagonally with distance, transfers
    and dwells (border crossings, port and customs time) are vertical steps marked with a
    dot whose ``<title>`` says what they are; route-level charges (insurance) are a step at
    0 km. Lines use the colours and dashes of :func:`route_styles`.

    Parameters
    ----------
    routes : sequence of Route
        Routes in rank order; at least one.
    metric : {"cost", "days"}
        Cumulative cost (USD per tonne) or mean transit time (days) on the y axis.
    width, height : int
        Size of the SVG in pixels (legend included).
    lang : str
        ``"en"`` or ``"ja"``: the language of the axis titles, route labels and hover text
        (places, modes and what each step is named in that language).

    Returns
    -------
    str
        An ``<svg>`` element with one ``<polyline class="route" data-route="<rank>">`` per
        route.

    Raises
    ------
    ValueError
        If ``routes`` is empty or ``metric`` is unknown.
    """
    if not routes:
        raise ValueError("time_cost_distance_chart needs at least one route")
    series = [chart_points(r, metric) for r in routes]
    styles = route_styles(routes)
    y_name = t(f"chart_y_{metric}", lang)
    left, right, top = 72.0, 30.0, 14.0
    plot_bottom = height - _legend_height(routes, width) - 44
    plot_w, plot_h = width - left - right, plot_bottom - top
    xt = _nice_ticks(max(p[0] for s in series for p in s))
    yt = _nice_ticks(max(p[1] for s in series for p in s))

    def xy(x: float, y: float) -> tuple[float, float]:
        return left + x / xt[-1] * plot_w, plot_bottom - y / yt[-1] * plot_h

    title = t(f"chart_title_{metric}", lang, routes="; ".join(r.label_in(lang) for r in routes))
    out = [_svg_open(width, height, title)]
    out.append(f'<g class="axes" stroke="{GRID}" stroke-width="1" fill="{INK}">')
    for v in xt:
        x, _ = xy(v, 0)
        out.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(plot_bottom + 4)}"/>'
            f'<text x="{_n(x)}" y="{_n(plot_bottom + 18)}" text-anchor="middle" stroke="none">'
            f"{_tick_label(v)}</text>"
        )
    for v in yt:
        _, y = xy(0, v)
        out.append(
            f'<line x1="{_n(left - 4)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}"/>'
            f'<text x="{_n(left - 8)}" y="{_n(y + 4)}" text-anchor="end" stroke="none">'
            f"{_tick_label(v)}</text>"
        )
    out.append(
        f'<path d="M{_n(left)} {_n(top)}V{_n(plot_bottom)}H{_n(left + plot_w)}" '
        f'stroke="{INK}" fill="none"/>'
        f'<text x="{_n(left + plot_w / 2)}" y="{_n(plot_bottom + 36)}" text-anchor="middle" '
        f'stroke="none" font-size="13">{escape(t("chart_x_km", lang))}</text>'
        f'<text transform="translate(16 {_n(top + plot_h / 2)}) rotate(-90)" '
        f'text-anchor="middle" stroke="none" font-size="13">{escape(y_name)}</text></g>'
    )
    out.append('<g class="routes" fill="none" stroke-linejoin="round" stroke-linecap="round">')
    for rank in range(len(routes), 0, -1):
        route, style, pts = routes[rank - 1], styles[rank - 1], series[rank - 1]
        coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in (xy(*p) for p in pts))
        width_px = 3.0 if rank == 1 else 2.0
        out.append(
            f'<polyline class="route" data-route="{rank}" data-family="{escape(route.family)}" '
            f'points="{coords}" stroke="{style.colour}" stroke-width="{width_px:g}"'
            f"{_dash_attr(style)}><title>{escape(_route_title(rank, route, lang))}</title>"
            "</polyline>"
        )
        end_x, end_y = xy(*pts[-1])
        out.append(
            f'<text x="{_n(end_x + 5)}" y="{_n(end_y + 4)}" fill="{style.colour}" stroke="none" '
            f'font-weight="700">{rank}</text>'
        )
    out.append("</g>")
    out.append('<g class="steps" stroke="#ffffff" stroke-width="1">')
    for rank, (route, style, pts) in enumerate(zip(routes, styles, series, strict=True), 1):
        for what, p, dy in _steps(route, pts, metric, lang):
            if dy <= 0:
                continue
            x, y = xy(*p)
            out.append(
                f'<circle class="step" data-route="{rank}" cx="{_n(x)}" cy="{_n(y)}" r="3.5" '
                f'fill="{style.colour}"><title>'
                f"{escape(_step_title(route, what, p[0], dy, metric, lang))}</title></circle>"
            )
    out.append("</g>")
    legend_top = plot_bottom + 48
    out.append('<g class="legend">')
    out.extend(_legend(routes, styles, legend_top, width, extra=False, lang=lang))
    out.append("</g></svg>")
    return "".join(out)
