from __future__ import annotations

import pytest

from corridor.network.load import load_network
from corridor.network.model import Network


@pytest.fixture(scope="session")
def bundled() -> Network:
    """The bundled network."""
    return load_network()
