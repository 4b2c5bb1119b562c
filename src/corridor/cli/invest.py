"""Command line for investment appraisal: ``corridor invest``.

Importing this module registers the command on :data:`corridor.cli.app`. Planning and the
MILP load inside the command.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli._app import (
    DataOpt,
    OverlayOpt,
    _json,
    _net,
    _rows_table,
    _save,
    app,
    err,
    out,
)
from corridor.cli.brief import LangOpt, language
from corridor.cli.plan import NoStoreOpt, StoreOpt
from corridor.errors import RequestError
from corridor.invest.intime import DEFAULT_YEARS

if TYPE_CHECKING:
    from corridor.invest import InvestResult
    from corridor.invest.evaluate import Evaluation
    from corridor.invest.queues import QueueEffect

_FORMATS = ("table", "json")
DEFAULT_CONTRACTS = Path("examples/contracts.yaml")


def _budget(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise RequestError(f"--budget must be a number of USD, not '{value}'") from None
    if not math.isfinite(number) or number < 0:
        raise RequestError(f"--budget must be a non-negative number of USD, not '{value}'")
    return number


@app.command("invest")
def invest_cmd(
    budget: Annotated[
        str | None,
        typer.Option("--budget", help="Budget in USD for the selection (default: no limit)."),
    ] = None,
    contracts: Annotated[
        Path,
        typer.Option("--contracts", help="Contracts file (.yaml or .csv)."),
    ] = DEFAULT_CONTRACTS,
    project: Annotated[
        list[str] | None,
        typer.Option("--project", help="Evaluate only this project id (repeatable)."),
    ] = None,
    no_traffic: Annotated[
        bool,
        typer.Option("--no-corridor-traffic", help="Evaluate on the contracts alone."),
    ] = False,
    discount: Annotated[
        float, typer.Option("--discount-rate", help="Real discount rate per year (0.06).")
    ] = 0.06,
    years: Annotated[
        int,
        typer.Option(
            "--years",
            help="Simulated years per plan for stock-out days and CVaR (0: skip the in-time risk).",
        ),
    ] = DEFAULT_YEARS,
    simulate: Annotated[
        int,
        typer.Option(
            "--simulate",
            help="Replications of the queue simulation for the projects that change a queue "
            "(0: not simulated).",
        ),
    ] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    report: Annotated[
        Path | None, typer.Option("--report", help="Write an HTML report (ranked table, chart).")
    ] = None,
    lang: LangOpt = None,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
) -> None:
    """Rank the bundled projects (projects.csv) by benefit per dollar on the contracts and
    the corridor's traffic, and choose the best set under a budget."""
    if fmt not in _FORMATS:
        raise RequestError(f"--format must be table or json, not '{fmt}'")
    amount = _budget(budget)
    language_ = language(lang)
    if not contracts.is_file():
        raise RequestError(f"--contracts: no file {contracts}")
    from corridor.invest import Money, invest
    from corridor.invest.intime import RiskSettings

    if years < 0:
        raise RequestError(f"--years must be ≥ 0, not {years}")
    money = Money(discount_rate=discount)
    net = _net(data, overlay)
    result = invest(
        contracts,
        network=net,
        budget_usd=amount,
        projects=project or None,
        money=money,
        corridor_traffic=not no_traffic,
        risk=RiskSettings(years=years) if years else None,
    )
    if report is not None:
        from corridor.report.html import write_report
        from corridor.report.invest import render_invest_report

        try:
            write_report(report, render_invest_report(result, language_))
        except OSError as exc:
            raise RequestError(f"--report {report}: cannot write: {exc}") from None
        err.print(f"report written to {report}")
    queues = _queues(result, simulate)
    if fmt == "json":
        doc = result.to_dict()
        if simulate:
            doc["queues"] = {"replications": simulate, "effects": [q.to_dict() for q in queues]}
        _json(doc)
    else:
        _tables(result, language_)
        if simulate:
            _queue_table(result, queues, language_, simulate)
    _save(result, store, no_store)


def _queues(r: InvestResult, replications: int) -> list[QueueEffect]:
    if not replications:
        return []
    from corridor.invest.queues import queue_effects

    chosen = {i for e in r.ranked for i in e.ids}
    projects = [p for p in r.network.projects if p.id in chosen]
    return queue_effects(r.network, projects, replications=replications)


def _queue_table(r: InvestResult, queues: list[QueueEffect], lang: str, n: int) -> None:
    names = {
        p.id: (p.name_ja or p.name_en) if lang == "ja" else p.name_en for p in r.network.projects
    }
    rows = [
        [
            names.get(q.project, q.project),
            q.cargo,
            f"{q.base_days_mean:.1f}",
            f"{q.days_mean_change:+.2f}",
            f"{q.days_p95_change:+.2f}",
            f"{q.throughput_change_t_per_year:+,.0f}",
        ]
        for q in queues
    ]
    _rows_table(
        f"Queues: Almaty → Poti simulated with and without ({n} replications, same seed)",
        ["project", "cargo", "days now", "Δ mean days", "Δ p95 days", "Δ port t/yr"],
        rows,
        right={2, 3, 4, 5},
    )
    out.print(
        "Common random numbers: each project is simulated with the seed of the run without it. "
        "The simulation takes customs hours off every dwell of the route, not only the "
        "project's ports; Poti's container berths serve cargo that leaves Poti by sea, not "
        "cargo that ends there; a project missing here changes no simulated queue.",
        markup=False,
    )


def _m(usd: float) -> str:
    return f"{usd / 1e6:,.1f}"


def _tables(r: InvestResult, lang: str) -> None:
    projects = {p.id: p for p in r.network.projects}

    def name(e: Evaluation) -> str:
        p = projects.get(e.ids[0])
        if p is None or e.combination:
            return e.name
        return (p.name_ja or p.name_en) if lang == "ja" else p.name_en

    rows = []
    for i, e in enumerate(r.ranked, 1):
        lo, hi = e.npv("low"), e.npv("high")
        rows.append(
            [
                str(i),
                name(e),
                _m(e.capex_usd),
                f"{e.extra_t_per_year + e.extra_corridor_t_per_year:,.0f}",
                f"{e.days_saved_per_t:.2f}",
                stockout_change(e),
                _m(e.stockout_benefit()),
                _m(e.benefit()),
                f"{_m(e.npv())} [{_m(min(lo, hi))}, {_m(max(lo, hi))}]",
                f"{e.bcr():.2f}",
            ]
        )
    _rows_table(
        f"Projects ranked by benefit–cost ratio, NPV at {r.money.discount_rate:.0%} (USD m)",
        [
            "#",
            "project",
            "capex",
            "extra t/yr",
            "days saved/t",
            "Δ stock-out d/yr",
            "of which stock-out/yr",
            "benefit/yr",
            "NPV [band]",
            "BCR",
        ],
        rows,
        right={0, 2, 3, 4, 5, 6, 7, 8, 9},
    )
    chosen = r.selected
    budget = "no limit" if r.budget_usd is None else f"USD {_m(r.budget_usd)} m"
    out.print(f"Selected under {budget}: ", end="")
    out.print(
        ", ".join(name(e) for e in chosen) or "nothing (no project of positive NPV fits)",
        markup=False,
    )
    out.print(f"total capex USD {_m(r.selection.capex_usd)} m, NPV USD {_m(r.selection.npv_usd)} m")
    out.print(r.approximation(), markup=False)


def stockout_change(e: Evaluation) -> str:
    from corridor.report.invest import stockout_change as text

    return text(e)
