"""The Python face of corridor: ``routes``, ``compare`` and ``pareto``.

The CLI, the report and the web API call these functions and nothing deeper, so every face
returns the same numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from corridor.analysis.results import Alternative, Comparison, Request, RouteSet
from corridor.costs import Assumptions
from corridor.errors import InvalidParameterError, NoRouteError, UnknownIdError
from corridor.graph import CommodityGraph, buyer_compliance, commodity_graph
from corridor.i18n import Joined, Message, catalogue
from corridor.network.cache import load_network_cached
from corridor.network.model import Network
from corridor.network.regimes import Compliance, RegimeFlag
from corridor.network.schema import FAMILIES
from corridor.network.states import network_on, today
from corridor.routing.explain import explain_no_route
from corridor.routing.kbest import MAX_K, k_best
from corridor.routing.pareto import pareto_front
from corridor.routing.route import Route

PREMIUM_RULES = (
    ("avoid China", ("CN",)),
    ("avoid Russia", ("RU",)),
    ("avoid China and Russia", ("CN", "RU")),
)


def default_network(as_of: dt.date | None = None) -> Network:
    """The bundled network as it stands on a date (loaded once per process and date).

    Parameters
    ----------
    as_of : date, optional
        The day whose chronic states (``states.csv``) apply; default: today
        (:func:`corridor.network.states.today`).
    """
    return _bundled_on(as_of or today())


def bundled_network() -> Network:
    """The bundled network before any dated state is applied (loaded once per process): for
    the functions that date it themselves (the market model prices each year on its own)."""
    return _bundled()


@lru_cache(maxsize=8)
def _bundled_on(day: dt.date) -> Network:
    return network_on(_bundled(), day)


@lru_cache(maxsize=1)
def _bundled() -> Network:
    return load_network_cached()


def _flags(rules: Compliance, found: Iterable[Route]) -> tuple[tuple[RegimeFlag, ...], ...]:
    return tuple(rules.flags((*r.countries, *r.chokepoints)) for r in found)


def _penalties(rules: Compliance, penalise: Mapping[str, float]) -> dict[str, float]:
    """The user's penalties plus the buyer's priced regimes (added per exposure)."""
    out = dict(penalise)
    for e, price in rules.penalties.items():
        out[e] = out.get(e, 0.0) + price
    return out


def _known(lookup: Callable[[str], object], value: str, field: str) -> None:
    try:
        lookup(value)
    except UnknownIdError as exc:
        raise exc.at(field) from None


def check_query(
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    avoid: Iterable[str],
    penalise: Mapping[str, float],
    k: int,
    volume: float | None,
) -> None:
    """Check a routes/compare/pareto query against the network before any search.

    Raises
    ------
    UnknownIdError
        An id no table has, naming the request field that carried it.
    InvalidParameterError
        A value out of range (origin equal to destination, negative penalty, k, volume).
    """
    _known(net.commodity, commodity, "commodity")
    _known(net.node, origin, "origin")
    _known(net.node, destination, "destination")
    if origin == destination:
        raise InvalidParameterError(
            "destination",
            destination,
            "another place than the origin",
            "origin and destination are the same place",
        )
    for i, e in enumerate(avoid):
        _known(net.exposure, e, f"avoid.{i}")
    for e, price in penalise.items():
        _known(net.exposure, e, f"penalise.{e}")
        if not 0 <= price < math.inf:
            raise InvalidParameterError(
                f"penalise.{e}",
                price,
                "a non-negative, finite USD per tonne",
                f"penalty for {e} must be a non-negative USD per tonne",
            )
    if not 1 <= k <= MAX_K:
        raise InvalidParameterError(
            "k", k, f"between 1 and {MAX_K}", f"k must be between 1 and {MAX_K}, not {k}"
        )
    if volume is not None and not 0 < volume < math.inf:
        raise InvalidParameterError(
            "volume",
            volume,
            "a positive number of tonnes per year",
            f"volume must be a positive number of tonnes per year, not {volume}",
        )


def routes(
    commodity: str,
    origin: str,
    destination: str,
    *,
    k: int = 5,
    avoid: Iterable[str] = (),
    penalise: Mapping[str, float] | None = None,
    volume: float | None = None,
    assumptions: Assumptions | None = None,
    network: Network | None = None,
    buyer: str | None = None,
    uncertainty: int = 0,
    seed: int = 0,
) -> RouteSet:
    """The ``k`` cheapest genuinely different routes for one commodity.

    Parameters
    ----------
    commodity, origin, destination : ids in the network tables.
    k : number of routes (1–50).
    avoid : country or chokepoint ids no route may touch (hard filter).
    penalise : exposure id -> USD per tonne added to routes that cross it.
    volume : annual tonnes (used by ``compare`` for the premium per year).
    buyer : buyer profile id (default: ``JP`` where the buyers table has it): its excluding
        regimes drop routes, its priced ones add penalties, and every route lists the regimes
        it meets; ``none`` applies no regime and flags them all.
    uncertainty, seed : with N > 0, the estimates are drawn jointly N times and the result's
        ``uncertainty`` holds each route's P5/P50/P95 cost and the chance it is the cheapest
        of the list (see :mod:`corridor.uncertainty.routes`).

    Raises
    ------
    RequestError
        Unknown ids, bad numbers, or no route — naming what blocks it.
    """
    net = network or default_network()
    a = assumptions or Assumptions()
    avoid, pen = tuple(avoid), dict(penalise or {})
    check_query(net, commodity, origin, destination, avoid, pen, k, volume)
    if uncertainty:
        # the uncertainty layer (numpy) loads only for a query that draws
        from corridor.uncertainty.propagate import check_draws

        check_draws(uncertainty, seed)
    rules = buyer_compliance(net, commodity, buyer)
    g = commodity_graph(net, commodity, a, avoid, (), buyer)
    found = k_best(g, origin, destination, k, _penalties(rules, pen))
    if not found:
        raise NoRouteError(
            explain_no_route(net, commodity, origin, destination, avoid, a, buyer=buyer)
        )
    request = Request(
        commodity, origin, destination, avoid, tuple(pen.items()), volume, k, rules.buyer
    )
    bands = None
    if uncertainty:
        from corridor.uncertainty.routes import route_bands

        bands = route_bands(net, found, samples=uncertainty, seed=seed, assumptions=a)
    notes = (_fewer_note(g, len(found), k),) if len(found) < k else ()
    return RouteSet(
        request, tuple(found), notes, compliance=_flags(rules, found), uncertainty=bands
    )


def _rule(kind: str) -> str:
    """The kind of rule that closes a link ("commodity", "avoid", ...) as a message."""
    return Message(f"fewer_rule_{kind}") if f"fewer_rule_{kind}" in catalogue("en") else kind


def _fewer_note(g: CommodityGraph, n: int, k: int) -> str:
    """Why fewer routes than asked: the network has no more distinct gateway sequences for
    this cargo, and how many links its rules close."""
    closed: dict[str, int] = {}
    for rule, _ in g.excluded.values():
        closed[rule] = closed.get(rule, 0) + 1
    why = Joined(
        ", ",
        [Message("fewer_closed_by", count=c, rule=_rule(r)) for r, c in sorted(closed.items())],
    )
    shut = Message("fewer_closed", links=sum(closed.values()), why=why)
    detail = shut if closed else Message("fewer_all_open")
    if n == 1:
        return Message("fewer_routes_one", n=n, k=k, closed=detail)
    return Message("fewer_routes", n=n, k=k, closed=detail)


def compare(
    commodity: str,
    origin: str,
    destination: str,
    *,
    avoid: Iterable[str] = (),
    penalise: Mapping[str, float] | None = None,
    volume: float | None = None,
    assumptions: Assumptions | None = None,
    network: Network | None = None,
    stock_days: float = 30.0,
    buyer: str | None = None,
    uncertainty: int = 0,
    seed: int = 0,
) -> Comparison:
    """Cheapest route of each family, and the strategic premium of avoiding China/Russia.

    The premium compares the cheapest route overall with the cheapest route avoiding China,
    avoiding Russia, and avoiding both: USD per tonne, USD per year (with ``volume``), extra
    days, and the change in the risk measures of :mod:`corridor.risk.measures` (probability
    of an interruption over 30 days with 30 % capacity lost, tonne-days of delay per tonne,
    stock-out days at a ``stock_days`` stock), with exposures every route shares set apart.
    Every route is one the buyer may use (``buyer``, as in :func:`routes`); a family its
    regimes exclude is listed as unavailable, saying which regime excludes it.

    With ``uncertainty`` = N > 0 the estimates are drawn jointly N times (quasi-random,
    ``seed``) and the result's ``uncertainty`` holds P5/P50/P95 bands of every family's cost
    and of the premiums, the probability that the ranking flips, and the estimates that
    drive the premium of avoiding China (see :mod:`corridor.uncertainty`).
    """
    from corridor.risk.measures import compare_measures

    net = network or default_network()
    a = assumptions or Assumptions()
    avoid, user_pen = tuple(avoid), dict(penalise or {})
    check_query(net, commodity, origin, destination, avoid, user_pen, 1, volume)
    if uncertainty:
        # the uncertainty layer (numpy) loads only for a query that draws
        from corridor.uncertainty.propagate import check_draws

        check_draws(uncertainty, seed)
    rules = buyer_compliance(net, commodity, buyer)
    pen = _penalties(rules, user_pen)
    best: list[Route] = []
    unavailable: dict[str, str] = {}
    for fam in FAMILIES:
        g = commodity_graph(net, commodity, a, avoid, (fam,), buyer)
        found = k_best(g, origin, destination, 1, pen)
        if found:
            best.append(found[0])
        else:
            unavailable[fam] = explain_no_route(
                net, commodity, origin, destination, avoid, a, families=(fam,), buyer=buyer
            )
    g = commodity_graph(net, commodity, a, avoid, (), buyer)
    overall = k_best(g, origin, destination, 1, pen)
    if not overall:
        raise NoRouteError(
            explain_no_route(net, commodity, origin, destination, avoid, a, buyer=buyer)
        )
    cheapest = overall[0]
    alternatives = []
    for name, extra in PREMIUM_RULES:
        rule_avoid = tuple(dict.fromkeys((*avoid, *extra)))
        found = k_best(
            commodity_graph(net, commodity, a, rule_avoid, (), buyer),
            origin,
            destination,
            1,
            pen,
        )
        alternatives.append(
            _alternative(
                name,
                extra,
                cheapest,
                found[0] if found else None,
                volume,
                net,
                commodity,
                origin,
                destination,
                rule_avoid,
                a,
                buyer,
            )
        )
    shown = {r.signature for r in best}
    extra_routes = [cheapest] + [alt.route for alt in alternatives if alt.route is not None]
    for r in extra_routes:
        if r.signature not in shown:
            best.append(r)
            shown.add(r.signature)
    best.sort(key=lambda r: r.cost_usd_per_t)
    request = Request(
        commodity, origin, destination, avoid, tuple(user_pen.items()), volume, 1, rules.buyer
    )
    bands = None
    if uncertainty:
        from corridor.uncertainty.compare import compare_bands

        bands = compare_bands(
            net,
            origin,
            destination,
            lambda av, fams: commodity_graph(net, commodity, a, av, fams, buyer),
            FAMILIES,
            PREMIUM_RULES,
            samples=uncertainty,
            seed=seed,
            avoid=avoid,
            penalise=pen,
            assumptions=a,
            buyer=buyer,
        )
    return Comparison(
        request,
        tuple(best),
        unavailable,
        tuple(alternatives),
        compliance=_flags(rules, best),
        uncertainty=bands,
        measures=compare_measures(net, best, stock_days),
    )


def _alternative(
    name: str,
    extra: tuple[str, ...],
    cheapest: Route,
    route: Route | None,
    volume: float | None,
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    avoid: tuple[str, ...],
    a: Assumptions,
    buyer: str | None,
) -> Alternative:
    if route is None:
        reason = explain_no_route(net, commodity, origin, destination, avoid, a, buyer=buyer)
        return Alternative(name, extra, None, reason, None, None, None, None, None, None)
    premium = route.cost_usd_per_t - cheapest.cost_usd_per_t
    return Alternative(
        name=name,
        avoid=extra,
        route=route,
        reason="",
        premium_usd_per_t=premium,
        premium_usd_per_year=premium * volume if volume else None,
        extra_days=route.days_mean - cheapest.days_mean,
        extra_days_p95=route.days_p95 - cheapest.days_p95,
        risk_change_probability=route.risk.annual_probability - cheapest.risk.annual_probability,
        risk_change_days_per_year=(
            route.risk.disrupted_days_per_year - cheapest.risk.disrupted_days_per_year
        ),
    )


def pareto(
    commodity: str,
    origin: str,
    destination: str,
    *,
    avoid: Iterable[str] = (),
    assumptions: Assumptions | None = None,
    network: Network | None = None,
    buyer: str | None = None,
) -> RouteSet:
    """The exact Pareto front over cost, mean days, CO2e and expected disrupted days, of the
    routes the buyer may use (see :func:`routes`)."""
    net = network or default_network()
    a = assumptions or Assumptions()
    avoid = tuple(avoid)
    check_query(net, commodity, origin, destination, avoid, {}, 1, None)
    rules = buyer_compliance(net, commodity, buyer)
    g = commodity_graph(net, commodity, a, avoid, (), buyer)
    front, notes = pareto_front(g, origin, destination)
    if not front:
        raise NoRouteError(
            explain_no_route(net, commodity, origin, destination, avoid, a, buyer=buyer)
        )
    request = Request(commodity, origin, destination, avoid, (), None, len(front), rules.buyer)
    return RouteSet(request, tuple(front), tuple(notes), _flags(rules, front))
