"""Command line for capacity and planning: ``capacity``, ``plan`` and ``runs``.

Importing this module registers the commands on :data:`corridor.cli.app`. As in
:mod:`corridor.cli`, nothing here computes a number: it parses, calls the library, saves
the run, renders.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from corridor import validate
from corridor.cli._app import (
    AsOfOpt,
    AvoidOpt,
    CarbonOpt,
    CommodityOpt,
    DataOpt,
    OverlayOpt,
    ReportOpt,
    SeedOpt,
    ServiceOpt,
    UncertaintyOpt,
    _count,
    _json,
    _list,
    _net,
    _rows_table,
    _save,
    _service,
    app,
    cannot_write_report,
    checked,
    out,
    report_written,
)
from corridor.cli.brief import BriefOpt, LangOpt, check_brief, language, plan_brief_file
from corridor.cli.export import EXPORTS, OutputOpt, check_output, write_export
from corridor.errors import RequestError
from corridor.i18n import t as t_msg
from corridor.network.schema import FAMILIES

if TYPE_CHECKING:
    from corridor.analysis.plan_bands import PlanBands
    from corridor.contracts.model import Rule
    from corridor.optimize.capacity import Capacity
    from corridor.optimize.maxflow import CapacityResult
    from corridor.optimize.plan_result import PlanResult

runs_app = typer.Typer(help="Stored capacity and plan runs.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Run store file (default: $CORRIDOR_STORE, else runs.duckdb in the user data folder).",
    ),
]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Do not save this run.")]


def _check(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise RequestError(f"--format must be one of {', '.join(allowed)}, not '{fmt}'")


def _limit(value: str, option: str) -> int:
    from corridor.store import MAX_LIST

    return validate.integer(value, option, minimum=1, maximum=MAX_LIST)


def _penalty(value: str, option: str) -> float:
    return validate.non_negative(value, option, maximum=validate.MAX_PENALTY_USD_PER_T)


def _t(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f}"


# --------------------------------------------------------------------------- capacity


@app.command("capacity")
def capacity_cmd(
    commodity: CommodityOpt,
    origin: Annotated[list[str], typer.Option("--origin", help="Origin node id (repeatable).")],
    destination: Annotated[
        list[str], typer.Option("--destination", help="Destination node id (repeatable).")
    ],
    avoid: AvoidOpt = None,
    family: Annotated[
        list[str] | None,
        typer.Option("--family", help=f"Use only these route families ({', '.join(FAMILIES)})."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="table, json, csv, xlsx or parquet")
    ] = "table",
    output: OutputOpt = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
    uncertainty: UncertaintyOpt = 0,
    seed: SeedOpt = 0,
    report: ReportOpt = None,
    lang: LangOpt = None,
) -> None:
    """Most tonnes per year a commodity can move, and the capacities that bind (min cut)."""
    from corridor.optimize.maxflow import max_flow

    language_ = language(lang)
    _check(fmt, ("table", "json", *EXPORTS))
    check_output(fmt, output)
    net = _net(data, overlay, as_of)
    asked = {
        "commodity": commodity,
        "origins": _list(origin),
        "destinations": _list(destination),
        "avoid": _list(avoid),
        "families": _list(family, "--family"),
        "network": net,
    }
    result = max_flow(**asked)  # type: ignore[arg-type]
    bands = None
    if uncertainty:
        from corridor.analysis.capacity_bands import capacity_bands

        bands = capacity_bands(**asked, samples=uncertainty, seed=seed)  # type: ignore[arg-type]
    if fmt == "json":
        _json(result.to_dict() | ({"uncertainty": bands.to_dict()} if bands else {}))
    elif fmt in EXPORTS:
        write_export(result, fmt, output, net, lang=language_)
    else:
        _capacity_table(result, language_)
        if bands is not None:
            from corridor.cli.uncertainty import print_capacity_bands

            print_capacity_bands(out, bands, language_, net)
    if report:
        from corridor.report.capacity import render_capacity_report
        from corridor.report.html import write_report

        try:
            write_report(report, render_capacity_report(result, bands, lang=language_))
        except OSError as exc:
            raise cannot_write_report(report, exc.strerror or exc) from None
        report_written(report)
    _save(result, store, no_store)


def _capacity_table(result: CapacityResult, lang: str = "en") -> None:
    if lang != "en":
        _capacity_table_ja(result, lang)
        return
    net, r = result.network, result.request
    title = f"{net.commodity(r.commodity).name_en}: {', '.join(r.origins)} → "
    title += ", ".join(r.destinations)
    if result.max_t_per_year is None:
        out.print(f"[bold]{title}[/]\n{result.reason}")
        return
    total = result.total_t_per_year
    of = f" (of {_t(total)} t/yr in total, other traffic included)" if total is not None else ""
    day = f", as of {net.as_of.isoformat()}" if net.as_of else ""
    out.print(
        f"[bold]{title}[/]{day}: at most [bold]{_t(result.max_t_per_year)} t/yr[/] "
        f"left for this user{of}"
    )
    _table(
        "Binding bottlenecks (minimum cut)",
        [
            "capacity",
            "what",
            "left t/yr",
            "total t/yr",
            "used by others",
            "year",
            "marginal t/t",
            "sources",
            "note",
        ],
        [
            [
                *_capacity_row(b.capacity),
                f"{b.marginal_t_per_t:.2f}",
                ", ".join(b.capacity.sources),
                b.capacity.note,
            ]
            for b in result.bottlenecks
        ],
        {2, 3, 4, 6},
    )
    used = sorted(result.flows.items(), key=lambda kv: -kv[1])
    out.print(
        "[dim]Cheapest way to carry the maximum, t/yr by link: "
        + ", ".join(f"{k} {_t(v)}" for k, v in used)
        + "[/]"
    )


def _capacity_table_ja(result: CapacityResult, lang: str) -> None:
    """The capacity table in ``lang``: places and capacities by name, ids in a last column;
    the English derivation notes are left out (the JSON and the report keep them)."""
    from corridor.report.plan import capacity_name

    msg = t_msg
    from corridor.i18n import localise
    from corridor.network.names import place_name
    from corridor.uncertainty.labels import record_name

    net, r = result.network, result.request
    places = [
        ", ".join(place_name(net.node(n), lang) for n in ns) for ns in (r.origins, r.destinations)
    ]
    title = msg("cli_cap_title", lang, commodity=net.commodity(r.commodity).name_ja or r.commodity,
                origins=places[0], destinations=places[1])  # fmt: skip
    if result.max_t_per_year is None:
        out.print(f"[bold]{title}[/]\n{localise(result.reason, lang)}")
        return
    total = result.total_t_per_year
    of = msg("cli_cap_of_total", lang, total=_t(total)) if total is not None else ""
    day = msg("cli_cap_as_of", lang, day=net.as_of.isoformat()) if net.as_of else ""
    head = msg("cli_cap_head", lang, most=f"[bold]{_t(result.max_t_per_year)}[/]", of=of)
    out.print(f"[bold]{title}[/]{day}: {head}")

    def name(cap: Capacity) -> str:
        return capacity_name(net, cap, lang)

    _table(
        msg("cli_cap_bottlenecks", lang),
        [msg(f"cli_cap_col_{k}", lang) for k in ("what", "left", "total", "used", "year",
                                                 "marginal", "sources")] + [msg("hdr_id", lang)],
        [
            [name(b.capacity), *_capacity_row(b.capacity, lang)[2:], f"{b.marginal_t_per_t:.2f}",
             ", ".join(b.capacity.sources), b.capacity.id]
            for b in result.bottlenecks
        ],
        {1, 2, 3, 5},
    )  # fmt: skip
    used = sorted(result.flows.items(), key=lambda kv: -kv[1])
    flows = "、".join(f"{record_name(net, 'links', k, lang)} {_t(v)}" for k, v in used)
    out.print(f"[dim]{msg('cli_cap_cheapest', lang, flows=flows)}[/]")


def _capacity_row(cap: Capacity, lang: str = "en") -> list[str]:
    """Id, name, left, total, used by others and year of a capacity, as table cells."""
    unknown = "not known" if lang == "en" else t_msg("cli_cap_not_known", lang)
    used = unknown if cap.used_t_per_year is None else _t(cap.used_t_per_year)
    if cap.used_year is not None and cap.used_t_per_year is not None:
        used += f" ({cap.used_year})"
    year = str(cap.year) if cap.year is not None else "—"
    return [cap.id, cap.name, _t(cap.capacity_t_per_year), _t(cap.total), used, year]


# --------------------------------------------------------------------------- plan


def _share_rules(values: list[str] | None, scope: str, option: str) -> list[Rule]:
    from corridor.contracts.model import Rule

    rules = []
    for item in _list(values):
        key, sep, share = item.partition("=")
        try:
            value = float(share)
        except ValueError:
            value = math.nan
        if not sep or not 0 <= value <= 1:
            raise RequestError(
                f"{option} {item}: give EXPOSURE_OR_FAMILY=SHARE with a share from 0 to 1, "
                "e.g. CN=0.5 or trans_caspian=0.6"
            )
        on = "family" if key in FAMILIES else "exposure"
        rules.append(Rule(key.strip(), on, max_share=value, scope=scope))
    return rules


@app.command("plan")
def plan_cmd(
    contracts: Annotated[
        Path, typer.Argument(help="Contracts file, .yaml or .csv (see docs/contracts.md).")
    ],
    max_share: Annotated[
        list[str] | None,
        typer.Option(
            "--max-share",
            help="At most SHARE of each contract's tonnes via a transit country, chokepoint "
            "or route family: CN=0.5, SUEZ=0.3, trans_caspian=0.6 (repeatable).",
        ),
    ] = None,
    portfolio_max_share: Annotated[
        list[str] | None,
        typer.Option(
            "--portfolio-max-share",
            help="The same, over all tonnes of all contracts together (repeatable).",
        ),
    ] = None,
    k: Annotated[
        int,
        typer.Option(
            "--k", help="Distinct routes per origin–destination.", parser=checked(_count, "--k")
        ),
    ] = 12,
    carbon_price: CarbonOpt = 0.0,
    service: ServiceOpt = None,
    risk_penalty: Annotated[
        float,
        typer.Option(
            "--risk-penalty",
            help="USD/t per expected disrupted day per year of a route.",
            parser=checked(_penalty, "--risk-penalty"),
        ),
    ] = 0.0,
    fmt: Annotated[
        str, typer.Option("--format", help="table, json, csv, xlsx or parquet")
    ] = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    brief: BriefOpt = None,
    lang: LangOpt = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
    uncertainty: UncertaintyOpt = 0,
    seed: SeedOpt = 0,
) -> None:
    """Least-cost split of contract volumes over routes, under capacities and share rules."""
    from corridor.contracts.model import EACH, PORTFOLIO
    from corridor.costs import Assumptions
    from corridor.optimize.planning import plan

    language_ = language(lang)
    _check(fmt, ("table", "json", *EXPORTS))
    check_output(fmt, output)
    check_brief(brief)
    net = _net(data, overlay, as_of)
    rules = _share_rules(max_share, EACH, "--max-share")
    rules += _share_rules(portfolio_max_share, PORTFOLIO, "--portfolio-max-share")
    asked: dict[str, Any] = {
        "rules": rules,
        "network": net,
        "assumptions": Assumptions(service=_service(service)),
        "k": k,
        "carbon_price": carbon_price,
        "risk_penalty": risk_penalty,
    }
    bands = None
    if uncertainty:
        from corridor.analysis.plan_bands import plan_bands

        result, bands = plan_bands(contracts, samples=uncertainty, seed=seed, **asked)
    else:
        result = plan(contracts, **asked)
    if fmt == "json":
        _json(result.to_dict() | ({"uncertainty": bands.to_dict()} if bands else {}))
    elif fmt == "csv" and output is None:
        _plan_csv(result)
    elif fmt in EXPORTS:
        write_export(result, fmt, output, net, lang=language_)
    else:
        _plan_tables(result, language_)
        if bands is not None:
            from corridor.cli.uncertainty import print_plan_bands

            print_plan_bands(out, bands, language_)
    if report:
        _plan_report(result, report, bands, language_)
    if brief:
        plan_brief_file(result, net, brief, language_)
    _save(result, store, no_store)


def _plan_csv(result: PlanResult) -> None:
    rows = [{k: v for k, v in f.to_dict().items() if not isinstance(v, list)} for f in result.flows]
    buf = io.StringIO()
    fields = list(rows[0]) if rows else ["contract", "route", "t_per_year"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    sys.stdout.write(buf.getvalue())


def _plan_report(
    result: PlanResult, path: Path, bands: PlanBands | None = None, lang: str = "en"
) -> None:
    from corridor.report.html import write_report
    from corridor.report.plan import render_plan_report

    try:
        write_report(path, render_plan_report(result, bands, lang=lang))
    except OSError as exc:
        raise cannot_write_report(path, exc.strerror or exc) from None
    report_written(path)


def _table(title: str, columns: list[str], rows: list[list[str]], right: set[int]) -> None:
    _rows_table(title, columns, rows, right)


def _cols(lang: str, *keys: str) -> list[str]:
    """Column headers in ``lang``: catalogue keys (``cli_…``, ``col_…``) or literal units."""
    from corridor.i18n import t as msg

    return [msg(k, lang) if k.startswith(("cli_", "col_")) else k for k in keys]


def _plan_tables(result: PlanResult, lang: str = "en") -> None:
    from corridor.i18n import t as msg
    from corridor.network.names import commodity_name

    head = result.headline()
    short = msg("cli_plan_head_short", lang, short=_t(head["shortfall_t_per_year"]))
    out.print(
        f"[bold]{result.portfolio.name or result.portfolio.file or 'plan'}[/]: "
        f"USD [bold]{_t(head['total_cost_usd_per_year'])}[/] "
        + msg(
            "cli_plan_per_year",
            lang,
            delivered=_t(head["delivered_t_per_year"]),
            volume=_t(head["volume_t_per_year"]),
        )
        + (
            f"— [red]{short}[/]"
            if result.shortfalls
            else "— " + msg("cli_plan_all_delivered", lang)
        )
    )
    _table(
        msg("cli_plan_contracts", lang),
        _cols(
            lang,
            "cli_plan_col_contract",
            "cli_plan_col_commodity",
            "cli_plan_col_t_yr",
            "cli_plan_col_delivered",
            "cli_plan_col_short",
            "cli_plan_col_usd_yr",
            "USD/t",
            "cli_plan_col_volume",
        ),
        [
            [
                r["contract"],
                commodity_name(result.network, r["commodity"], lang),
                _t(r["volume_t_per_year"]),
                _t(r["delivered_t_per_year"]),
                _t(r["short_t_per_year"]),
                _t(r["cost_usd_per_year"]),
                _t(r["mean_cost_usd_per_t"]),
                msg("cli_plan_illustrative" if r["illustrative"] else "cli_plan_sourced", lang),
            ]
            for r in result.contract_rows()
        ],
        {2, 3, 4, 5, 6},
    )
    _table(
        msg("cli_plan_flows", lang),
        _cols(
            lang,
            "cli_plan_col_contract",
            "col_route",
            "cli_plan_col_t_yr",
            "USD/t",
            "cli_plan_col_usd_yr",
        ),
        [
            [
                f.contract,
                f.route.label_in(lang),
                _t(f.t_per_year),
                f"{f.cost_usd_per_t:,.2f}",
                _t(f.t_per_year * f.cost_usd_per_t),
            ]
            for f in result.flows
        ],
        {2, 3, 4},
    )
    _utilisation_table(result, lang)
    _rule_tables(result, lang)


def _utilisation_table(result: PlanResult, lang: str = "en") -> None:
    from corridor.i18n import t as msg
    from corridor.report.plan import capacity_name

    shown = [u for u in result.utilisation if u.used_t_per_year > 0 or u.binding]
    shown.sort(key=lambda u: (-u.shadow_price_usd_per_t, -u.used_t_per_year))
    _table(
        msg("cli_plan_capacities", lang),
        _cols(
            lang,
            "cli_plan_col_capacity",
            "cli_plan_col_what",
            "cli_plan_col_left",
            "cli_plan_col_total",
            "cli_plan_col_others",
            "cli_plan_col_year",
            "cli_plan_col_plan",
            "cli_plan_col_used",
            "cli_plan_col_shadow",
            "cli_plan_col_sources",
        ),
        [
            [
                u.capacity.id,
                capacity_name(result.network, u.capacity, lang),
                *_capacity_row(u.capacity, lang)[2:],
                _t(u.used_t_per_year),
                f"{u.used_t_per_year / u.capacity.capacity_t_per_year:.0%}"
                if u.capacity.capacity_t_per_year
                else "—",
                f"{u.shadow_price_usd_per_t:,.2f}",
                ", ".join(u.capacity.sources),
            ]
            for u in shown
        ],
        {2, 3, 4, 6, 7, 8},
    )
    idle = len(result.utilisation) - len(shown)
    if idle:
        out.print(f"[dim]{msg('cli_plan_idle', lang, n=idle)}[/]")


def _rule_tables(result: PlanResult, lang: str = "en") -> None:
    from corridor.i18n import localise
    from corridor.i18n import t as msg

    rules = [b for b in result.bindings if b.kind == "rule"]
    if rules:
        _table(
            msg("cli_plan_binding", lang),
            _cols(lang, "cli_col_rule", "cli_plan_col_relaxed"),
            [[localise(b.description, lang), f"{b.shadow_price:,.0f}"] for b in rules],
            {1},
        )
    if result.rule_costs:
        _table(
            msg("cli_plan_rule_costs", lang),
            _cols(lang, "cli_col_rule", "cli_plan_col_cost", "cli_plan_col_held"),
            [
                [localise(r.rule.name, lang), _t(r.cost_usd_per_year), _t(r.short_t_per_year)]
                for r in result.rule_costs
            ],
            {1, 2},
        )
    for s in result.shortfalls:
        line = msg(
            "cli_plan_short_line",
            lang,
            contract=s.contract,
            short=_t(s.short_t_per_year),
            volume=_t(s.volume_t_per_year),
        )
        out.print(
            f"[red]{msg('cli_plan_short_word', lang)}[/] {line} — "
            + "; ".join(str(localise(c, lang)) for c in s.causes),
            markup=True,
        )
    for note in result.notes:
        out.print(f"[dim]{msg('cli_note', lang)}: {localise(note, lang)}[/]")


# --------------------------------------------------------------------------- runs


@runs_app.command("list")
def runs_list(
    store: StoreOpt = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            help="Newest N runs (1 to 10,000).",
            parser=checked(_limit, "--limit"),
        ),
    ] = 30,
    fmt: Annotated[
        str, typer.Option("--format", help="table, json, csv, xlsx or parquet")
    ] = "table",
    output: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """Stored runs, newest first."""
    from corridor.store import list_runs, store_path

    _check(fmt, ("table", "json", *EXPORTS))
    check_output(fmt, output)
    language_ = language(lang)
    runs = list_runs(store=store, limit=limit)
    if fmt == "json":
        _json([r.to_dict() for r in runs])
        return
    if fmt in EXPORTS:
        write_export(runs, fmt, output, None, "runs", language_)
        return
    _table(
        t_msg("runs_title", language_, store=store_path(store)),
        [t_msg(k, language_) for k in _RUN_COLUMNS],
        [
            [
                r.id,
                _label(f"runs_kind_{r.kind}", r.kind, language_),
                r.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                _label(f"runs_status_{r.status}", r.status, language_),
                _headline(r.headline, language_),
                r.data_version[:10],
            ]
            for r in runs
        ],
        set(),
    )


_RUN_COLUMNS = (
    "hdr_id",
    "runs_th_kind",
    "runs_th_created",
    "runs_th_status",
    "runs_th_headline",
    "runs_th_data",
)


def _label(key: str, fallback: str, lang: str) -> str:
    """The catalogue's label for ``key``, or ``fallback`` where it has none."""
    from corridor.i18n import catalogue

    return catalogue(lang).get(key, fallback)


def _headline(head: dict[str, Any], lang: str = "en") -> str:
    """Headline figures as "label value" pairs, labelled as the web page labels them."""
    unbounded = t_msg("runs_unbounded", lang)
    return ", ".join(
        f"{_label(f'runs_head_{k}', k, lang)} {_t(v) if isinstance(v, int | float) else unbounded}"
        for k, v in head.items()
    )


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id (or a unique prefix of it).")],
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    lang: LangOpt = None,
) -> None:
    """One stored run: parameters, headline numbers and result tables."""
    from corridor.cli import runs_view
    from corridor.store import get_run

    _check(fmt, ("table", "json"))
    language_ = language(lang)
    run = get_run(run_id, store=store)
    if fmt == "json":
        _json({**run.to_dict(), "tables": run.tables})
        return
    runs_view.show(run, language_)


@runs_app.command("import")
def runs_import(
    path: Annotated[
        Path,
        typer.Argument(
            help="A result file kept in unsaved-runs/ while the store was busy, or that folder."
        ),
    ],
    store: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    """Store results that were kept in unsaved-runs/ because the store was busy."""
    from corridor.store import import_kept

    language_ = language(lang)
    for file, run_id, stored in import_kept(path, store=store):
        key = "runs_import_stored" if stored else "runs_import_known"
        out.print(t_msg(key, language_, run=run_id, file=file), markup=False)


@runs_app.command("diff")
def runs_diff(
    a: Annotated[str, typer.Argument(help="First run id (or prefix).")],
    b: Annotated[str, typer.Argument(help="Second run id (or prefix).")],
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    lang: LangOpt = None,
) -> None:
    """What changed between two runs: parameters, headline numbers, capacity use."""
    from corridor.cli import runs_view
    from corridor.store.diff import diff_runs

    _check(fmt, ("table", "json"))
    language_ = language(lang)
    d = diff_runs(a, b, store=store)
    if fmt == "json":
        _json(d.to_dict())
        return
    runs_view.diff(d, language_)
