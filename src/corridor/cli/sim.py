"""Command line for the discrete-event simulation: ``corridor simulate``.

Importing this module registers the command on :data:`corridor.cli.app`. SimPy, NumPy and
the model load inside the command, so other commands do not pay for them.
"""

from __future__ import annotations

import json
import math
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from corridor.cli._app import (
    DashboardOpt,
    DataOpt,
    OverlayOpt,
    _net,
    announce_dashboard,
    app,
    cannot_write_report,
    check_dashboard,
    err,
    out,
    report_written,
)
from corridor.cli.brief import LangOpt, language
from corridor.errors import RequestError
from corridor.network import Network

if TYPE_CHECKING:
    from corridor.sim import SimResult, WhatIf
    from corridor.sim.run import Prepared

_FORMATS = ("table", "json")


@app.command("simulate")
def simulate_cmd(
    commodity: Annotated[str, typer.Option("--commodity", help="Commodity id.")],
    origin: Annotated[str, typer.Option("--origin", help="Origin node id.")],
    destination: Annotated[str, typer.Option("--destination", help="Destination node id.")],
    volume: Annotated[
        float | None, typer.Option("--volume", help="Tonnes of the traced cargo per year.")
    ] = None,
    contracts: Annotated[
        Path | None,
        typer.Option("--contracts", help="Contracts file: the volume of the matching contracts."),
    ] = None,
    replications: Annotated[int, typer.Option("--replications", help="Replications.")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the replications.")] = 0,
    horizon: Annotated[float, typer.Option("--horizon-days", help="Simulated days.")] = 365.0,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Run on a local Dask cluster of N processes.")
    ] = None,
    dashboard: DashboardOpt = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    write_dwell: Annotated[
        Path | None,
        typer.Option("--write-dwell", help="Write the simulated dwell as an --overlay folder."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write a self-contained HTML report.")
    ] = None,
    extra_ferries: Annotated[int, typer.Option("--extra-ferries", help="What-if.")] = 0,
    extra_berths: Annotated[
        int, typer.Option("--extra-berths", help="What-if: container berths added at Poti.")
    ] = 0,
    customs_cut: Annotated[
        float, typer.Option("--customs-cut-hours", help="What-if: hours off every dwell.")
    ] = 0.0,
    handling: Annotated[
        float,
        typer.Option("--handling-factor", help="What-if: loading rate × (ferries, feeders, Poti)."),
    ] = 1.0,
    handling_port: Annotated[
        str | None, typer.Option("--handling-port", help="Port of --handling-factor.")
    ] = None,
    second_track: Annotated[
        bool, typer.Option("--second-track", help="What-if: Dostyk–Moyinty double track.")
    ] = False,
    storm: Annotated[
        float, typer.Option("--storm-factor", help="What-if: storm closure days ×.")
    ] = 1.0,
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    lang: LangOpt = None,
) -> None:
    """Simulate the Caspian queues the cargo meets: dwell per stage, time distribution,
    queues, utilisation, throughput; with what-if options, the change against the base."""
    from corridor.sim import WhatIf

    if fmt not in _FORMATS:
        raise RequestError(f"--format must be table or json, not '{fmt}'")
    if workers is not None and not 1 <= workers <= 64:
        raise RequestError(f"--workers must be 1–64, got {workers}")
    check_dashboard(dashboard, workers)
    language_ = language(lang)
    net = _net(data, overlay)
    tonnes = _volume(net, commodity, origin, volume, contracts)
    whatif = WhatIf(
        handling_factor=handling,
        handling_port=handling_port,
        extra_ferries=extra_ferries,
        extra_berths=extra_berths,
        customs_cut_hours=customs_cut,
        second_track=second_track,
        storm_factor=storm,
    )
    whatif.check()
    if handling_port is not None and not net.has("nodes", handling_port):
        raise RequestError(f"--handling-port: unknown node '{handling_port}'")
    cases: list[WhatIf | None] = [None] if whatif == WhatIf() else [None, whatif]
    from corridor.sim.run import check_runs, prepare

    check_runs(replications, seed)
    prepared = [
        prepare(net, commodity, origin, destination, tonnes, whatif=c, horizon_days=horizon)
        for c in cases
    ]
    results = _run(prepared, replications, seed, workers, dashboard)
    base = results[0]
    if write_dwell is not None:
        from corridor.sim import write_dwell as write

        folder = write(base, net, write_dwell)
        err.print(f"dwell overlay written to {folder} (use it with --overlay {folder})")
    if report is not None:
        from corridor.report.html import write_report
        from corridor.report.sim import render_sim_report

        try:
            write_report(report, render_sim_report(base, lang=language_))
        except OSError as exc:
            raise cannot_write_report(report, exc, "cli_report_cannot_write") from None
        report_written(report)
    if fmt == "json":
        from corridor.sim.run import payload

        case = results[1] if len(results) > 1 else None
        sys.stdout.write(json.dumps(payload(base, case), ensure_ascii=False, indent=2) + "\n")
        return
    _tables(base)
    if len(results) > 1:
        _delta_table(base, results[1])


def _volume(
    net: Network, commodity: str, origin: str, volume: float | None, contracts: Path | None
) -> float:
    if (volume is None) == (contracts is None):
        raise RequestError("give either --volume T or --contracts FILE")
    if volume is not None:
        if not math.isfinite(volume) or volume <= 0:
            raise RequestError(f"--volume must be a positive number of tonnes, got {volume}")
        return volume
    from corridor.contracts import load_contracts

    assert contracts is not None
    portfolio = load_contracts(contracts, net)
    tonnes = sum(
        c.volume_t_per_year
        for c in portfolio.contracts
        if c.commodity == commodity and origin in c.origins
    )
    if tonnes <= 0:
        raise RequestError(f"{contracts}: no contract moves {commodity} from {origin}")
    return tonnes


def _run(
    prepared: list[Prepared],
    replications: int,
    seed: int,
    workers: int | None,
    dashboard: bool = False,
) -> list[SimResult]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from corridor.sim.run import run_prepared

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn())
    timing = (TextColumn("replications"), TimeElapsedColumn(), TimeRemainingColumn())
    results = []
    client = _client(workers, dashboard)
    try:
        with Progress(*columns, *timing, console=err, transient=False) as bar:
            for i, prep in enumerate(prepared):
                task = bar.add_task("simulate" if i == 0 else "what-if", total=replications)
                progress = partial(bar.advance, task)
                results.append(
                    run_prepared(prep, replications, seed, client=client, progress=progress)
                )
    finally:
        if client is not None:
            client.close()
            client.cluster.close()
    return results


def _client(workers: int | None, dashboard: bool = False) -> Any:
    if not workers or workers == 1:
        return None
    from corridor.risk.runner import local_cluster

    try:
        from distributed import Client
    except ImportError:
        raise RequestError(
            "--workers runs on Dask, which is not installed: pip install 'corridor[risk]'"
        ) from None
    cluster = local_cluster(workers, announce_dashboard if dashboard else None)
    return Client(cluster)  # type: ignore[no-untyped-call]


def _ci(mean: float, half: float, digits: int = 1) -> str:
    if math.isnan(mean):
        return "—"
    return f"{mean:,.{digits}f}" + ("" if math.isnan(half) else f" ± {half:,.{digits}f}")


def _tables(r: SimResult) -> None:
    e = r.end_to_end_days
    out.print(f"[bold]{r.commodity}[/] {r.origin} → {r.destination}: {' → '.join(r.route_nodes)}")
    out.print(
        f"{r.replications} replications of {r.horizon_days:g} days, seed {r.seed}, "
        f"{r.volume_t:,.0f} t traced among the background traffic"
    )
    out.print(
        f"End to end: mean {_ci(e.mean, e.half_width, 2)} days (95 % CI), "
        f"p50 {r.p50_days:.2f}, p95 {r.p95_days:.2f}"
        + (f"; {r.unfinished} shipment(s) not arrived" if r.unfinished else "")
    )
    stages = Table(title="Dwell of the traced cargo per stage (hours)")
    stages.add_column("stage")
    stages.add_column("mean ± 95 % CI", justify="right")
    for label, est in r.stage_hours.items():
        stages.add_row(label, _ci(est.mean, est.half_width))
    out.print(stages)
    res = Table(title="Resources")
    for col in ("resource", "utilisation", "mean queue", "max queue", "mean wait h", "served"):
        res.add_column(col, justify="left" if col == "resource" else "right")
    for name, f in r.resources.items():
        util = f["utilisation"]
        res.add_row(
            name,
            "—" if math.isnan(util.mean) else f"{util.mean:.0%}",
            _ci(f["mean_queue"].mean, f["mean_queue"].half_width),
            _ci(f["max_queue"].mean, math.nan, 0),
            _ci(f["mean_wait_h"].mean, f["mean_wait_h"].half_width),
            _ci(f["served"].mean, math.nan, 0),
        )
    out.print(res)
    for port, est in r.throughput_t_per_year.items():
        fleet = "Feeder" if port.endswith(" feeders") else "Rail-ferry"
        where = port.removesuffix(" feeders")
        out.print(f"{fleet} throughput at {where}: {_ci(est.mean, est.half_width, 0)} t/yr")


def _delta(base: SimResult, case: SimResult) -> dict[str, Any]:
    from corridor.sim import delta

    return delta("whatif", base, case).to_dict()


def _delta_table(base: SimResult, case: SimResult) -> None:
    d = _delta(base, case)
    t = Table(title="What-if against the base (same seed)")
    for col in ("", "base", "what-if", "change"):
        t.add_column(col, justify="left" if not col else "right")
    total_b = sum(e.mean for e in base.throughput_t_per_year.values())
    total_c = sum(e.mean for e in case.throughput_t_per_year.values())
    rows = [
        ("mean days", base.end_to_end_days.mean, case.end_to_end_days.mean, d["mean_days"]),
        ("p95 days", base.p95_days, case.p95_days, d["p95_days"]),
        ("throughput t/yr", total_b, total_c, d["throughput_t_per_year"]),
        ("China–Europe days", base.china_days.mean, case.china_days.mean, d["china_europe_days"]),
    ]
    for name, b, c, change in rows:
        t.add_row(name, f"{b:,.2f}", f"{c:,.2f}", f"{change:+,.2f}")
    out.print(t)
