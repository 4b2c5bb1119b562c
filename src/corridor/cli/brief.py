"""``--brief FILE.pdf|.html`` and ``--lang en|ja`` of ``compare`` and ``plan``.

The language comes from ``--lang``, else from the locale (LC_ALL, LC_MESSAGES, LANG).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from corridor.errors import RequestError
from corridor.i18n import LANGS, Message, lang_from_env, t
from corridor.network.model import Network

if TYPE_CHECKING:
    from corridor.analysis.results import Comparison
    from corridor.optimize.plan_result import PlanResult

BriefOpt = Annotated[
    Path | None,
    typer.Option(
        "--brief",
        help="Write a one-page brief (question, answer, map, caveats, sources) to FILE.pdf "
        "(headless Chromium) or FILE.html.",
    ),
]
LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="Language of tables and brief: en or ja (default: the locale)."),
]

_err = Console(stderr=True, highlight=False)


CHOSEN: list[str] = []
"""The language the running command chose (for its error message), once :func:`language` ran."""


def chosen() -> str:
    """The language the running command chose (``--lang``), else the locale's."""
    return CHOSEN[0] if CHOSEN else lang_from_env()


def language(lang: str | None) -> str:
    """The language asked for, or the locale's; an unknown one is a usage error (exit 2)."""
    if lang is None:
        lang = lang_from_env()
    if lang not in LANGS:
        raise RequestError(Message("cli_lang_unknown", langs=", ".join(LANGS), given=lang))
    CHOSEN[:] = [lang]
    return lang


def check_brief(path: Path | None) -> None:
    """Refuse a brief file of another kind before any work is done."""
    if path is not None and path.suffix.lower() not in (".pdf", ".html"):
        raise RequestError(Message("cli_brief_suffix", path=str(path)))


def compare_brief_file(result: Comparison, net: Network, path: Path, lang: str) -> None:
    """Write the brief of a comparison, with the capacity of its origin–destination pair."""
    from corridor.optimize.maxflow import max_flow
    from corridor.report.brief import compare_brief, write_brief

    req = result.request
    capacity = {}
    for family in dict.fromkeys(r.family for r in result.routes):
        try:
            capacity[family] = max_flow(
                req.commodity,
                [req.origin],
                [req.destination],
                avoid=list(req.avoid),
                families=family.split("+"),
                network=net,
            )
        except RequestError:
            continue  # the brief leaves this family's capacity out rather than failing
    write_brief(path, compare_brief(result, net, lang, capacity))
    _err.print(t("cli_brief_written", lang, path=str(path)), markup=False)


def plan_brief_file(result: PlanResult, net: Network, path: Path, lang: str) -> None:
    """Write the brief of a plan."""
    from corridor.report.brief import plan_brief, write_brief

    write_brief(path, plan_brief(result, net, lang))
    _err.print(t("cli_brief_written", lang, path=str(path)), markup=False)
