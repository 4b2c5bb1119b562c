"""``corridor routes``, ``compare`` and ``pareto``: the route questions of the command line."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corridor.cli._app import (
    AsOfOpt,
    AvoidOpt,
    BuyerOpt,
    CarbonOpt,
    CommodityOpt,
    DataOpt,
    DestOpt,
    FormatOpt,
    OriginOpt,
    OverlayOpt,
    PenaliseOpt,
    ReportOpt,
    SeedOpt,
    ServiceOpt,
    UncertaintyOpt,
    VolumeOpt,
    _check_format,
    _count,
    _list,
    _net,
    _penalties,
    _service,
    app,
    cannot_write_report,
    checked,
    out,
    report_written,
)
from corridor.cli.brief import BriefOpt, LangOpt, check_brief, compare_brief_file, language
from corridor.cli.export import OutputOpt, check_output, write_export
from corridor.i18n import catalogue, family_name, localise, t
from corridor.network.model import Network
from corridor.network.names import event_name
from corridor.network.regimes import restriction_word


@app.command("routes")
def routes_cmd(
    commodity: CommodityOpt,
    origin: OriginOpt,
    destination: DestOpt,
    k: Annotated[
        int,
        typer.Option(
            "--k", help="Number of distinct routes (1 to 50).", parser=checked(_count, "--k")
        ),
    ] = 5,
    avoid: AvoidOpt = None,
    penalise: PenaliseOpt = None,
    volume: VolumeOpt = None,
    carbon_price: CarbonOpt = 0.0,
    service: ServiceOpt = None,
    buyer: BuyerOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    lang: LangOpt = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    uncertainty: UncertaintyOpt = 0,
    seed: SeedOpt = 0,
    as_of: AsOfOpt = None,
) -> None:
    """The k cheapest genuinely different routes for one commodity."""
    from corridor.analysis.queries import routes
    from corridor.costs import Assumptions

    _check_format(fmt)
    check_output(fmt, output)
    language_ = language(lang)
    net = _net(data, overlay, as_of)
    result = routes(
        commodity,
        origin,
        destination,
        k=k,
        avoid=_list(avoid),
        penalise=_penalties(penalise),
        volume=volume,
        assumptions=Assumptions(carbon_price_usd_per_t=carbon_price, service=_service(service)),
        network=net,
        buyer=buyer,
        uncertainty=uncertainty,
        seed=seed,
    )
    _emit(result, net, fmt, output, language_)
    if result.uncertainty is not None and fmt == "table":
        from corridor.cli.uncertainty import print_route_bands

        print_route_bands(out, result, language_)
    if report:
        _report([result], net, report, language_)


@app.command("compare")
def compare_cmd(
    commodity: CommodityOpt,
    origin: OriginOpt,
    destination: DestOpt,
    avoid: AvoidOpt = None,
    penalise: PenaliseOpt = None,
    volume: VolumeOpt = None,
    carbon_price: CarbonOpt = 0.0,
    service: ServiceOpt = None,
    buyer: BuyerOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    brief: BriefOpt = None,
    lang: LangOpt = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    uncertainty: UncertaintyOpt = 0,
    seed: SeedOpt = 0,
    as_of: AsOfOpt = None,
) -> None:
    """Best route per family (China, Trans-Caspian, Russia, Iran) and the strategic premium."""
    from corridor.analysis.queries import compare
    from corridor.costs import Assumptions

    language_ = language(lang)
    _check_format(fmt)
    check_output(fmt, output)
    check_brief(brief)
    net = _net(data, overlay, as_of)
    result = compare(
        commodity,
        origin,
        destination,
        avoid=_list(avoid),
        penalise=_penalties(penalise),
        volume=volume,
        assumptions=Assumptions(carbon_price_usd_per_t=carbon_price, service=_service(service)),
        network=net,
        buyer=buyer,
        uncertainty=uncertainty,
        seed=seed,
    )
    _emit(result, net, fmt, output, language_)
    if result.uncertainty is not None and fmt == "table":
        from corridor.cli.uncertainty import print_bands

        print_bands(out, result.uncertainty, language_)
    if report:
        _report([result], net, report, language_)
    if brief:
        compare_brief_file(result, net, brief, language_)


@app.command("pareto")
def pareto_cmd(
    commodity: CommodityOpt,
    origin: OriginOpt,
    destination: DestOpt,
    avoid: AvoidOpt = None,
    buyer: BuyerOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    lang: LangOpt = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Every route not beaten on cost, time, CO2e and disruption risk at once."""
    from corridor.analysis.queries import pareto

    _check_format(fmt)
    check_output(fmt, output)
    language_ = language(lang)
    net = _net(data, overlay, as_of)
    result = pareto(commodity, origin, destination, avoid=_list(avoid), network=net, buyer=buyer)
    _emit(result, net, fmt, output, language_)
    if report:
        _report([result], net, report, language_)


def _emit(
    result: Any, net: Network, fmt: str, output: Path | None = None, lang: str = "en"
) -> None:
    from corridor.analysis.results import Comparison

    if fmt in ("xlsx", "parquet") or (fmt == "csv" and (output is not None or lang != "en")):
        write_export(result, fmt, output, net, lang=lang)
    elif fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) + "\n")
    elif fmt == "geojson":
        sys.stdout.write(json.dumps(result.to_geojson(), ensure_ascii=False) + "\n")
    elif fmt == "csv":
        buf = io.StringIO()
        rows = [r.row() for r in result.routes]
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        _table(result, net, lang)
        if isinstance(result, Comparison):
            _premium_table(result, lang)


def _table(result: Any, net: Network, lang: str = "en") -> None:
    from corridor.i18n import t as msg
    from corridor.network.names import place_name

    req = result.request
    c = net.commodity(req.commodity)
    title = msg(
        "table_title",
        lang,
        commodity=c.name_ja if lang == "ja" and c.name_ja else c.name_en,
        origin=place_name(net.node(req.origin), lang),
        destination=place_name(net.node(req.destination), lang),
    ) + (msg("table_avoiding", lang, avoid=", ".join(req.avoid)) if req.avoid else "")
    title += (
        msg("cli_buyer", lang, buyer=req.buyer)
        if req.buyer != "none"
        else msg("cli_no_buyer", lang)
    )
    measures = getattr(result, "measures", None)
    if measures is None and result.routes:  # routes: the same measures as compare shows
        from corridor.risk.measures import compare_measures

        measures = compare_measures(net, result.routes)
    t = Table(title=title, title_justify="left")
    for name, justify in (
        ("#", "right"),
        (msg("col_route", lang), "left"),
        ("USD/t", "right"),
        (msg("col_days", lang), "right"),
        ("p95", "right"),
        ("kg CO2e/t", "right"),
        ("km", "right"),
        (msg("col_countries", lang), "left"),
        (msg("col_chokepoints", lang), "left"),
        *((msg(key, lang), "right") for key in _RISK_COLUMNS[measures is not None]),
        (msg("hdr_regimes", lang), "left"),
    ):
        t.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for i, r in enumerate(result.routes, 1):
        t.add_row(
            str(i),
            r.label_in(lang),
            f"{r.cost_usd_per_t:,.0f}",
            f"{r.days_mean:.1f}",
            f"{r.days_p95:.1f}",
            f"{r.co2e_kg_per_t:,.0f}",
            f"{r.distance_km:,.0f}",
            " ".join(r.countries),
            ("、" if lang == "ja" else ", ").join(
                _exposure_name(net, x, lang, short=True) for x in r.chokepoints
            ),
            *_risk_cells(r, None if measures is None else measures.routes[i - 1]),
            " ".join(f.short_in(lang) for f in result.flags(i - 1)),
        )
    out.print(t)
    if measures is not None:
        _shared_line(measures, net, lang)
    _regime_legend(result, net, lang)
    for note in getattr(result, "notes", ()):
        out.print(f"[yellow]{msg('cli_note', lang)}[/]: {localise(note, lang)}")
    n_sources = len({s for r in result.routes for s in r.sources})
    out.print(f"[dim]{msg('cli_sources', lang, n=n_sources)}[/]")


_RISK_COLUMNS = {
    False: ("col_p_disrupt", "col_days_lost"),
    True: ("cli_col_p_long", "cli_col_tdays", "cli_col_stockout"),
}


def rule_name(name: str, lang: str) -> str:
    """An avoid rule's name ("avoid China") in ``lang``."""
    key = "rule_" + name.replace(" ", "_")
    return t(key, lang) if lang != "en" and key in catalogue(lang) else name


def _risk_cells(route: Any, m: Any) -> list[str]:
    """The comparison measures (docs/risk.md) where computed, else the exposure figures."""
    if m is None:
        return [
            f"{route.risk.annual_probability:.2f}",
            f"{route.risk.disrupted_days_per_year:.1f}",
        ]
    return [f"{m.p_long_interruption:.3f}", f"{m.tonne_days_per_t:.2f}", f"{m.stockout_days:.2f}"]


def _exposure_name(net: Network, exposure: str, lang: str, short: bool = False) -> str:
    """A country or chokepoint by name in ``lang`` (the id where the tables have no name);
    ``short`` leaves out a closing bracket ("Danish straits (Øresund, …)" -> "Danish
    straits"), as a table cell wants."""
    from corridor.graph import exposure_text

    name = str(localise(exposure_text(net, exposure), lang))
    return re.sub(r"\s*[（(][^（()）]*[)）]$", "", name) if short else name


def _shared_line(measures: Any, net: Network, lang: str = "en") -> None:
    s = measures.shared
    if not s.events:
        return
    line = t(
        "cli_shared",
        lang,
        events=", ".join(event_name(net.event(e), lang) for e in s.events),
        p=f"{s.p_long_interruption:.3f}",
        tdays=f"{s.tonne_days_per_t:.2f}",
        stockout=f"{s.stockout_days:.2f}",
        stock=f"{measures.stock_days:g}",
    )
    out.print(f"[dim]{line}[/]")


def _regime_legend(result: Any, net: Network, lang: str = "en") -> None:
    """One line per regime met by the routes shown: what it is and what it restricts."""
    seen: dict[str, Any] = {}
    for i in range(len(result.routes)):
        for f in result.flags(i):
            seen.setdefault(f.regime, f)
    for f in seen.values():
        lead = t(
            "cli_regime_lead",
            lang,
            days=f"{f.lead_time_days:g}",
            p95=f"{f.lead_time_days_p95:g}",
        )
        line = t(
            "cli_regime_line",
            lang,
            word=f.word_in(lang),
            name=f.name_ja if lang == "ja" and f.name_ja else f.name_en,
            touches=", ".join(_exposure_name(net, x, lang) for x in f.touches),
            restricts=", ".join(restriction_word(w, lang) for w in f.restricts),
        )
        out.print(
            f"[yellow]{f.regime}[/]{line}" + (lead if f.lead_time_days else ""),
            markup=True,
            highlight=False,
        )


def _premium_table(result: Any, lang: str = "en") -> None:
    from corridor.routing.route import FAMILY_LABELS

    for fam, why in result.unavailable.items():
        name = family_name(fam, lang) if lang != "en" else FAMILY_LABELS.get(fam, fam)
        out.print(f"[yellow]{name}[/]: {localise(why, lang)}", markup=True, highlight=False)
    table = Table(
        title=t(
            "cli_premium_title",
            lang,
            route=result.cheapest.label_in(lang),
            cost=f"{result.cheapest.cost_usd_per_t:,.0f}",
        ),
        title_justify="left",
    )
    for i, key in enumerate(
        (
            "cli_col_rule",
            "cli_col_cheapest",
            "+USD/t",
            "cli_col_plus_usd_yr",
            "cli_col_plus_days",
            "cli_col_plus_p95",
            "cli_col_d_p_long",
            "cli_col_d_tdays",
            "cli_col_d_stockout",
        )
    ):
        name = t(key, lang) if key.startswith("cli_") else key
        table.add_column(name, justify="left" if i < 2 else "right")
    changes = [p["risk_measures_change"] for p in result.to_dict()["premium"]]
    for alt, change in zip(result.premium, changes, strict=True):
        rule = rule_name(alt.name, lang)
        if alt.route is None:
            reason = localise(alt.reason, lang)
            none = t("cli_none", lang)
            table.add_row(rule, f"[red]{none}[/]: {reason}", "", "", "", "", "", "", "")
            continue
        per_year = (
            f"{alt.premium_usd_per_year:,.0f}" if alt.premium_usd_per_year is not None else "—"
        )
        flags = " ".join(f.short_in(lang) for f in result.route_flags(alt.route))
        table.add_row(
            rule,
            alt.route.label_in(lang) + (f" ({flags})" if flags else ""),
            f"{alt.premium_usd_per_t:+,.0f}",
            per_year,
            f"{alt.extra_days:+.1f}",
            f"{alt.extra_days_p95:+.1f}",
            f"{change['p_interruption_over_30d_30pct']:+.3f}",
            f"{change['expected_tonne_days_per_t']:+.2f}",
            f"{change['expected_stockout_days']:+.2f}",
        )
    out.print(table)


def _report(results: list[Any], net: Network, path: Path, lang: str = "en") -> None:
    from corridor.costs import ASSUMPTION_SOURCES
    from corridor.report.html import render_report, write_report

    title = t("rep_title", lang) if lang != "en" else "corridor route comparison"
    html = render_report(results, net, title, ASSUMPTION_SOURCES, lang)
    try:
        write_report(path, html)
    except OSError as exc:
        raise cannot_write_report(path, exc.strerror or exc) from None
    report_written(path)
