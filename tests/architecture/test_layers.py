"""The import contracts of pyproject.toml hold, and catch an upward import when one is planted."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is a dev dependency")


def lint(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_layers_hold() -> None:
    r = lint(ROOT / "src", ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout


@pytest.mark.parametrize(
    ("module", "planted"),
    [
        ("network/model.py", "import corridor.routing\n"),  # network reaching up to routing
        ("optimize/lp.py", "def _f() -> None:\n    from corridor.analysis import compare\n"),
        ("risk/engine.py", "import corridor.cli\n"),  # a library module importing a face
    ],
)
def test_a_planted_upward_import_fails(tmp_path: Path, module: str, planted: str) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "corridor", src / "corridor")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (src / "corridor" / module).open("a") as f:
        f.write("\n\n" + planted)
    r = lint(src, tmp_path)
    assert r.returncode != 0
    assert "BROKEN" in r.stdout


MAX_LINES = 800


def test_no_source_file_is_too_long_to_read() -> None:
    """A module a newcomer can read: none in src/ above about 800 lines."""
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "src").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules (more than {MAX_LINES} lines): {long}"
