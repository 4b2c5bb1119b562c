"""A one-page brief for a memo: the question, the answer, the map, three caveats, the sources.

The brief is one self-contained HTML page sized for A4 (inline CSS and SVG, nothing loaded);
:func:`write_brief` writes it as HTML or prints it to PDF with headless Chromium. Text comes
from the message catalogue (:mod:`corridor.i18n`) in English or Japanese; place names from the
tables' ``name_ja`` where there is one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from corridor.errors import RequestError
from corridor.i18n import Message, catalogue, family_name, t
from corridor.network.model import Network
from corridor.network.names import Condition, commodity_name, place_name
from corridor.report._premium import _risk_change
from corridor.report.plan import capacity_name, flow_map
from corridor.report.svg import route_map
from corridor.risk.calendar import DEFAULT_STOCK_DAYS
from corridor.risk.measures import LONG_DAYS, LONG_LOSS, compare_measures, measures

if TYPE_CHECKING:
    from corridor.analysis.results import Comparison
    from corridor.optimize.maxflow import CapacityResult
    from corridor.optimize.plan_result import PlanResult
    from corridor.routing.route import Route

CHROMIUM = Path(os.environ.get("CORRIDOR_CHROMIUM", "/usr/bin/chromium"))
"""Headless Chromium used to print a brief to PDF (Debian's package; ``make test`` installs it)."""
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer")

CSS = """
@page { size: A4; margin: 12mm; }
* { box-sizing: border-box; }
body { margin: 0; font: 10.5pt/1.4 system-ui, "IPAPGothic", Arial, sans-serif;
  color: #1b1b1b; }
main { max-width: 186mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 2mm; line-height: 1.25; }
p.q { margin: 0 0 3mm; color: #444; }
section.answer { border-left: 4px solid #0b4f8a; padding: 1mm 0 1mm 4mm; margin: 0 0 3mm; }
section.answer p { margin: 1mm 0; }
.big { font-size: 13pt; font-weight: 700; }
figure { margin: 0 0 2mm; }
figure svg { width: 100%; height: auto; display: block; }
h2 { font-size: 11pt; margin: 2mm 0 1mm; }
ol { margin: 0; padding-left: 5mm; }
li { margin: .6mm 0; }
footer { margin-top: 2mm; color: #5a5a5a; font-size: 8.5pt; }
small.id { color: #777; }
"""


def _usd(value: float) -> str:
    return f"USD {value:,.0f}"


def _page(
    lang: str, title: str, question: str, answer: str, figure: str, caveats: list[str], footer: str
) -> str:
    items = "".join(f"<li>{escape(c)}</li>" for c in caveats[:3])
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body><main>"
        f'<h1>{escape(title)}</h1><p class="q">{escape(question)}</p>'
        f'<section class="answer" data-testid="answer">{answer}</section>'
        f"<figure>{figure}</figure>"
        f'<h2>{escape(t("brief_caveats", lang))}</h2><ol data-testid="caveats">{items}</ol>'
        f'<footer data-testid="sources">{escape(footer)}</footer></main></body></html>'
    )


_CONDITION_ORDER = ("approval", "charter_only", "seasonal", "permit_assumed")


def _condition_caveat(conditions: Sequence[Condition], lang: str) -> list[str]:
    """The first caveat: the weightiest condition of the routes shown (approvals first)."""
    if not conditions:
        return [t("brief_no_conditions", lang)]
    ranked = sorted(
        conditions,
        key=lambda c: _CONDITION_ORDER.index(c.kind) if c.kind in _CONDITION_ORDER else 9,
    )
    first = ranked[0].text_ja if lang == "ja" else ranked[0].text_en
    others = len({c.text_en for c in conditions}) - 1
    return [first + (t("brief_more_conditions", lang, n=others) if others else "")]


def _capacity_part(family: str, cap: CapacityResult, net: Network, lang: str) -> str:
    name = family_name(family, lang)
    if cap.max_t_per_year is None:
        return t("brief_capacity_unbounded", lang, family=name)
    where = []
    for b in cap.bottlenecks[:2]:
        link = b.capacity.links[0] if b.capacity.links else ""
        if link and net.has("links", link):
            ends = net.link(link)
            where.append(
                f"{place_name(net.node(ends.from_), lang)}–{place_name(net.node(ends.to), lang)}"
            )
        elif b.capacity.node and net.has("nodes", b.capacity.node):  # a port's or terminal's
            where.append(place_name(net.node(b.capacity.node), lang))
    return t(
        "brief_capacity_family",
        lang,
        family=name,
        t=f"{cap.max_t_per_year:,.0f}",
        binding=", ".join(where) or "—",
    )


def _estimated_share(net: Network, ids: Sequence[str]) -> tuple[int, int]:
    known = [net.source(s) for s in ids if net.has("sources", s)]
    return sum(s.kind == "estimated" for s in known), len(known)


def _band_line(result: Comparison, lang: str) -> str:
    """The premium of each avoid rule with its P5–P95 band over joint draws of the estimates
    (``--uncertainty N``), or a line saying the band was not computed."""
    unc = result.uncertainty
    if unc is None:
        return f'<p data-testid="band">{escape(t("brief_band_not_computed", lang))}</p>'
    parts = []
    for alt in result.premium:
        band = unc.bands.get(f"premium:{alt.name}")
        if band is None:
            continue
        key = "rule_" + alt.name.replace(" ", "_")
        parts.append(
            t(
                "brief_band_rule",
                lang,
                rule=t(key, lang) if key in catalogue(lang) else alt.name,
                base=f"{band.base:+,.0f}",
                p5=f"{band.p5:+,.0f}",
                p95=f"{band.p95:+,.0f}",
            )
        )
    if not parts:
        return f'<p data-testid="band">{escape(t("brief_band_no_route", lang))}</p>'
    text = t("brief_band", lang, n=f"{unc.samples:,}", parts="; ".join(parts))
    return f'<p data-testid="band">{escape(text)}</p>'


def _risk_line(net: Network, route: Route, lang: str) -> str:
    """The cheapest route's risk for a board reader: the serious measure (an interruption of
    more than 30 days losing at least 30 % of capacity) as the headline, and the probability of
    any disruption at all (mostly short or partial) said to be that, so the two do not read as
    contradictory."""
    m = measures(net, route)
    headline = t(
        "brief_risk",
        lang,
        p_long=_pct(m.p_long_interruption),
        long_days=f"{LONG_DAYS:.0f}",
        long_loss=f"{LONG_LOSS:.0%}",
    )
    rest = t(
        "brief_risk_any",
        lang,
        p=_pct(route.risk.annual_probability),
        days=f"{route.risk.disrupted_days_per_year:.1f}",
    )
    return f'<p data-testid="risk"><strong>{escape(headline)}</strong> {escape(rest)}</p>'


def _pct(p: float) -> str:
    """A probability as a percentage with the digits it needs (3.1 %, 92 %, <0.1 %)."""
    if p <= 0:
        return "0%"
    if p < 0.001:
        return "<0.1%"
    return f"{p:.1%}" if p < 0.1 else f"{p:.0%}"


def compare_brief(
    result: Comparison,
    net: Network,
    lang: str = "en",
    capacity: Mapping[str, CapacityResult] | None = None,
) -> str:
    """The brief of a comparison: cheapest route, the premium of each avoid rule, capacity.

    Parameters
    ----------
    result : Comparison
        From :func:`corridor.compare`.
    net : Network
        The network it was computed on.
    lang : str
        ``"en"`` or ``"ja"``.
    capacity : mapping of str to CapacityResult, optional
        Route family -> the most tonnes per year from the origin to the destination within
        that family (``max_flow``).

    Returns
    -------
    str
        A whole HTML page.
    """
    req = result.request
    commodity = net.commodity(req.commodity)
    cname = commodity.name_ja if lang == "ja" and commodity.name_ja else commodity.name_en
    origin = place_name(net.node(req.origin), lang)
    dest = place_name(net.node(req.destination), lang)
    volume = req.volume_t_per_year
    title = t("brief_compare_title", lang, commodity=cname, origin=origin, destination=dest)
    question = t("brief_compare_question", lang, commodity=cname, origin=origin, destination=dest)
    if volume:
        question += " " + t("brief_volume", lang, volume=f"{volume:,.0f}")
    best = result.cheapest
    lines = [
        '<p class="big">'
        + escape(
            t(
                "brief_cheapest",
                lang,
                route=best.label_in(lang),
                cost=_usd(best.cost_usd_per_t),
                days=f"{best.days_mean:.0f}",
                p95=f"{best.days_p95:.0f}",
            )
        )
        + "</p>"
    ]
    compared = compare_measures(net, result.routes) if result.routes else None
    for alt in result.premium:
        key = "rule_" + alt.name.replace(" ", "_")
        rule = t(key, lang) if key in catalogue(lang) else alt.name
        if alt.route is None or alt.premium_usd_per_t is None:
            lines.append(f"<p>{escape(t('brief_no_route_rule', lang, rule=rule))}</p>")
            continue
        if alt.route.signature == best.signature:
            lines.append(f"<p>{escape(t('brief_premium_free', lang, rule=rule))}</p>")
            continue
        change = _risk_change(alt, best, net, result.routes, compared)
        text = t(
            "brief_premium",
            lang,
            rule=rule,
            route=alt.route.label_in(lang),
            premium=f"{alt.premium_usd_per_t:+,.0f}",
            days=f"{alt.extra_days or 0:+.0f}",
            dp=f"{(change.p_long_interruption if change else 0.0) * 100:+.1f}",
            ds=f"{change.stockout_days if change else 0.0:+.1f}",
            stock=f"{DEFAULT_STOCK_DAYS:.0f}",
        )
        if alt.premium_usd_per_year is not None:
            text += " " + t("brief_per_year", lang, usd=_usd(alt.premium_usd_per_year))
        lines.append(f"<p>{escape(text)}</p>")
    lines.append(_band_line(result, lang))
    lines.append(_risk_line(net, best, lang))
    if capacity:
        parts = [_capacity_part(family, cap, net, lang) for family, cap in capacity.items()]
        lines.append(f"<p>{escape(t('brief_capacity', lang, parts='; '.join(parts)))}</p>")
    sources = sorted({s for r in result.routes for s in r.sources})
    estimated, known = _estimated_share(net, sources)
    caveats = _condition_caveat([c for r in result.routes for c in r.conditions], lang)
    caveats.append(t("brief_estimates", lang, n=estimated, total=known))
    caveats.append(t("brief_risk_caveat", lang))
    figure = route_map(net, result.routes, width=1000, height=460, lang=lang)
    footer = t("brief_footer", lang, n=len(sources), version=net.data_version[:12])
    return _page(lang, title, question, "".join(lines), figure, caveats, footer)


def plan_brief(result: PlanResult, net: Network, lang: str = "en") -> str:
    """The brief of a plan: cost, delivered tonnes, main flows, what binds, the flow map.

    Parameters
    ----------
    result : PlanResult
        From :func:`corridor.plan`.
    net : Network
        The network it was computed on.
    lang : str
        ``"en"`` or ``"ja"``.

    Returns
    -------
    str
        A whole HTML page.
    """
    head = result.headline()
    contracts = result.portfolio.contracts
    title = t("brief_plan_title", lang, n=len(contracts))
    question = t(
        "brief_plan_question", lang, n=len(contracts), volume=f"{head['volume_t_per_year']:,.0f}"
    )
    lines = [
        '<p class="big">'
        + escape(
            t(
                "brief_plan_cost",
                lang,
                usd=_usd(result.total_cost_usd_per_year),
                delivered=f"{head['delivered_t_per_year'] or 0:,.0f}",
                short=f"{result.shortfall_t_per_year:,.0f}",
            )
        )
        + "</p>"
    ]
    for c in contracts:  # every contract's split: the small strategic ones are the point
        flows = sorted((f for f in result.flows if f.contract == c.id), key=lambda f: -f.t_per_year)
        if not flows:
            continue
        parts = "; ".join(
            t(
                "brief_plan_part",
                lang,
                t=f"{f.t_per_year:,.0f}",
                route=f.route.label_in(lang),
                cost=_usd(f.cost_usd_per_t),
            )
            for f in flows
        )
        commodity = commodity_name(net, c.commodity, lang)
        text = t("brief_plan_contract", lang, commodity=commodity, contract=c.id, parts=parts)
        lines.append(f"<p>{escape(text)}</p>")
    for u in [u for u in result.utilisation if u.binding][:3]:
        key = "brief_binding_penalty" if result.penalty_driven(u) else "brief_binding"
        penalty = float(result.settings.get("shortfall_penalty_usd_per_t", 0.0))
        lines.append(
            "<p>"
            + escape(
                t(
                    key,
                    lang,
                    name=capacity_name(result.network, u.capacity, lang),
                    shadow=_usd(u.shadow_price_usd_per_t),
                    penalty=_usd(penalty),
                )
            )
            + "</p>"
        )
    sources = sorted(
        {s for f in result.flows for s in f.route.sources}
        | {s for u in result.utilisation for s in u.capacity.sources}
    )
    estimated, known = _estimated_share(net, sources)
    caveats = _condition_caveat([c for f in result.flows for c in f.route.conditions], lang)
    caveats.append(t("brief_estimates", lang, n=estimated, total=known))
    caveats.append(t("brief_plan_caveat", lang))
    figure = (
        flow_map(net, result.link_flows, width=1000, height=520, lang=lang)
        if result.link_flows
        else ""
    )
    footer = t("brief_footer", lang, n=len(sources), version=result.data_version[:12])
    return _page(lang, title, question, "".join(lines), figure, caveats, footer)


def write_brief(path: Path, html: str) -> None:
    """Write a brief: ``.html`` as it is, ``.pdf`` printed by headless Chromium.

    Raises
    ------
    RequestError
        For another suffix, a missing Chromium, a failed print or a file that cannot be written.
    """
    suffix = path.suffix.lower()
    if suffix not in (".html", ".pdf"):
        raise RequestError(f"--brief {path}: the file must end in .html or .pdf")
    try:
        if suffix == ".html":
            path.write_text(html, encoding="utf-8")
            return
        chromium = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
        if not chromium:
            raise RequestError(
                f"--brief {path}: a PDF is printed by headless Chromium, which is not installed "
                f"at {CHROMIUM} (apt-get install chromium, or set CORRIDOR_CHROMIUM); "
                "write --brief FILE.html instead"
            )
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "brief.html"
            page.write_text(html, encoding="utf-8")
            done = subprocess.run(
                [
                    str(chromium),
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={tmp}/profile",
                    f"--print-to-pdf={path.resolve()}",
                    page.as_uri(),
                ],
                capture_output=True,
                timeout=120,
                check=False,
            )
        if done.returncode != 0 or not path.exists():
            tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            raise RequestError(Message("cli_brief_no_pdf", path=str(path), reason=tail[0]))
    except OSError as exc:
        what = Message("cli_cannot_write_brief", path=str(path), reason=str(exc.strerror or exc))
        raise RequestError(what) from None
