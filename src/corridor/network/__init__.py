"""The network: tables → validated, immutable :class:`Network` (+ scenario edits).

``load`` reads and checks the tables against ``data/schema.csv``; ``model`` holds the
records; ``scenario`` and ``scenario_io`` derive edited networks from scenario files.
"""

from corridor.network.load import bundled_data_dir, load_network, parse_provenance
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
from corridor.network.schema import CARGO_CLASSES

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
