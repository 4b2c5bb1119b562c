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
    cannot_write_report,
    out,
    report_written,
)
from corridor.cli.brief import LangOpt, language
from corridor.cli.plan import NoStoreOpt, StoreOpt
from corridor.errors import RequestError
from corridor.i18n import localise, t

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
    ] = 1_000,  # corridor.invest.intime.DEFAULT_YEARS (tested equal; imported late)
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
            raise cannot_write_report(report, exc, "cli_report_cannot_write") from None
        report_written(report)
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


def _project_names(r: InvestResult, lang: str) -> dict[str, str]:
    """Project id -> name in ``lang`` (Japanese falls back to English)."""
    return {
        p.id: (p.name_ja or p.name_en) if lang == "ja" else p.name_en for p in r.network.projects
    }


def _queue_table(r: InvestResult, queues: list[QueueEffect], lang: str, n: int) -> None:
    names = _project_names(r, lang)
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
    cols = ("project", "cargo", "days", "mean", "p95", "port")
    _rows_table(
        t("invest_cli_queues", lang, n=n),
        [t(f"invest_cli_q_{c}", lang) for c in cols],
        rows,
        right={2, 3, 4, 5},
    )
    out.print(t("invest_cli_q_note", lang), markup=False)


def _m(usd: float) -> str:
    return f"{usd / 1e6:,.1f}"


_COLUMNS = ("invest_col_rank", "invest_col_project", "invest_cli_capex", "invest_cli_extra",
            "invest_cli_days", "invest_cli_stockout", "invest_cli_stockout_value",
            "invest_cli_benefit", "invest_cli_npv", "invest_col_bcr")  # fmt: skip


def _tables(r: InvestResult, lang: str) -> None:
    names = _project_names(r, lang)

    def name(e: Evaluation) -> str:
        if lang == "en" and (e.combination or e.ids[0] not in names):
            return e.name
        return " + ".join(names.get(i, i) for i in e.ids)

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
        t("invest_cli_title", lang, rate=f"{r.money.discount_rate:.0%}"),
        [t(k, lang) for k in _COLUMNS],
        rows,
        right={0, 2, 3, 4, 5, 6, 7, 8, 9},
    )
    usd = (
        t("invest_cli_no_limit", lang)
        if r.budget_usd is None
        else t("invest_cli_usd_m", lang, m=_m(r.budget_usd))
    )
    out.print(t("invest_cli_selected", lang, budget=usd), end="")
    out.print(
        ", ".join(name(e) for e in r.selected) or t("invest_nothing", lang),
        markup=False,
    )
    total = {"capex": _m(r.selection.capex_usd), "npv": _m(r.selection.npv_usd)}
    out.print(t("invest_cli_total", lang, **total))
    out.print(localise(r.approximation(), lang), markup=False)


def stockout_change(e: Evaluation) -> str:
    from corridor.report.invest import stockout_change as text

    return text(e)
