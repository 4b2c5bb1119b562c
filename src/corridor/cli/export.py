"""The export formats of every command: ``--format csv|xlsx|parquet [--output FILE]``.

A command hands its result here when the format is one of :data:`EXPORTS`; CSV without
``--output`` goes to standard output, the binary formats need ``--output``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from corridor.errors import RequestError
from corridor.export import BINARY, export
from corridor.export import FORMATS as EXPORTS
from corridor.i18n import t
from corridor.network.model import Network

OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="File for --format csv, xlsx or parquet (required for xlsx and parquet).",
    ),
]

__all__ = ["EXPORTS", "OutputOpt", "check_output", "write_export"]

_err = Console(stderr=True, highlight=False)


def check_output(fmt: str, output: Path | None) -> None:
    """Refuse a binary format without ``--output`` before any work is done."""
    if fmt in BINARY and output is None:
        raise RequestError(f"--format {fmt} writes a binary file: give an output file FILE.{fmt}")


def write_export(
    result: Any,
    fmt: str,
    output: Path | None,
    net: Network | None,
    kind: str | None = None,
    lang: str = "en",
) -> None:
    """Export ``result`` in ``fmt`` to ``output`` (CSV to standard output when None)."""
    if net is None:
        from corridor.analysis.queries import default_network

        net = default_network()
    text, files = export(result, fmt, output, net, kind, lang)
    if text is not None:
        sys.stdout.write(text)
    for f in files:
        _err.print(t("cli_export_written", lang, path=str(f)), markup=False)
