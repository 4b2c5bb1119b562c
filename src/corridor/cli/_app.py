"""Command line: parse, call the library, render. Nothing here computes a number."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Container
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from corridor import validate
from corridor.cli.brief import CHOSEN, chosen
from corridor.errors import CorridorError, DataError, Problem, RequestError
from corridor.i18n import Message, catalogue, lang_from_env, localise, said, t
from corridor.network.model import Network

if TYPE_CHECKING:
    from corridor.store import StorableResult


class _Group(TyperGroup):
    """The root group: help is shown in the user's language (``--lang``, else the locale);
    only then is the translation imported and put on the tree (:mod:`corridor.cli.help_lang`)."""

    def main(self, args: Any = None, *rest: Any, **extra: Any) -> Any:
        words = list(sys.argv[1:] if args is None else args)
        helping = _asks_for_help(self, words)
        if helping or any(w.startswith("--lang") for w in words) or lang_from_env() != "en":
            from corridor.cli.usage_lang import help_language, usage_words

            lang = help_language(words)
            if lang != "en":  # help and usage errors (a bad option value) in the language
                with contextlib.ExitStack() as words_in:
                    if helping:
                        from corridor.cli.help_lang import localise_tree, rich_words

                        localise_tree(self, lang)
                        words_in.enter_context(rich_words(lang))
                    words_in.enter_context(usage_words(lang))
                    return super().main(args, *rest, **extra)
        return super().main(args, *rest, **extra)


def _asks_for_help(group: Any, words: list[str]) -> bool:
    """Whether these arguments show help: ``--help``, or a group named without a command
    (every group has ``no_args_is_help``)."""
    if "--help" in words:
        return True
    command = group
    for word in words:
        command = getattr(command, "commands", {}).get(word)
        if command is None:
            return False
    return hasattr(command, "commands")


app = typer.Typer(
    cls=_Group,
    help="Routes, costs, capacity and risk of moving strategic raw materials "
    "from Kazakhstan to Japan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Off a terminal (pipes, CI logs) rich would assume 80 columns and fold every table.
# emoji off: names are data, and ":xx:" in one must print as typed (nor load rich's codes)
out = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, emoji=False, width=None if sys.stderr.isatty() else 160)

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
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Date (YYYY-MM-DD) whose chronic states apply (Red Sea regime, Caspian low "
        "water...; default: today).",
    ),
]
ServiceOpt = Annotated[
    str | None,
    typer.Option(
        "--service",
        help="Rail service class: block (scheduled block train) or wagonload "
        "(default: block for containers, class 7 and liquids, wagonload for bulk).",
    ),
]
FORMATS = ("table", "json", "csv", "geojson", "xlsx", "parquet")
UncertaintyOpt = Annotated[
    int,
    typer.Option(
        "--uncertainty",
        help="Draw the estimates jointly N times and show P5/P50/P95 cost bands and the chance "
        "the ranking flips (compare: also the five strongest drivers of the premium; 0: off).",
    ),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the quasi-random draws.")]
DashboardOpt = Annotated[
    bool,
    typer.Option(
        "--dashboard",
        help="With --workers: start Dask's dashboard on 127.0.0.1 (a free port; its address "
        "is printed). Off by default.",
    ),
]


def check_dashboard(dashboard: bool, workers: int | None) -> None:
    """Refuse ``--dashboard`` without a local cluster to show (before any work)."""
    if dashboard and not (workers and workers > 1):
        raise RequestError(
            "--dashboard shows the local Dask cluster: give it with --workers N (N ≥ 2)"
        )


def announce_dashboard(address: str) -> None:
    """Print where the dashboard listens."""
    err.print(f"Dask dashboard: {address}", markup=False)


def _net(data: Path | None, overlay: Path | None, as_of: str | None = None) -> Network:
    from corridor.network.states import network_on, parse_date, today

    try:
        day = parse_date(as_of) if as_of is not None else today()
    except ValueError as exc:
        raise RequestError(f"--as-of: {exc}") from None
    if data is None and overlay is None and not os.environ.get("CORRIDOR_DATA"):
        from corridor.analysis.queries import default_network

        return default_network(day)
    from corridor.network.load import load_network

    return network_on(load_network(data, overlay), day)


def _undated_net(data: Path | None, overlay: Path | None) -> Network:
    """The tables before any dated state is applied, for commands that date the network
    themselves (the market model prices each year on the network of that year)."""
    if data is None and overlay is None and not os.environ.get("CORRIDOR_DATA"):
        from corridor.analysis.queries import bundled_network

        return bundled_network()
    from corridor.network.load import load_network

    return load_network(data, overlay)


def _service(value: str | None) -> str:
    from corridor.costs import SERVICES

    if value is None:
        return ""
    if value not in SERVICES or not value:
        raise RequestError(f"--service must be block or wagonload, not '{value}'")
    return value


def checked(check: Callable[[str, str], Any], option: str) -> Callable[[str], Any]:
    """A typer ``parser`` running one of :mod:`corridor.validate`'s checks on the option's
    text: a bad value is a usage error (exit 2) saying what the option takes."""

    def parse(value: str) -> Any:
        try:
            return check(value, option)
        except validate.InvalidValue as exc:
            raise typer.BadParameter(exc.reason) from None

    return parse


EX_TEMPFAIL = 75
"""Exit code of a run whose result could not be stored (kept in a file instead)."""


def _save(
    result: StorableResult, store: Path | None, no_store: bool, run_id: str | None = None
) -> None:
    """Keep the run. A store that stays busy or cannot be written is an error (exit 75) whose
    message names the file the result was kept in instead: never a silently lost run."""
    if no_store:
        return
    from corridor.store import save_run

    try:
        run_id = save_run(result, store=store, run_id=run_id)
    except RequestError as exc:
        err.print(f"[red]{t('cli_error', chosen())}[/]: {t('cli_run_not_saved', chosen())}", end="")
        err.print(str(exc), markup=False)
        raise typer.Exit(EX_TEMPFAIL) from None
    err.print(t("cli_saved_as_run", chosen(), id=run_id), markup=False)


def report_written(path: Path | str) -> None:
    """Say where a report went, in the command's language."""
    err.print(t("cli_report_written", chosen(), path=path), markup=False)


def cannot_write_report(
    path: Path | str, reason: object, key: str = "cli_cannot_write_report"
) -> RequestError:
    """The error of a report file that could not be written (``reason``: the system's), in
    the command's language; ``key`` is the wording of the command's message."""
    return RequestError(Message(key, path=str(path), reason=str(reason)))


def problem_text(problem: Problem, lang: str) -> str:
    """One problem of an input file in ``lang`` (English: its own text; Japanese: the words
    for row and column, and the message where it is a catalogue message)."""
    if lang == "en":
        return str(problem)
    words = catalogue(lang)
    row, column = (words.get(f"cli_word_{w}", w) for w in problem.words())
    return problem.text(row, column, str(localise(problem.message, lang)))


@app.callback()
def _each_command() -> None:
    """Routes, costs, capacity and risk of moving strategic raw materials from Kazakhstan to
    Japan."""
    CHOSEN.clear()  # a command's language is its own (commands run in-process in tests)


# --------------------------------------------------------------------------- network


def _text(v: Any) -> str:
    if isinstance(v, dt.date):
        return v.isoformat()
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


def _volume(value: str, option: str) -> float:
    return validate.positive(value, option, maximum=validate.MAX_VOLUME_T_PER_YEAR)


def _count(value: str, option: str) -> int:
    return validate.integer(value, option, minimum=1)


def _carbon_price(value: str, option: str) -> float:
    return validate.non_negative(value, option, maximum=validate.MAX_CARBON_PRICE_USD_PER_T)


VolumeOpt = Annotated[
    float | None,
    typer.Option(
        "--volume",
        help="Annual volume, t/yr (premium per year).",
        parser=checked(_volume, "--volume"),
    ),
]
FormatOpt = Annotated[
    str, typer.Option("--format", help="table, json, csv, geojson, xlsx or parquet")
]
ReportOpt = Annotated[
    Path | None, typer.Option("--report", help="Write a self-contained HTML report to this file.")
]
CarbonOpt = Annotated[
    float,
    typer.Option(
        "--carbon-price",
        help="USD per t CO2e added to cost.",
        parser=checked(_carbon_price, "--carbon-price"),
    ),
]
BuyerOpt = Annotated[
    str | None,
    typer.Option(
        "--buyer",
        help="Buyer profile (buyers table) whose sanctions and permits apply: JP (the "
        "default), EU, or none to exclude nothing and flag every regime.",
    ),
]


def _list(values: list[str] | None, option: str | None = None) -> list[str]:
    """Repeatable, comma-separated ids; with ``option``, an empty id is an error naming it
    (an empty filter would silently mean "no filter")."""
    found = [v.strip() for item in values or [] for v in item.split(",")]
    if option is not None and any(not v for v in found):
        raise validate.InvalidValue(option, Message("prob_give_id_not_empty"))
    return [v for v in found if v]


def _penalties(values: list[str] | None) -> dict[str, float]:
    out_: dict[str, float] = {}
    for item in _list(values):
        if "=" not in item:
            raise RequestError(
                f"--penalise {item}: give a price, e.g. --penalise {item}=40 "
                "(USD per tonne added to routes crossing it)"
            )
        key, _, price = item.partition("=")
        out_[validate.text(key, "--penalise")] = validate.non_negative(
            price, f"--penalise {key.strip()}", maximum=validate.MAX_PENALTY_USD_PER_T
        )
    return out_


def _json(payload: Any) -> None:
    """A JSON document on standard output (UTF-8, indented)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")


def _rows_table(
    title: str, columns: list[str], rows: list[list[str]], right: Container[int]
) -> None:
    """A table of text rows; the columns whose index is in ``right`` are right-aligned."""
    t = Table(title=title, title_justify="left")
    for i, name in enumerate(columns):
        t.add_column(name, justify="right" if i in right else "left", overflow="fold")
    for row in rows:
        t.add_row(*row)
    out.print(t)


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise RequestError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")


def main() -> None:
    """Entry point: run the app; turn corridor errors into a message and a non-zero exit.

    Usage errors are reported by typer itself (exit 2); errors in the data or the request
    name what is wrong (exit 2); anything else is an internal error (exit 70). None of them
    prints a traceback unless ``CORRIDOR_DEBUG`` is set.
    """
    try:
        app()
    except DataError as exc:
        lang = chosen()
        err.print(f"[red]{t('cli_error', lang)}[/]: ", end="")
        err.print(t("cli_data_problems", lang, n=len(exc.problems)), markup=False)
        for p in exc.problems:
            err.print(f"  {problem_text(p, lang)}", markup=False)
        sys.exit(2)
    except CorridorError as exc:
        lang = chosen()
        err.print(f"[red]{t('cli_error', lang)}[/]: ", end="")
        problems: list[Problem] = getattr(exc, "problems", [])
        if problems and lang != "en":  # a file's problems (contracts, scenario) one a line
            what = localise(getattr(exc, "what", ""), lang)
            err.print(t("prob_header", lang, n=len(problems), what=what), markup=False)
            for p in problems:
                err.print(f"  {problem_text(p, lang)}", markup=False)
        else:
            err.print(str(localise(said(exc), lang)), markup=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print(t("cli_interrupted", chosen()))
        sys.exit(130)
    except Exception as exc:  # the last line of defence against tracebacks
        if os.environ.get("CORRIDOR_DEBUG"):
            raise
        lang = chosen()
        err.print(f"[red]{t('cli_internal_error', lang)}[/]: ", end="")
        what = f"{type(exc).__name__}: {exc}"
        err.print(t("cli_internal_error_hint", lang, error=what), markup=False)
        sys.exit(70)
