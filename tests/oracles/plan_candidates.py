"""Reference for the planner's candidate search: a graph built per family and avoid set.

This is how :func:`corridor.optimize._model._pair_routes` found its candidates before it
searched one commodity graph with links closed (:mod:`corridor.routing.closed`); the tests
hold the two to the same routes, to the float.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from corridor.contracts.model import Contract
from corridor.costs import Assumptions
from corridor.graph import commodity_graph
from corridor.network.model import Network
from corridor.optimize._model import _families_present
from corridor.optimize.plan_result import AVOID_COMBINATION
from corridor.routing.kbest import k_best
from corridor.routing.route import Route


def reference_pair_routes(
    net: Network,
    c: Contract,
    origin: str,
    destination: str,
    a: Assumptions,
    k: int,
    named: Sequence[str],
) -> list[Route]:
    """k best, cheapest per family, cheapest avoiding each combination of ``named``, each
    on its own graph."""

    def best(n: int, avoid: Iterable[str] = (), families: Iterable[str] = ()) -> list[Route]:
        av = tuple(sorted({*c.avoid, *avoid}))
        g = commodity_graph(net, c.commodity, a, av, families)
        return k_best(g, origin, destination, n)

    found = best(k)
    if not found:
        return []
    for fam in _families_present(net):
        found += best(1, families=(fam,))
    for size in range(1, min(AVOID_COMBINATION, len(named)) + 1):
        for combo in itertools.combinations(named, size):
            found += best(1, avoid=combo)
    return found
