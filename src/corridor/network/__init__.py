"""The network: tables → validated, immutable :class:`Network` (+ scenario edits).

``load`` reads and checks the tables against ``data/schema.csv``; ``model`` holds the
records; ``scenario`` and ``scenario_io`` derive edited networks from scenario files.
"""

from typing import TYPE_CHECKING, Any

from corridor.network.model import (
    DATA_ENV,
    ID_PATTERN,
    CapacityRow,
    Commodity,
    EmissionFactor,
    Event,
    Exposure,
    Link,
    Network,
    Node,
    Provenance,
    ServiceRow,
    Source,
    State,
)
from corridor.network.schema import CARGO_CLASSES, bundled_data_dir

if TYPE_CHECKING:
    from corridor.network.load import load_network, parse_provenance

__all__ = [
    "CARGO_CLASSES",
    "DATA_ENV",
    "ID_PATTERN",
    "CapacityRow",
    "Commodity",
    "EmissionFactor",
    "Event",
    "Exposure",
    "Link",
    "Network",
    "Node",
    "Provenance",
    "ServiceRow",
    "Source",
    "State",
    "bundled_data_dir",
    "load_network",
    "parse_provenance",
]


def __getattr__(name: str) -> Any:
    """The loader is imported when first asked for: a command reading the loaded network from
    the cache (:mod:`corridor.network.cache`) never needs it."""
    if name in ("load_network", "parse_provenance"):
        from corridor.network import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
