"""corridor: which way strategic raw materials from Kazakhstan should go to Japan.

The library is the product; the CLI, the report and the web API are thin faces over::

    import corridor
    corridor.compare("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
    corridor.routes("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", k=10)
    corridor.plan(corridor.load_contracts("examples/contracts.yaml"))

This package is the Python face: like the CLI and the web app, it is the one place that
resolves the default network (the bundled tables) when none is given. Underneath, every
library function takes the network as an argument (see ``docs/architecture.md``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.errors import CorridorError, DataError, RequestError

if TYPE_CHECKING:
    from corridor.analysis import compare, default_network, pareto, routes
    from corridor.contracts import Portfolio
    from corridor.costs import Assumptions
    from corridor.network import Network, load_network
    from corridor.optimize import CapacityResult, PlanResult

# Imported on first use (PEP 562), so that ``import corridor.cli`` stays light.
_LAZY = {
    "compare": "corridor.analysis",
    "default_network": "corridor.analysis",
    "pareto": "corridor.analysis",
    "routes": "corridor.analysis",
    "Assumptions": "corridor.costs",
    "Network": "corridor.network",
    "load_network": "corridor.network",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'corridor' has no attribute {name!r}")


def load_contracts(path: str | Path, network: Network | None = None) -> Portfolio:
    """:func:`corridor.contracts.load_contracts` on ``network`` (default: the bundled one)."""
    from corridor.analysis import default_network
    from corridor.contracts import load_contracts

    return load_contracts(path, network or default_network())


def plan(contracts: Any, *args: Any, network: Network | None = None, **kwargs: Any) -> PlanResult:
    """:func:`corridor.optimize.plan` on ``network`` (default: the bundled one)."""
    from corridor.analysis import default_network
    from corridor.optimize import plan

    return plan(contracts, *args, network=network or default_network(), **kwargs)


def max_flow(*args: Any, network: Network | None = None, **kwargs: Any) -> CapacityResult:
    """:func:`corridor.optimize.max_flow` on ``network`` (default: the bundled one)."""
    from corridor.analysis import default_network
    from corridor.optimize import max_flow

    return max_flow(*args, network=network or default_network(), **kwargs)


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
