"""Command line for model validation: ``validate-model``.

Importing this module registers the command on :data:`corridor.cli.app`. Nothing here
computes a number: it calls :mod:`corridor.analysis.validation` and renders.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from corridor.cli._app import AsOfOpt, DataOpt, OverlayOpt, _net, app, out
from corridor.cli.brief import LangOpt, language
from corridor.errors import RequestError
from corridor.i18n import Message, localise
from corridor.i18n import t as msg

COLUMNS = ("id", "figure", "use", "published", "model", "inside", "source", "route")


UNIT_KEYS = {"d": "unit_days", "t/yr": "unit_t_per_yr", "km/d": "val_unit_km_per_day"}


def _unit(unit: str, lang: str) -> str:
    """A unit of the validation table in ``lang`` (English keeps the table's)."""
    return unit if lang == "en" or unit not in UNIT_KEYS else msg(UNIT_KEYS[unit], lang)


def _number(value: float, unit: str) -> str:
    return f"{value:,.1f}" if unit == "d" else f"{value:,.0f}"


@app.command("validate-model")
def validate_model_cmd(
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    data: DataOpt = None,
    overlay: OverlayOpt = None,
    as_of: AsOfOpt = None,
    table: Annotated[
        Path | None,
        typer.Option("--table", help="A validation table to use instead of the bundled one."),
    ] = None,
    simulate: Annotated[
        int,
        typer.Option(
            "--simulate",
            help="Replications of the queue simulation for the rows it answers (0: skip them).",
        ),
    ] = 0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 0,
    lang: LangOpt = None,
) -> None:
    """The model beside published route-level figures, and whether it falls inside each range."""
    from corridor.analysis.validation import load_published, validate_model

    lang_ = language(lang)
    if fmt not in ("table", "json"):
        raise RequestError(Message("val_format", fmt=fmt))
    published = None
    if table is not None:
        try:
            text = table.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise RequestError(
                Message("val_cannot_read", path=str(table), error=str(exc))
            ) from None
        published = load_published(text, str(table))
    net = _net(data, overlay, as_of)
    checks = validate_model(net, published, replications=simulate, seed=seed)
    if fmt == "json":
        doc = {
            "kind": "validation",
            "as_of": None if net.as_of is None else net.as_of.isoformat(),
            "checks": [c.to_dict() for c in checks],
        }
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    _table(checks, net.as_of, lang_)


def _table(checks: Any, as_of: Any, lang: str) -> None:
    """The checks as a table, with the verdict of each; in ``lang``."""
    t = Table(title=msg("val_cli_title", lang, as_of=as_of), title_justify="left")
    for key in COLUMNS:
        name = msg(f"val_cli_col_{key}", lang)
        t.add_column(name, overflow="fold", justify="right" if key == "model" else "left")
    verdicts = {
        True: f"[green]{msg('val_cli_inside', lang)}[/]",
        False: f"[red]{msg('val_cli_outside', lang)}[/]",
        None: "—",
    }
    for c in checks:
        p = c.published
        rng = _number(p.low, p.unit)
        if p.high != p.low:
            rng += f"–{_number(p.high, p.unit)}"
        model = "—" if c.model is None else _number(c.model, p.unit)
        figure = p.figure_ja if lang == "ja" and p.figure_ja else p.figure
        use = msg(f"val_cli_use_{p.use}", lang)
        detail = localise(c.detail, lang)
        published = f"{rng} {_unit(p.unit, lang)}"
        t.add_row(p.id, figure, use, published, model, verdicts[c.inside], p.source, detail)
    out.print(t)
    out.print(f"[dim]{msg('val_cli_footer', lang)}[/]")
