from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from corridor.network.load import load_network
from corridor.network.model import Network


@pytest.fixture(scope="session")
def bundled() -> Network:
    """The bundled network."""
    return load_network()


@pytest.fixture
def dask_client() -> Iterator[Any]:
    """A Dask client on a local in-process cluster of two single-threaded workers."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client
