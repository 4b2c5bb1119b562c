"""``corridor exposure``: the risk exposure index of a plan (docs/risk.md#exposure-index).

Importing this module registers the command on :data:`corridor.cli.app`. The table, the
notes and the HTML report follow ``--lang`` (else the locale); JSON and CSV keep their
English field names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from corridor.cli._app import (
    AsOfOpt,
    DataOpt,
    OverlayOpt,
    ReportOpt,
    _json,
    _save,
    app,
    cannot_write_report,
    out,
    report_written,
)
from corridor.cli.brief import LangOpt, language
from corridor.cli.export import EXPORTS, OutputOpt, check_output, write_export
from corridor.cli.risk import (
    NoStoreOpt,
    ScenarioOpt,
    SingleOpt,
    StoreOpt,
    _allocation,
    _network,
)
from corridor.errors import RequestError


@app.command("exposure")
def exposure_cmd(
    plan_or_contracts: Annotated[
        Path, typer.Argument(help="Contracts file (.yaml/.csv: planned first) or a plan's JSON.")
    ],
    stock_days: Annotated[
        float,
        typer.Option(
            "--stock-days",
            help="Buyer's safety stock in days for contracts that give no stock_days.",
        ),
    ] = 30.0,
    measure: Annotated[
        str, typer.Option("--measure", help="What the index ranks: usd, stockout or late.")
    ] = "usd",
    ttr: Annotated[
        str, typer.Option("--ttr", help="Time to recover: median (typical) or p95 (a bad case).")
    ] = "median",
    start_day: Annotated[
        int, typer.Option("--start-day", help="Day of the year the element is lost (0 = 1 Jan).")
    ] = 0,
    fmt: Annotated[
        str, typer.Option("--format", help="table, json, csv, xlsx or parquet")
    ] = "table",
    output: OutputOpt = None,
    top: Annotated[int, typer.Option("--top", help="Rows shown in the table.")] = 15,
    lang: LangOpt = None,
    report: ReportOpt = None,
    scenario: ScenarioOpt = None,
    single_route: SingleOpt = False,
    store: StoreOpt = None,
    no_store: NoStoreOpt = False,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Risk exposure index: time to recover against time to survive for every node, link and
    chokepoint the plan uses, and the impact of losing each for its TTR (docs/risk.md)."""
    from corridor.risk.exposure import exposure_index

    language_ = language(lang)
    if fmt not in ("table", "json", *EXPORTS):
        raise RequestError(f"--format must be table, json, {', '.join(EXPORTS)}, not '{fmt}'")
    check_output(fmt, output)
    net, scenario_name = _network(data, overlay, scenario, as_of)
    allocation = _allocation(plan_or_contracts, net, single_route)
    result = exposure_index(
        allocation,
        stock_days=stock_days,
        measure=measure,
        ttr=ttr,
        start_day=start_day,
        scenario=scenario_name,
    )
    if fmt == "json":
        _json(result.to_dict())
    elif fmt == "csv" and output is None:
        _exposure_csv(result)  # the index's own columns, to standard output
    elif fmt in EXPORTS:
        write_export(result, fmt, output, net, "exposure", lang=language_)
    else:
        _exposure_table(result, top, language_)
    if report is not None:
        _write_report(report, result, language_)
    _save(result, store, no_store)


def _exposure_table(r: Any, top: int, lang: str) -> None:
    from corridor.cli._app import _rows_table
    from corridor.report.exposure import COLUMNS, columns, notes, row_cells, title

    heads = columns(lang)
    rows = [row_cells(x, lang, r.allocation.network) for x in r.rows][: max(top, 1)]
    _rows_table(title(r, lang), heads, rows, range(2, len(COLUMNS)))
    for note in notes(r, lang):
        out.print(f"[dim]{note}[/]")


def _write_report(path: Path, result: Any, lang: str) -> None:
    from corridor.report.exposure import render_exposure_report
    from corridor.report.html import write_report

    try:
        write_report(path, render_exposure_report(result, lang))
    except OSError as exc:
        raise cannot_write_report(path, exc.strerror or exc) from None
    report_written(path)


CSV_COLUMNS = (
    "element",
    "type",
    "kind",
    "name",
    "same",
    "ttr_days",
    "ttr_low",
    "ttr_high",
    "ttr_basis",
    "tts_days",
    "single_point_of_failure",
    "stockout_days",
    "late_t",
    "undelivered_t",
    "extra_cost_usd",
    "index",
)


def _exposure_csv(r: Any) -> None:
    import csv
    import sys

    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for x in r.rows:
        writer.writerow(
            [
                x.element.id,
                x.element.type,
                x.element.kind,
                x.element.name,
                "|".join(x.same),
                x.ttr.days,
                x.ttr.low,
                x.ttr.high,
                x.ttr.basis,
                "" if x.tts_days is None else x.tts_days,
                x.single_point,
                x.impact.stockout_days,
                x.impact.late_t,
                x.impact.undelivered_t,
                round(x.impact.extra_cost_usd, 2),
                round(x.index, 6),
            ]
        )
