"""The package's names load on first use: one module of it does not load the engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

import corridor.risk as risk


def test_every_name_resolves_and_unknown_names_are_refused() -> None:
    assert sorted(risk.__all__) == sorted(risk._WHERE)
    for name in risk.__all__:
        assert getattr(risk, name) is not None
    assert callable(risk.stress) and risk.stress.__module__ == "corridor.risk.annual"
    with pytest.raises(AttributeError, match="no_such_name"):
        risk.no_such_name  # noqa: B018


def test_one_module_does_not_load_the_engine() -> None:
    code = (
        "import sys, corridor.risk.measures; "
        "print(sorted(m for m in ('corridor.risk.engine', 'corridor.risk.annual', "
        "'corridor.risk.runner') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
