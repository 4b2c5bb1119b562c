"""The command line: ``corridor COMMAND``.

``_app`` holds the typer application, the shared options and the one place where errors
become messages and exit codes; each other module registers one group of commands on it and
imports what its commands compute inside the command, so ``corridor compare`` loads neither
planning, risk nor the reports.

A command typed at the shell registers only its own module (:data:`COMMANDS`), so typer
builds the parameters of that command alone; help of the whole tool, an unknown word and
``from corridor.cli import app`` register every command.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Sequence
from typing import Any

from corridor._gc import paused_gc

COMMANDS = {
    "stress": "risk",
    "frontier": "risk",
    "whatif": "risk",
    "exposure": "exposure",
    "capacity": "plan",
    "plan": "plan",
    "runs": "plan",
    "invest": "invest",
    "market": "market",
    "breakeven": "market",
    "backtest": "market",
    "routes": "routes",
    "compare": "routes",
    "pareto": "routes",
    "network": "network",
    "simulate": "sim",
    "validate-model": "validate",
    "serve": "web",
}
"""Command (or group) word -> the module of :mod:`corridor.cli` that registers it."""

_EVERY = tuple(sorted(set(COMMANDS.values())))
"""Every module, in the order ``corridor --help`` lists their commands (by module name)."""


def register(words: Sequence[str] = ()) -> None:
    """Register on the app the commands the command line ``words`` asks for: the module of
    the command its first word names, else (help, no word, an unknown word) every module."""
    first = words[0] if words else ""
    for name in (COMMANDS[first],) if first in COMMANDS else _EVERY:
        importlib.import_module(f"corridor.cli.{name}")


def main() -> None:
    """Entry point of ``corridor``: register the typed command, then run it
    (:func:`corridor.cli._app.main`)."""
    # Start-up creates many objects that live as long as the process: collecting garbage
    # among them is wasted (~15 % of `corridor compare`), so it waits until they are frozen.
    with paused_gc():
        register(sys.argv[1:])
        from corridor.cli._app import main as run

        gc.freeze()
    run()


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole tool, as Python code and tests drive it
        register()
        from corridor.cli._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["COMMANDS", "app", "main", "register"]
