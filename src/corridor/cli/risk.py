"""Command line for disruption risk: ``stress``, ``frontier`` and ``whatif``
(``exposure`` is in :mod:`corridor.cli.exposure`).

Importing this module registers the commands on :data:`corridor.cli.app`. As in
:mod:`corridor.cli`, nothing here computes a number: it parses, calls the library, saves
the run, renders.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from corridor import validate
from corridor.cli._app import (
    AsOfOpt,
    DashboardOpt,
    DataOpt,
    OverlayOpt,
    ReportOpt,
    UncertaintyOpt,
    _json,
    _net,
    _rows_table,
    _save,
    announce_dashboard,
    app,
    cannot_write_report,
    check_dashboard,
    checked,
    err,
    out,
    report_written,
)
from corridor.cli.brief import LangOpt, language
from corridor.cli.export import EXPORTS, OutputOpt, check_output, write_export
from corridor.errors import RequestError
from corridor.network.model import Network

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Run store file (default: $CORRIDOR_STORE, else runs.duckdb in the user data folder).",
    ),
]
NoStoreOpt = Annotated[bool, typer.Option("--no-store", help="Do not save this run.")]
ScenarioOpt = Annotated[
    Path | None,
    typer.Option("--scenario", help="Scenario file (YAML): network edits and event overrides."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same numbers).")]
SingleOpt = Annotated[
    bool,
    typer.Option(
        "--single-route",
        help="Put each contract's whole volume on its cheapest route instead of planning it.",
    ),
]
TimingOpt = Annotated[
    str,
    typer.Option(
        "--timing",
        help="stationary (long-run years, regimes carry over) or onset (events start in the year).",
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", help="table, json, csv, xlsx or parquet")]


def _check_format(fmt: str, output: Path | None = None) -> None:
    if fmt not in ("table", "json", *EXPORTS):
        raise RequestError(f"--format must be table, json, {', '.join(EXPORTS)}, not '{fmt}'")
    check_output(fmt, output)


def _network(
    data: Path | None, overlay: Path | None, scenario: Path | None, as_of: str | None = None
) -> tuple[Network, str]:
    """The network, with the scenario applied if one is given, and the scenario's name."""
    net = _net(data, overlay, as_of)
    if scenario is None:
        return net, ""
    from corridor.network.scenario import apply_scenario
    from corridor.network.scenario_io import load_scenario

    scen = load_scenario(scenario, net)
    applied = apply_scenario(scen, net)
    for note in applied.notes:
        err.print(f"[yellow]scenario[/]: {note}", markup=True)
    return applied.network, scen.name


def _allocation(path: Path, net: Network, single_route: bool) -> Any:
    from corridor import risk

    if path.suffix.lower() == ".json":
        return risk.from_plan_json(path, network=net)
    return risk.from_contracts(path, plan=not single_route, network=net)


def _years(value: str, option: str) -> int:
    from corridor.risk import MAX_YEARS

    return validate.integer(value, option, minimum=1, maximum=MAX_YEARS)


def _volume(value: str, option: str) -> float:
    return validate.positive(value, option, maximum=validate.MAX_VOLUME_T_PER_YEAR)


def _begin(kind: str, params: dict[str, Any], net: Network, store: Path | None) -> str | None:
    """Record the run as running before its work starts, so that a killed process leaves
    it listed as interrupted; a busy store only costs that row (the result is still saved,
    or kept in a file, at the end)."""
    from corridor.store import begin_run, data_version

    try:
        return begin_run(kind, params, data_version(net), store=store, wait=2.0)
    except RequestError as exc:
        err.print(f"[yellow]warning[/]: run not recorded as started: {exc}", markup=True)
        return None


def _save_interrupted(
    kind: str,
    params: dict[str, Any],
    net: Network,
    years_done: int,
    store: Path | None,
    run_id: str | None = None,
) -> None:
    """List a run stopped by Ctrl+C as interrupted, with how far it got (best effort)."""
    from corridor.store import data_version, record_interrupted

    try:
        run_id = record_interrupted(
            kind, params, data_version(net), {"years_done": years_done}, store=store, run_id=run_id
        )
    except RequestError as exc:
        err.print(f"[yellow]warning[/]: interrupted run not recorded: {exc}", markup=True)
        return
    err.print(f"recorded as interrupted run {run_id} after {years_done:,} years")


def _forget_started(run_id: str, store: Path | None) -> None:
    """A run that failed on bad input (an error, not a stop) leaves no row behind."""
    from corridor.store import discard_run

    with contextlib.suppress(RequestError):
        discard_run(run_id, store=store)


@dataclass(frozen=True)
class _Started:
    """A run recorded as running: what a stop or a failure of its work leaves in the store."""

    kind: str
    params: Callable[[], dict[str, Any]]
    net: Network
    done: list[int]
    """Years done so far (the work's progress writes ``done[0]``)."""
    store: Path | None
    run_id: str | None

    @contextlib.contextmanager
    def unless(self, no_store: bool) -> Iterator[None]:
        """Ctrl+C lists the run as interrupted with the years done (unless ``no_store``);
        any other failure (bad input) leaves no row behind."""
        try:
            yield
        except KeyboardInterrupt:
            if not no_store:
                args = (self.kind, self.params(), self.net, self.done[0], self.store)
                _save_interrupted(*args, self.run_id)
            raise
        except BaseException:
            if self.run_id is not None:
                _forget_started(self.run_id, self.store)
            raise


def _n(v: float | None, digits: int = 0) -> str:
    return "—" if v is None else f"{v:,.{digits}f}"


def _table(title: str, columns: list[str], rows: list[list[str]], left: int = 1) -> None:
    _rows_table(title, columns, rows, range(left, len(columns)))


# --------------------------------------------------------------------------- stress


class _Rate(ProgressColumn):
    """Simulated years per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} years/s", style="cyan")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("years"),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


@app.command("stress")
def stress_cmd(
    plan_or_contracts: Annotated[
        Path,
        typer.Argument(
            help="Contracts file (.yaml/.csv: planned first) or a plan saved with "
            "'corridor plan --format json'."
        ),
    ],
    years: Annotated[
        int,
        typer.Option(
            "--years",
            help="Simulated years (at most 10,000,000).",
            parser=checked(_years, "--years"),
        ),
    ] = 100_000,
    seed: SeedOpt = 0,
    scenario: ScenarioOpt = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Run on a local Dask cluster of N processes.")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run on the Dask scheduler at ADDRESS.")
    ] = None,
    dashboard: DashboardOpt = False,
    single_route: SingleOpt = False,
    timing: TimingOpt = "stationary",
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    with_frontier: Annotated[
        bool, typer.Option("--frontier/--no-frontier", help="Add the frontier to the report.")
    ] = True,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
    versus: Annotated[
        Path | None,
        typer.Option(
            "--versus",
            help="Another plan or contracts file: simulate both in time (dated events, "
            "lead times, the buyer's stock) and say which protects more.",
        ),
    ] = None,
    stock_days: Annotated[
        float,
        typer.Option("--stock-days", help="Buyer's safety stock in days (with --versus)."),
    ] = 30.0,
    uncertainty: UncertaintyOpt = 0,
    lang: LangOpt = None,
) -> None:
    """Monte Carlo stress test of a plan: undelivered tonnes, extra cost, VaR/CVaR, tail events."""
    from corridor import risk
    from corridor.risk.runner import check_workers

    _check_format(fmt, output)
    check_dashboard(dashboard, workers if scheduler is None else None)
    check_workers(workers)  # before any planning
    language_ = language(lang)
    net, scenario_name = _network(data, overlay, scenario, as_of)
    if versus is not None:
        spread = {
            "workers": workers,
            "scheduler": scheduler,
            "dashboard": announce_dashboard if dashboard else None,
        }
        asked_both = {"input": str(plan_or_contracts), "versus": str(versus), "years": years}
        asked_both |= {"seed": seed, "stock_days": stock_days, "scenario": scenario_name}
        run_id = None if no_store else _begin("stress_versus", asked_both, net, store)
        both_done = [0]
        kept = _Started("stress_versus", lambda: asked_both, net, both_done, store, run_id)
        with kept.unless(no_store):
            first = _allocation(plan_or_contracts, net, single_route)
            other = _allocation(versus, net, single_route)
            result = _versus(
                first,
                other,
                (years, seed, stock_days),
                fmt,
                scenario_name,
                language_,
                spread,
                both_done,
            )
        _save(result, store, no_store, run_id)
        return
    asked = {"input": str(plan_or_contracts), "years": years, "seed": seed, "timing": timing}
    asked |= {"scenario": scenario_name, "single_route": single_route}
    run_id = None if no_store else _begin("stress", asked, net, store)
    done = [0]

    def advance(years_done: int) -> None:
        done[0] = years_done
        bar.update(task, completed=years_done)

    allocation = None

    def params() -> dict[str, Any]:  # the allocation's parameters once it is known
        if allocation is None:
            return asked
        return risk.stress_parameters(allocation, years, seed, timing, scenario_name)

    with _Started("stress", params, net, done, store, run_id).unless(no_store):
        allocation = _allocation(plan_or_contracts, net, single_route)
        with _progress() as bar:
            task = bar.add_task("stress test", total=years)
            result = risk.stress(
                allocation,
                years=years,
                seed=seed,
                timing=timing,
                workers=workers,
                scheduler=scheduler,
                progress=advance,
                scenario=scenario_name,
                dashboard=announce_dashboard if dashboard else None,
            )
    bands = None
    if uncertainty:
        from corridor.cli.uncertainty import stress_bands_for

        bands = stress_bands_for(allocation, uncertainty, seed, years, timing)
    if fmt == "json":
        _json(result.to_dict() | ({"uncertainty": bands.to_dict()} if bands else {}))
    elif fmt in EXPORTS:
        write_export(result, fmt, output, net, lang=language_)
    else:
        _stress_tables(result, language_)
        if bands is not None:
            from corridor.cli.uncertainty import print_stress_bands

            print_stress_bands(out, bands, language_)
    if report:
        front = None
        if with_frontier:
            from corridor.risk.frontier import frontier

            front = frontier(allocation, seed=seed, timing=timing, scenario=scenario_name)
        _write_report(report, result, front, bands, language_)
    _save(result, store, no_store, run_id)


def _versus(
    a: Any,
    b: Any,
    run: tuple[int, int, float],
    fmt: str,
    scenario: str,
    lang: str,
    spread: dict[str, Any],
    done: list[int],
) -> Any:
    """Both allocations in time on the same simulated years (``run``: years, seed, stock
    days), and the sentence. ``spread``: workers, scheduler and dashboard, as for the annual
    engine; ``done[0]`` follows the years both plans have simulated (the second's)."""
    years, seed, stock_days = run

    def step(i: int, years_done: int) -> None:
        bar.update(tasks[i], completed=years_done)
        if i == 1:
            done[0] = years_done

    from corridor.i18n import localise
    from corridor.i18n import t as msg
    from corridor.risk.intime_stress import FIELDS
    from corridor.risk.versus import compare_in_time

    if not 0 <= stock_days <= 3650:
        raise RequestError(f"--stock-days must be within 0–3650, not {stock_days}")
    with _progress() as bar:
        tasks = [
            bar.add_task(msg("versus_in_time_task", lang, name=alloc.name), total=years)
            for alloc in (a, b)
        ]
        result = compare_in_time(
            a,
            b,
            years=years,
            seed=seed,
            stock_days=stock_days,
            scenario=scenario,
            progress=step,
            **spread,
        )
    if fmt == "json":
        _json(result.to_dict())
        return result
    _table(
        msg("versus_title", lang, years=f"{years:,}", seed=seed, stock=f"{stock_days:g}"),
        [
            msg("versus_col_plan", lang),
            *(msg(f"versus_col_mean_{k}", lang) for k in FIELDS),
            msg("versus_col_cvar", lang),
        ],
        [
            [r.name, *(f"{r.mean(k):,.2f}" for k in FIELDS), f"{r.cvar('stockout_days'):,.1f}"]
            for r in result.results
        ],
    )
    out.print(localise(result.summary, lang))
    for note in result.notes:
        out.print(f"[yellow]{msg('versus_note', lang)}[/]: {localise(note, lang)}", markup=True)
    return result


def _stress_tables(r: Any, lang: str = "en") -> None:
    from corridor.cli.plan import _cols
    from corridor.i18n import family_name, localise
    from corridor.i18n import t as msg
    from corridor.report.risk import group_rows

    p = r.portfolio
    out.print(
        msg(
            "cli_stress_head",
            lang,
            title=f"[bold]{msg('cli_stress_title', lang)}[/]",
            name=r.allocation.name or msg("cli_stress_the_allocation", lang),
            basis=r.allocation.basis,
            scenario=msg("cli_stress_scenario", lang, scenario=r.scenario) if r.scenario else "",
            years=f"{r.years:,}",
            seed=r.seed,
            timing=r.timing,
            share=f"[bold]{p.delivered_share:.2%}[/]",
            cost=f"[bold]{_n(p.extra_cost.mean)}[/]",
        )
    )
    _table(
        msg("cli_stress_undelivered", lang),
        _cols(
            lang,
            "cli_plan_col_contract",
            "cli_plan_col_t_yr",
            "cli_plan_col_delivered",
            "cli_stress_col_mean_lost",
            "VaR95 t",
            "CVaR95 t",
            "CVaR99 t",
            "cli_stress_col_mean_usd",
            "CVaR95 USD",
            "cli_col_plus_days",
        ),
        group_rows([p, *r.contracts], r.extra_days_mean),
    )
    _table(
        msg("cli_stress_families", lang),
        _cols(
            lang,
            "cli_stress_col_family",
            "cli_plan_col_t_yr",
            "cli_stress_col_mean_lost",
            "CVaR95 t",
            "cli_stress_col_mean_usd",
            "CVaR95 USD",
        ),
        [
            [
                g.id if lang == "en" else family_name(g.id, lang),
                _n(g.volume_t_per_year),
                _n(g.undelivered.mean),
                _n(g.undelivered.cvar[0.95]),
                _n(g.extra_cost.mean),
                _n(g.extra_cost.cvar[0.95]),
            ]
            for g in r.families
        ],
    )
    _exceedance_table(r, lang)
    _driver_table(r, lang)
    _concentration(r, lang)
    for note in r.notes:
        out.print(f"[dim]{msg('cli_note', lang)}: {localise(note, lang)}[/]")


def _exceedance_table(r: Any, lang: str = "en") -> None:
    from corridor.i18n import t as msg

    levels = list(r.portfolio.p_loss_over)
    _table(
        msg("cli_stress_exceed", lang),
        [msg("cli_plan_col_contract", lang), *(f"> {q:.0%}" for q in levels)],
        [[g.id, *(f"{g.p_loss_over[q]:.4f}" for q in levels)] for g in (r.portfolio, *r.contracts)],
    )


def _driver_table(r: Any, lang: str = "en") -> None:
    from corridor.cli.plan import _cols
    from corridor.i18n import t as msg
    from corridor.network.names import event_name

    p, net = r.portfolio, r.allocation.network
    rows = []
    for d in r.drivers[:10]:
        tonnes, usd = d.undelivered_t[0.95], d.extra_cost_usd[0.95]
        share = tonnes / p.undelivered.cvar[0.95] if p.undelivered.cvar[0.95] else 0.0
        name = event_name(net.event(d.event), lang) if net.has("events", d.event) else d.name
        rows.append([d.event, name, _n(tonnes), f"{share:.0%}", _n(usd), _n(d.mean_undelivered_t)])
    _table(
        msg("cli_stress_drivers", lang),
        _cols(
            lang,
            "cli_stress_col_event",
            "cli_plan_col_what",
            "cli_stress_col_t_cvar",
            "cli_stress_col_share",
            "cli_stress_col_usd_cvar",
            "cli_stress_col_mean_lost",
        ),
        rows,
        left=2,
    )


def _concentration(r: Any, lang: str = "en") -> None:
    from corridor.i18n import t as msg

    c = r.concentration
    shares = ", ".join(f"{k} {v:.0%}" for k, v in c.country_share.items())
    fams = ", ".join(f"{k} {v:.0%}" for k, v in c.family_share.items())
    out.print(
        msg(
            "cli_stress_conc",
            lang,
            hc=f"[bold]{c.hhi_countries:,.0f}[/]",
            shares=shares or msg("cli_none", lang),
            hf=f"[bold]{c.hhi_families:,.0f}[/]",
            fams=fams,
        )
    )


def _write_report(path: Path, stress: Any, front: Any, bands: Any = None, lang: str = "en") -> None:
    from corridor.report.html import write_report
    from corridor.report.risk import render_risk_report

    try:
        write_report(path, render_risk_report(stress, front, bands=bands, lang=lang))
    except OSError as exc:
        raise cannot_write_report(path, exc.strerror or exc) from None
    report_written(path)


# --------------------------------------------------------------------------- frontier


@app.command("frontier")
def frontier_cmd(
    contracts: Annotated[
        Path, typer.Argument(help="Contracts file (.yaml/.csv) or a plan saved as JSON.")
    ],
    scenarios: Annotated[
        int, typer.Option("--scenarios", help="Simulated years the LP optimises over.")
    ] = 4_000,
    seed: SeedOpt = 0,
    alpha: Annotated[float, typer.Option("--alpha", help="CVaR level (0.95: worst 5 %).")] = 0.95,
    measure: Annotated[
        str, typer.Option("--measure", help="usd (extra cost + lost cargo value) or tonnes.")
    ] = "usd",
    points: Annotated[int, typer.Option("--points", help="Points on the frontier.")] = 9,
    loss: Annotated[
        str,
        typer.Option(
            "--loss",
            help="cost (stationary years, see --measure), stockout (stock-out days at "
            "--usd-per-stockout-day + extra cost) or undelivered (tonnes at --usd-per-t + "
            "extra cost): the last two simulate China/Trans-Caspian splits in time.",
        ),
    ] = "cost",
    stock_days: Annotated[
        float, typer.Option("--stock-days", help="Buyer's safety stock in days (in time).")
    ] = 30.0,
    usd_per_stockout_day: Annotated[
        float,
        typer.Option(
            "--usd-per-stockout-day",
            help="Value of a stock-out day, USD (estimate 100,000, range 36,500–365,000: "
            "docs/risk.md).",
        ),
    ] = 100_000.0,
    usd_per_t: Annotated[
        float | None,
        typer.Option("--usd-per-t", help="Value of an undelivered tonne (default: cargo value)."),
    ] = None,
    step: Annotated[
        float, typer.Option("--step", help="Step of the China share between splits (in time).")
    ] = 0.1,
    scenario: ScenarioOpt = None,
    single_route: SingleOpt = False,
    timing: TimingOpt = "stationary",
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    report: ReportOpt = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
) -> None:
    """Mean–CVaR frontier: what each cut of tail loss costs, and where the plans sit."""
    from corridor.risk.frontier import frontier

    _check_format(fmt, output)
    language_ = language(lang)
    if loss not in ("cost", "stockout", "undelivered"):
        raise RequestError(f"--loss must be cost, stockout or undelivered, not '{loss}'")
    net, scenario_name = _network(data, overlay, scenario, as_of)
    allocation = _allocation(contracts, net, single_route)
    if loss == "cost":
        result = frontier(
            allocation,
            scenarios=scenarios,
            seed=seed,
            alpha=alpha,
            measure=measure,
            points=points,
            timing=timing,
            scenario=scenario_name,
        )
    else:
        from corridor.risk.frontier_intime import frontier_in_time

        with _progress() as bar:
            task = bar.add_task("frontier in time", total=scenarios)
            result = frontier_in_time(
                allocation,
                loss=loss,
                years=scenarios,
                seed=seed,
                alpha=alpha,
                stock_days=stock_days,
                usd_per_stockout_day=usd_per_stockout_day,
                usd_per_t=usd_per_t,
                step=step,
                scenario=scenario_name,
                progress=lambda done: bar.update(task, completed=done),
            )
    if fmt == "json":
        _json(result.to_dict())
    elif fmt in EXPORTS:
        write_export(result, fmt, output, net, lang=language_)
    else:
        _frontier_tables(result, language_)
    if report:
        _write_report(report, None, result, lang=language_)
    _save(result, store, no_store)


def _frontier_tables(r: Any, lang: str = "en") -> None:
    from corridor.i18n import localise
    from corridor.i18n import t as msg
    from corridor.report.risk import frontier_heads, frontier_rows, split_rows

    points, plans = frontier_rows(r, lang)
    point_head, plan_head = frontier_heads(r, lang)
    n = f"{r.scenarios:,}"
    what = msg("cli_frontier_scenarios" if r.loss == "cost" else "cli_frontier_years", lang, n=n)
    _table(msg("cli_frontier_title", lang, what=what), point_head, points)
    if r.evaluated:
        head, rows = split_rows(r, lang)
        _table(msg("cli_frontier_splits", lang), head, rows)
    _table(msg("cli_frontier_plans", lang), plan_head, plans)
    for note in r.notes:
        out.print(f"[dim]{msg('versus_note', lang)}: {localise(note, lang)}[/]")


# --------------------------------------------------------------------------- what-if


@app.command("whatif")
def whatif_cmd(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML), see docs/risk.md.")],
    contracts: Annotated[
        Path | None, typer.Option("--contracts", help="Plan these contracts on both networks.")
    ] = None,
    commodity: Annotated[str | None, typer.Option("--commodity", help="Commodity id.")] = None,
    origin: Annotated[str | None, typer.Option("--origin", help="Origin node id.")] = None,
    destination: Annotated[
        str | None, typer.Option("--destination", help="Destination node id.")
    ] = None,
    volume: Annotated[
        float | None,
        typer.Option(
            "--volume",
            help="Annual tonnes (for delivered tonnes).",
            parser=checked(_volume, "--volume"),
        ),
    ] = None,
    stock_days: Annotated[
        float,
        typer.Option("--stock-days", help="Buyer's safety stock in days of consumption."),
    ] = 30.0,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
) -> None:
    """What a scenario changes against the base: cost, time, capacity, delivered tonnes;
    dated closures also in time (late tonnes, stock-out days, extra cost)."""
    from corridor.analysis.whatif import whatif
    from corridor.cli.whatif_view import whatif_tables

    language_ = language(lang)
    _check_format(fmt, output)
    net = _net(data, overlay, as_of)
    result = whatif(
        scenario,
        contracts=contracts,
        commodity=commodity,
        origin=origin,
        destination=destination,
        volume=volume,
        network=net,
        stock_days=stock_days,
    )
    if fmt == "json":
        _json(result.to_dict())
        return
    if fmt in EXPORTS:
        write_export(result, fmt, output, net, lang=language_)
        return
    whatif_tables(result, net, language_)
