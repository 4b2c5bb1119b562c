"""The command line: ``corridor COMMAND``.

``_app`` holds the typer application, the shared options and the one place where errors
become messages and exit codes; each other module registers one group of commands on it.
"""

from corridor.cli import plan, risk, web  # noqa: F401  (registers their commands)
from corridor.cli._app import app, main

__all__ = ["app", "main"]
