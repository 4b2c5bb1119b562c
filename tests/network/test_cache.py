"""The loaded network kept between runs: the same network, never a stale or broken one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from corridor.i18n import Message, localise
from corridor.network.cache import load_network_cached
from corridor.network.load import load_network


def _pickles(folder: Path) -> list[Path]:
    return sorted(folder.glob("network-*.pickle"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(folder))
    monkeypatch.delenv("CORRIDOR_NO_CACHE", raising=False)
    monkeypatch.delenv("CORRIDOR_DATA", raising=False)
    return folder


def test_bundled_network_from_the_cache_is_the_loaded_one(cache: Path) -> None:
    fresh = load_network()
    first = load_network_cached()  # loads and writes the cache
    assert len(_pickles(cache)) == 1
    again = load_network_cached()  # reads it
    assert again is not first
    assert again.data_version == first.data_version == fresh.data_version
    assert [n.id for n in again.nodes] == [n.id for n in fresh.nodes]
    assert again.ranges == fresh.ranges
    # the origin stays a message (its pickle alone would be the English text)
    assert isinstance(again.origin, Message)
    assert localise(again.origin, "ja") == localise(fresh.origin, "ja") != "bundled"
    assert len(again.derived) == 1  # data_version only: no derived value was stored


def test_an_edited_table_makes_a_new_entry(cache: Path, tiny_copy: Path) -> None:
    assert load_network_cached(tiny_copy).link("L1").distance_km == 100
    links = tiny_copy / "links.csv"
    links.write_text(
        links.read_text().replace(
            "L1,MINE,HUB,road,,truck,domestic,100,", "L1,MINE,HUB,road,,truck,domestic,250,"
        )
    )
    edited = load_network_cached(tiny_copy)
    assert edited.link("L1").distance_km == 250
    assert edited.data_version == load_network(tiny_copy).data_version
    assert len(_pickles(cache)) == 2


def test_a_corrupt_cache_file_is_ignored(cache: Path, tiny_copy: Path) -> None:
    load_network_cached(tiny_copy)
    (entry,) = _pickles(cache)
    for junk in (b"", b"corridor-network-cache 1\n\x80\x05garbage", b"not a cache"):
        entry.write_bytes(junk)
        net = load_network_cached(tiny_copy)
        assert net.data_version == load_network(tiny_copy).data_version
    assert entry.read_bytes().startswith(b"corridor-network-cache 1\n\x80")  # written anew


def test_an_unwritable_cache_folder_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_copy: Path
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv("CORRIDOR_CACHE_DIR", str(blocker / "cache"))
    assert load_network_cached(tiny_copy).link("L1").distance_km == 100


def test_no_cache_turns_it_off(
    cache: Path, monkeypatch: pytest.MonkeyPatch, tiny_copy: Path
) -> None:
    monkeypatch.setenv("CORRIDOR_NO_CACHE", "1")
    assert load_network_cached(tiny_copy).link("L1").distance_km == 100
    assert not cache.exists()


def test_the_folder_as_given_is_the_origin(
    cache: Path, monkeypatch: pytest.MonkeyPatch, tiny_copy: Path
) -> None:
    monkeypatch.setenv("CORRIDOR_DATA", str(tiny_copy))
    assert load_network_cached().origin == str(tiny_copy)  # $CORRIDOR_DATA, as load_network
    monkeypatch.delenv("CORRIDOR_DATA")
    assert load_network_cached().origin == "bundled"


def test_a_warm_cache_needs_no_loader(cache: Path) -> None:
    """The point of the cache: the next process reads the network without importing (let
    alone running) the loader and its checks; the package's names still resolve."""
    script = (
        "import sys\n"
        "from corridor.network.cache import load_network_cached\n"
        "net = load_network_cached()\n"
        "print('corridor.network.load' in sys.modules, net.data_version)\n"
        "from corridor.network import load_network\n"
        "print(load_network().data_version == net.data_version)\n"
    )
    env = {**os.environ, "CORRIDOR_CACHE_DIR": str(cache)}
    cold, warm = (
        subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
        for _ in range(2)
    )
    assert cold.stdout.split()[0] == "True"  # the first loaded the tables
    assert warm.stdout.split() == ["False", cold.stdout.split()[1], "True"], warm.stderr
    with pytest.raises(AttributeError, match="no attribute 'lode_network'"):
        import corridor.network

        corridor.network.lode_network  # noqa: B018
