"""Routing on the commodity graph: k best distinct routes, the Pareto front, explanations.

``kbest`` finds the k cheapest genuinely different routes, ``pareto`` the routes no other
beats on every objective, ``explain`` why no route exists; ``route`` is what they return.
"""

from corridor.routing.kbest import k_best
from corridor.routing.pareto import pareto_front
from corridor.routing.pricing import make_route, signature
from corridor.routing.route import FAMILY_LABELS, Leg, Risk, Route, RouteDetail

__all__ = [
    "FAMILY_LABELS",
    "Leg",
    "Risk",
    "Route",
    "RouteDetail",
    "k_best",
    "make_route",
    "pareto_front",
    "signature",
]
