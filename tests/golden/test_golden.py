"""Every CLI subcommand and API endpoint gives the output pinned in the golden files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.cases import HERE, record


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return record(tmp_path_factory.mktemp("golden") / "runs.duckdb")


def test_every_case_has_a_golden_file(outputs: dict[str, str]) -> None:
    assert sorted(outputs) == sorted(p.stem for p in HERE.glob("*.txt"))


@pytest.mark.parametrize("name", sorted(p.stem for p in Path(HERE).glob("*.txt")))
def test_output_is_unchanged(outputs: dict[str, str], name: str) -> None:
    assert outputs[name] == (HERE / f"{name}.txt").read_text(), (
        f"{name} changed; if intended, regenerate with python tests/golden/cases.py"
    )
