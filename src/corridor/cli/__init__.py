"""The command line: ``corridor COMMAND``.

``_app`` holds the typer application, the shared options and the one place where errors
become messages and exit codes; each other module registers one group of commands on it and
imports what its commands compute inside the command, so ``corridor compare`` loads neither
planning, risk nor the reports.
"""

from corridor.cli import (  # noqa: F401  (register commands)
    exposure,
    invest,
    market,
    network,
    plan,
    risk,
    routes,
    sim,
    validate,
    web,
)
from corridor.cli._app import app, main

__all__ = ["app", "main"]
