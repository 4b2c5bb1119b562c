"""corridor: which way strategic raw materials from Kazakhstan should go to Japan.

The library is the product; the CLI, the report and the web API are thin faces over::

    import corridor
    corridor.compare("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
    corridor.routes("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", k=10)
    corridor.plan(corridor.load_contracts("examples/contracts.yaml"))
"""

from corridor.api import compare, default_network, pareto, routes
from corridor.capacity import max_flow
from corridor.contracts import load_contracts
from corridor.costs import Assumptions
from corridor.errors import CorridorError, DataError, RequestError
from corridor.network import Network, load_network
from corridor.planning import plan

__all__ = [
    "Assumptions",
    "CorridorError",
    "DataError",
    "Network",
    "RequestError",
    "compare",
    "default_network",
    "load_contracts",
    "load_network",
    "max_flow",
    "pareto",
    "plan",
    "routes",
]
__version__ = "0.1.0"
