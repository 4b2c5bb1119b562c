"""Shared helpers of the reliability suite: run the command line in-process and classify
the outcome as ``main()`` does, and count every fuzz case tried."""

from __future__ import annotations

import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer
from click.testing import CliRunner

from corridor.cli import app
from corridor.errors import CorridorError

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "tiny"
COMMAND = typer.main.get_command(app)  # built once: typer rebuilds it on every invoke
RUNNER = CliRunner()
TALLY: Counter[str] = Counter()
"""Fuzz cases tried and their outcomes, reported at the end of the run."""


@dataclass(frozen=True)
class Outcome:
    """How one command ended: the exit code ``corridor`` would give, and its output."""

    code: int
    stdout: str
    stderr: str
    internal: BaseException | None


def invoke(args: list[str], kind: str) -> Outcome:
    """Run ``corridor ARGS`` in this process and tally the outcome under ``kind``.

    The exit code is the one ``corridor.cli.main`` gives: click's own (0, 2 for usage
    errors), 2 for a corridor error, 70 for anything else (an internal error, kept in
    ``internal``).
    """
    result = RUNNER.invoke(COMMAND, args, catch_exceptions=True)
    exc, internal = result.exception, None
    code = result.exit_code
    stderr = result.stderr
    if isinstance(exc, CorridorError):
        code = 2
        stderr += f"error: {exc}\n"  # what main() prints
    elif exc is not None and not isinstance(exc, SystemExit):
        code, internal = 70, exc
    TALLY["cases"] += 1
    TALLY[f"{kind}: exit {code}"] += 1
    if internal is not None:
        TALLY["internal errors"] += 1
    return Outcome(code, result.stdout, stderr, internal)


def expect(outcome: Outcome, valid: bool | None) -> None:
    """Exit 0 for valid input, 2 for invalid (``valid=None``: either), never a traceback."""
    if outcome.internal is not None:
        trace = traceback.format_exception(outcome.internal)
        raise AssertionError("internal error:\n" + "".join(trace))
    assert "Traceback" not in outcome.stdout + outcome.stderr
    if valid is None:
        assert outcome.code in (0, 2), outcome.stderr
    elif valid:
        assert outcome.code == 0, outcome.stderr
    else:
        if outcome.code == 0:
            TALLY["exit 0 on bad input"] += 1
        assert outcome.code == 2, outcome.stdout[-500:]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TALLY["cases"] or TALLY["schemathesis requests"]:
        rows = ", ".join(f"{k} {v:,}" for k, v in sorted(TALLY.items()))
        terminalreporter.write_line(f"reliability fuzz: {rows}")
