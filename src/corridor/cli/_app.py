"""Command line: parse, call the library, render. Nothing here computes a number."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from corridor._json import plain
from corridor.cli.brief import BriefOpt, LangOpt, check_brief, compare_brief_file, language
from corridor.cli.export import EXPORTS, OutputOpt, check_output, write_export
from corridor.errors import CorridorError, DataError, RequestError
from corridor.network.load import load_network
from corridor.network.model import Network

if TYPE_CHECKING:
    from corridor.store import StorableResult

app = typer.Typer(
    help="Routes, costs, capacity and risk of moving strategic raw materials "
    "from Kazakhstan to Japan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
network_app = typer.Typer(help="Inspect and validate the network tables.", no_args_is_help=True)
app.add_typer(network_app, name="network")

# Off a terminal (pipes, CI logs) rich would assume 80 columns and fold every table.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="Folder with a complete set of network tables "
        "(default: $CORRIDOR_DATA or the bundled tables).",
    ),
]
OverlayOpt = Annotated[
    Path | None,
    typer.Option("--overlay", help="Folder of tables whose rows add to or replace bundled rows."),
]
FORMATS = ("table", "json", "csv", "geojson", *EXPORTS)


def _net(data: Path | None, overlay: Path | None) -> Network:
    if data is None and overlay is None and not os.environ.get("CORRIDOR_DATA"):
        from corridor.analysis.queries import default_network

        return default_network()
    return load_network(data, overlay)


def _save(result: StorableResult, store: Path | None, no_store: bool) -> None:
    """Keep the run; a store that cannot be written is a warning, not a lost answer."""
    if no_store:
        return
    from corridor.store import save_run

    try:
        run_id = save_run(result, store=store)
    except RequestError as exc:
        err.print(f"[yellow]warning[/]: run not saved: {exc}", markup=True)
        return
    err.print(f"saved as run {run_id} (corridor runs show {run_id})")


# --------------------------------------------------------------------------- network


@network_app.command("validate")
def network_validate(
    directory: Annotated[Path | None, typer.Argument(help="Folder of tables to check.")] = None,
    overlay: OverlayOpt = None,
) -> None:
    """Check a folder of network tables (default: the bundled tables); list every problem."""
    net = load_network(directory, overlay)
    out.print(
        f"[green]valid[/]: {len(net.nodes)} nodes, {len(net.links)} links, "
        f"{len(net.commodities)} commodities, {len(net.exposures)} exposures, "
        f"{len(net.emission_factors)} emission factors, {len(net.events)} disruption events, "
        f"{len(net.sources)} sources "
        f"({net.origin})"
    )


@network_app.command("schema")
def network_schema() -> None:
    """Print the schema of the tables (every column: type, unit, default, meaning) as Markdown."""
    from corridor.network.schema import schema_markdown

    sys.stdout.write(schema_markdown())


@network_app.command("show")
def network_show(
    record_id: Annotated[
        str | None, typer.Argument(help="A node, link, commodity, exposure or source id.")
    ] = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Counts by kind, mode, country and route family; or one record with its sources."""
    net = _net(data, overlay)
    if record_id is None:
        _show_counts(net, fmt)
    else:
        _show_record(net, record_id, fmt)


def _show_counts(net: Network, fmt: str) -> None:
    groups: dict[str, Counter[str]] = {
        "node kind": Counter(n.kind for n in net.nodes),
        "node country": Counter(n.country for n in net.nodes),
        "link mode": Counter(link.mode for link in net.links),
        "link family": Counter(link.family for link in net.links),
    }
    if fmt == "json":
        out.print_json(json.dumps({k: dict(v) for k, v in groups.items()}))
        return
    out.print(
        f"[bold]corridor network[/] ({net.origin}): {len(net.nodes)} nodes, "
        f"{len(net.links)} links, {len(net.sources)} sources"
    )
    for title, counts in groups.items():
        out.print(
            f"\n[bold]{title}[/]: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    from corridor.routing.route import FAMILY_LABELS

    out.print("\n[bold]route families[/]")
    for family, links in sorted(net.families().items()):
        places = sorted({n for link in links for n in (link.from_, link.to)})
        out.print(
            f"  [cyan]{FAMILY_LABELS.get(family, family)}[/] ({family}): {len(links)} links, "
            f"{len(places)} nodes: {', '.join(places)}"
        )


def _record(net: Network, record_id: str) -> tuple[str, Any]:
    for table in ("nodes", "links", "commodities", "exposures", "emission_factors", "sources"):
        if net.has(table, record_id):
            return table, net.record(table, record_id)
    near = net.similar_ids(record_id)
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise RequestError(
        f"no node, link, commodity, exposure or source has the id '{record_id}'" + hint
    )


def _show_record(net: Network, record_id: str, fmt: str) -> None:
    table, rec = _record(net, record_id)
    fields = {k.rstrip("_"): v for k, v in vars(rec).items()}
    provenance = fields.pop("sources", {}) if table != "sources" else {}
    used = sorted({s for ids in dict(provenance).values() for s in ids})
    if fmt == "json":
        payload = {
            "table": table,
            **{k: plain(v) for k, v in fields.items()},
            "sources": {k: list(v) for k, v in dict(provenance).items()},
            "source_details": [plain(vars(net.source(s))) for s in used],
        }
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    grid = Table(
        title=f"{table[:-1] if table != 'commodities' else 'commodity'} {record_id}",
        show_header=True,
    )
    grid.add_column("field")
    grid.add_column("value", overflow="fold")
    grid.add_column("source", overflow="fold")
    for k, v in fields.items():
        if k == "geometry":
            v = f"{len(v)} points"
        ids = {s for col, src in dict(provenance).items() if col.startswith(k) for s in src}
        grid.add_row(k, _text(v), ", ".join(sorted(ids)))
    out.print(grid)
    for sid in used:
        s = net.source(sid)
        out.print(
            f"[bold]{s.id}[/] ({s.kind}, {s.year}): {s.citation}"
            + (f" — {s.url}" if s.url else "")
            + (f"\n    method: {s.method}" if s.method else "")
        )


def _text(v: Any) -> str:
    if isinstance(v, tuple):
        return "|".join(str(x) for x in v)
    if hasattr(v, "items"):
        return ", ".join(
            f"{k}: {x:g}" if isinstance(x, float) else f"{k}: {x}" for k, x in dict(v).items()
        )
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return "" if v is None else str(v)


# --------------------------------------------------------------------------- routes


OriginOpt = Annotated[str, typer.Option("--origin", help="Origin node id, e.g. KZ_ZHANA_KZ.")]
DestOpt = Annotated[
    str, typer.Option("--destination", help="Destination node id, e.g. JP_YOKOHAMA.")
]
CommodityOpt = Annotated[
    str, typer.Option("--commodity", help="Commodity id, e.g. uranium_ore_concentrate.")
]
AvoidOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--avoid",
        help="Country or chokepoint to avoid (repeatable or comma-separated), e.g. CN,RU.",
    ),
]
PenaliseOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--penalise", help="Price a crossing: EXPOSURE=USD_PER_T (repeatable), e.g. RU=40."
    ),
]
VolumeOpt = Annotated[
    float | None, typer.Option("--volume", help="Annual volume, t/yr (premium per year).")
]
FormatOpt = Annotated[
    str, typer.Option("--format", help="table, json, csv, geojson, xlsx or parquet")
]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="Write a self-contained HTML report to this file.")
]
CarbonOpt = Annotated[float, typer.Option("--carbon-price", help="USD per t CO2e added to cost.")]


def _list(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def _penalties(values: list[str] | None) -> dict[str, float]:
    out_: dict[str, float] = {}
    for item in _list(values):
        if "=" not in item:
            raise RequestError(
                f"--penalise {item}: give a price, e.g. --penalise {item}=40 "
                "(USD per tonne added to routes crossing it)"
            )
        key, _, price = item.partition("=")
        try:
            out_[key.strip()] = float(price)
        except ValueError:
            raise RequestError(f"--penalise {item}: '{price}' is not a number") from None
    return out_


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise RequestError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")


@app.command("routes")
def routes_cmd(
    commodity: CommodityOpt,
    origin: OriginOpt,
    destination: DestOpt,
    k: Annotated[int, typer.Option("--k", help="Number of distinct routes.")] = 5,
    avoid: AvoidOpt = None,
    penalise: PenaliseOpt = None,
    volume: VolumeOpt = None,
    carbon_price: CarbonOpt = 0.0,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
) -> None:
    """The k cheapest genuinely different routes for one commodity."""
    from corridor.analysis.queries import routes
    from corridor.costs import Assumptions

    _check_format(fmt)
    check_output(fmt, output)
    net = _net(data, overlay)
    result = routes(
        commodity,
        origin,
        destination,
        k=k,
        avoid=_list(avoid),
        penalise=_penalties(penalise),
        volume=volume,
        assumptions=Assumptions(carbon_price_usd_per_t=carbon_price),
        network=net,
    )
    _emit(result, net, fmt, output)
    if report:
        _report([result], net, report)


@app.command("compare")
def compare_cmd(
    commodity: CommodityOpt,
    origin: OriginOpt,
    destination: DestOpt,
    avoid: AvoidOpt = None,
    penalise: PenaliseOpt = None,
    volume: VolumeOpt = None,
    carbon_price: CarbonOpt = 0.0,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    brief: BriefOpt = None,
    lang: LangOpt = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
) -> None:
    """Best route per family (China, Trans-Caspian, Russia, Iran) and the strategic premium."""
    from corridor.analysis.queries import compare
    from corridor.costs import Assumptions

    _check_format(fmt)
    check_output(fmt, output)
    check_brief(brief)
    language_ = language(lang)
    net = _net(data, overlay)
    result = compare(
        commodity,
        origin,
        destination,
        avoid=_list(avoid),
        penalise=_penalties(penalise),
        volume=volume,
        assumptions=Assumptions(carbon_price_usd_per_t=carbon_price),
        network=net,
    )
    _emit(result, net, fmt, output, language_)
    if report:
        _report([result], net, report)
    if brief:
        compare_brief_file(result, net, brief, language_)


@app.command("pareto")
def pareto_cmd(
    commodity: CommodityOpt,
    origin: OriginOpt,
    destination: DestOpt,
    avoid: AvoidOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
) -> None:
    """Every route not beaten on cost, time, CO2e and disruption risk at once."""
    from corridor.analysis.queries import pareto

    _check_format(fmt)
    check_output(fmt, output)
    net = _net(data, overlay)
    result = pareto(commodity, origin, destination, avoid=_list(avoid), network=net)
    _emit(result, net, fmt, output)
    if report:
        _report([result], net, report)


def _emit(
    result: Any, net: Network, fmt: str, output: Path | None = None, lang: str = "en"
) -> None:
    from corridor.analysis.results import Comparison

    if fmt in ("xlsx", "parquet") or (fmt == "csv" and output is not None):
        write_export(result, fmt, output, net)
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
        (msg("col_p_disrupt", lang), "right"),
        (msg("col_days_lost", lang), "right"),
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
            " ".join(r.chokepoints),
            f"{r.risk.annual_probability:.2f}",
            f"{r.risk.disrupted_days_per_year:.1f}",
        )
    out.print(t)
    for note in getattr(result, "notes", ()):
        out.print(f"[yellow]note[/]: {note}")
    n_sources = len({s for r in result.routes for s in r.sources})
    out.print(
        f"[dim]{n_sources} sources behind these numbers: --format json lists them per "
        "route; --report FILE.html cites them.[/]"
    )


def _premium_table(result: Any, lang: str = "en") -> None:
    from corridor.routing.route import FAMILY_LABELS

    for fam, why in result.unavailable.items():
        out.print(f"[yellow]{FAMILY_LABELS.get(fam, fam)}[/]: {why}")
    t = Table(
        title="Strategic premium against the cheapest route "
        f"({result.cheapest.label}, USD {result.cheapest.cost_usd_per_t:,.0f}/t)",
        title_justify="left",
    )
    for name in (
        "rule",
        "cheapest route",
        "+USD/t",
        "+USD/yr",
        "+days",
        "+days p95",
        "ΔP(disrupt)",
        "Δdays lost/yr",
    ):
        t.add_column(name, justify="left" if "route" in name or name == "rule" else "right")
    for alt in result.premium:
        if alt.route is None:
            t.add_row(alt.name, f"[red]none[/]: {alt.reason}", "", "", "", "", "", "")
            continue
        per_year = (
            f"{alt.premium_usd_per_year:,.0f}" if alt.premium_usd_per_year is not None else "—"
        )
        t.add_row(
            alt.name,
            alt.route.label_in(lang),
            f"{alt.premium_usd_per_t:+,.0f}",
            per_year,
            f"{alt.extra_days:+.1f}",
            f"{alt.extra_days_p95:+.1f}",
            f"{alt.risk_change_probability:+.2f}",
            f"{alt.risk_change_days_per_year:+.1f}",
        )
    out.print(t)


def _report(results: list[Any], net: Network, path: Path) -> None:
    from corridor.costs import ASSUMPTION_SOURCES
    from corridor.report.html import render_report, write_report

    html = render_report(results, net, "corridor route comparison", ASSUMPTION_SOURCES)
    try:
        write_report(path, html)
    except OSError as exc:
        raise RequestError(f"cannot write report {path}: {exc.strerror or exc}") from None
    err.print(f"report written to {path}")


def main() -> None:
    """Entry point: run the app; turn corridor errors into a message and a non-zero exit.

    Usage errors are reported by typer itself (exit 2); errors in the data or the request
    name what is wrong (exit 2); anything else is an internal error (exit 70). None of them
    prints a traceback unless ``CORRIDOR_DEBUG`` is set.
    """
    try:
        app()
    except DataError as exc:
        err.print(f"[red]error[/]: {len(exc.problems)} problem(s) in the network data")
        for p in exc.problems:
            err.print(f"  {p}", markup=False)
        sys.exit(2)
    except CorridorError as exc:
        err.print("[red]error[/]: ", end="")
        err.print(str(exc), markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # the last line of defence against tracebacks
        if os.environ.get("CORRIDOR_DEBUG"):
            raise
        err.print("[red]internal error[/]: ", end="")
        err.print(
            f"{type(exc).__name__}: {exc} (set CORRIDOR_DEBUG=1 for the traceback)", markup=False
        )
        sys.exit(70)
