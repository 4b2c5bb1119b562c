"""The public face of the library: routes, compare, pareto and what-if.

The CLI, the report and the web API call these functions and nothing deeper, so every face
returns the same numbers.
"""

from corridor.analysis.queries import compare, default_network, pareto, routes
from corridor.analysis.results import Alternative, Comparison, Request, RouteSet
from corridor.analysis.whatif import WhatIf, whatif

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
