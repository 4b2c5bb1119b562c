"""corridor: which way strategic raw materials from Kazakhstan should go to Japan.

The library is the product; the CLI, the report and the web API are thin faces over::

    import corridor
    corridor.compare("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
    corridor.routes("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", k=10)
"""

from corridor.api import compare, default_network, pareto, routes
from corridor.costs import Assumptions
from corridor.errors import CorridorError, DataError, RequestError
from corridor.network import Network, load_network

__all__ = [
    "Assumptions",
    "CorridorError",
    "DataError",
    "Network",
    "RequestError",
    "compare",
    "default_network",
    "load_network",
    "pareto",
    "routes",
]
__version__ = "0.1.0"
