"""``corridor network``: what the network holds, one record with its sources, validation."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from corridor._json import plain
from corridor.errors import RequestError
from corridor.network.load import load_network
from corridor.network.model import Network

if TYPE_CHECKING:
    pass
from corridor.cli._app import AsOfOpt, DataOpt, OverlayOpt, _net, _text, app, out

network_app = typer.Typer(help="Inspect and validate the network tables.", no_args_is_help=True)
app.add_typer(network_app, name="network")


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
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Counts by kind, mode, country and route family; or one record with its sources."""
    net = _net(data, overlay, as_of)
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
    tables = ("nodes", "links", "commodities", "exposures", "emission_factors", "sources")
    for table in (*tables, "regimes", "buyers"):
        if net.has(table, record_id):
            return table, net.record(table, record_id)
    near = net.similar_ids(record_id)
    hint = f" (did you mean {', '.join(near)}?)" if near else ""
    raise RequestError(
        f"no node, link, commodity, exposure, source, regime or buyer has the id '{record_id}'"
        + hint
    )


def _show_record(net: Network, record_id: str, fmt: str) -> None:
    table, rec = _record(net, record_id)
    fields = {k.rstrip("_"): v for k, v in vars(rec).items()}
    provenance = fields.pop("sources", {}) if table != "sources" else {}
    if isinstance(provenance, tuple):  # a buyer profile names its sources as one list
        provenance = {"profile": provenance}
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
