from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corridor.network.load import load_network
from corridor.network.model import Network

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture(scope="session")
def tiny() -> Network:
    """Three-route hand-checkable network (see tests/fixtures/tiny)."""
    return load_network(TINY)


@pytest.fixture
def tiny_copy(tmp_path: Path) -> Path:
    """A writable copy of the tiny network's folder."""
    dest = tmp_path / "tiny"
    shutil.copytree(TINY, dest)
    return dest


@pytest.fixture(autouse=True)
def _own_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test writes runs and jobs to its own store, never the user's."""
    monkeypatch.setenv("CORRIDOR_STORE", str(tmp_path / "default-runs.duckdb"))


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The network cache of the tests is their own (one for the session), never the user's."""
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
