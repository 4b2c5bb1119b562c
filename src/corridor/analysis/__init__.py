"""The public face of the library: routes, compare, pareto and what-if.

The CLI, the report and the web API call these functions and nothing deeper, so every face
returns the same numbers.
"""

from typing import TYPE_CHECKING, Any

from corridor.analysis.queries import compare, default_network, pareto, routes
from corridor.analysis.results import Alternative, Comparison, Request, RouteSet

if TYPE_CHECKING:
    from corridor.analysis.whatif import WhatIf, whatif


def __getattr__(name: str) -> Any:
    # what-if reads scenario files (YAML): loaded on first use, not by every query
    if name in ("WhatIf", "whatif"):
        import importlib

        module = importlib.import_module("corridor.analysis.whatif")
        # importing the submodule bound its name here; the function takes the name back
        globals().update(WhatIf=module.WhatIf, whatif=module.whatif)
        return globals()[name]
    raise AttributeError(f"module 'corridor.analysis' has no attribute {name!r}")


__all__ = [
    "Alternative",
    "Comparison",
    "Request",
    "RouteSet",
    "WhatIf",
    "compare",
    "default_network",
    "pareto",
    "routes",
    "whatif",
]
