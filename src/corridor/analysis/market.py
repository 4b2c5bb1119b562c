"""The market model on a network: prices the routes with :func:`corridor.compare` and hands
them to :mod:`corridor.market` (which, one layer down, takes routes only as data).

Every year is priced on the network as it stood in that year (``network_on`` of the days
of the year, :mod:`corridor.market.dated`): the Red Sea closure of December 2023 does not
reach 2022, and a backtest sees only the states known on the day of its change. The
functions therefore take the *undated* network (``load_network()``,
:func:`~corridor.analysis.queries.bundled_network`), whose states they apply year by year.

One place for the command line and the REST API, so both give the same numbers.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from corridor.analysis.queries import compare
from corridor.errors import RequestError
from corridor.i18n import Message
from corridor.market import (
    BreakEven,
    Calibration,
    FamilyCost,
    MarketData,
    Replay,
    RiskBuyer,
    backtest,
    breakeven,
    calibrate,
    check_request,
    family_costs,
    generalised_cost_inputs,
    load_market_data,
)
from corridor.market.breakeven import SHORTFALL_SHARE
from corridor.market.choice import DECISION_T
from corridor.market.dated import CostsOf, blend, known_states, year_stretches
from corridor.network.model import DATA_ENV, Network
from corridor.network.states import network_on

REFERENCE_COMMODITY = "containerised_cargo"
REFERENCE = {
    "russia": ("KZ_DOSTYK", "RU_ST_PETERSBURG"),
    "trans_caspian": ("KZ_DOSTYK", "RO_CONSTANTA"),
}
"""Origin and destination whose routes price each family of the calibration market
(containers, westbound): the observed tonnes go from China to Europe, so each family is
priced to its edge of Europe in the network — Russia's western gateway (the network has no
Brest–Małaszewicze) and Constanța across the Black Sea. The sea leg to Japan is left out:
it is not the observed trade, and the Red Sea closure that lengthens it from Poti far more
than from St Petersburg did not touch the westbound overland corridors."""


def market_dir(data_dir: str | Path | None = None) -> Path | None:
    """Where the market tables are: ``data_dir``, else ``$CORRIDOR_DATA``, else bundled
    (``None``) — beside the network tables, as the network loader looks for them."""
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else None


@dataclass(frozen=True)
class MarketRun:
    """A calibrated market model with what it was made from."""

    data: MarketData
    base: CostsOf
    calibration: Calibration

    def backtest(self) -> list[Replay]:
        return backtest(self.calibration, self.data, self.base)


def route_costs(
    net: Network, commodity: str, origin: str, destination: str
) -> dict[str, FamilyCost]:
    """The cheapest route of each family for one request, as market inputs."""
    cmp = compare(commodity, origin, destination, network=net)
    return family_costs(cmp.routes, net.commodity(commodity).value_usd_per_t)


@dataclass
class _Market:
    """Each family of the calibration market priced on its own reference request."""

    parts: dict[str, DatedCosts]

    def __call__(self, year: int, known_on: dt.date | None = None) -> Mapping[str, FamilyCost]:
        out: dict[str, FamilyCost] = {}
        for fam, costs in self.parts.items():
            got = costs(year, known_on)
            if fam in got:
                out[fam] = got[fam]
        return out


@dataclass
class DatedCosts:
    """``(year, known_on) -> family -> cost`` for one request, each year priced on its own
    network (a :data:`~corridor.market.dated.CostsOf`). Networks with the same states in
    force price alike, so each set of states is priced once."""

    net: Network
    commodity: str
    origin: str
    destination: str
    _priced: dict[frozenset[str], dict[str, FamilyCost]] = field(default_factory=dict)

    def __call__(self, year: int, known_on: dt.date | None = None) -> Mapping[str, FamilyCost]:
        states = known_states(self.net.states, known_on)
        net = replace(self.net, states=states)
        parts = []
        for stretch in year_stretches(states, year):
            if stretch.states not in self._priced:
                on = network_on(net, stretch.first_day)
                self._priced[stretch.states] = route_costs(
                    on, self.commodity, self.origin, self.destination
                )
            parts.append((float(stretch.days), self._priced[stretch.states]))
        return blend(parts)


def dated_route_costs(net: Network, commodity: str, origin: str, destination: str) -> DatedCosts:
    """The cheapest route of each family in any year, on the network of that year.

    Raises
    ------
    RequestError
        If ``net`` is already set to a date (its states cannot be re-dated).
    """
    _check_undated(net)
    return DatedCosts(net, commodity, origin, destination)


def _check_undated(net: Network) -> None:
    if net.as_of is not None:
        raise RequestError(Message("mkt_err_undated", as_of=net.as_of.isoformat()))


def calibrated(
    net: Network,
    data_dir: str | Path | None = None,
    *,
    market: str | None = None,
    decision_t: float = DECISION_T,
) -> MarketRun:
    """Load the market tables (``data_dir``, default bundled) and estimate the model,
    each year's routes priced on the undated ``net`` as of that year."""
    _check_undated(net)
    base = _Market(
        {f: DatedCosts(net, REFERENCE_COMMODITY, o, d) for f, (o, d) in REFERENCE.items()}
    )
    data = load_market_data(data_dir, network=net)
    return MarketRun(data, base, calibrate(data, base, market=market, decision_t=decision_t))


def breakeven_for(
    net: Network,
    commodity: str,
    origin: str,
    destination: str,
    *,
    share: float = 0.5,
    volume_t: float | None = None,
    year: int = 2025,
    shortfall_share: float = SHORTFALL_SHARE,
    buyer: RiskBuyer | None = None,
    data_dir: str | Path | None = None,
    decision_t: float = DECISION_T,
    sanctions_probability: float = 1.0,
) -> tuple[BreakEven, MarketRun]:
    """Break-evens of one request with the model calibrated on ``data_dir``'s tables.

    The request's routes are priced on the network of ``year`` (its dated states weighted
    by the days they hold). The request is checked, and its routes priced, before the
    estimation runs, so a bad number or an unknown id fails at once.

    Raises
    ------
    RequestError
        Bad share, volume, shortfall, risk aversion or year; unknown ids; no route.
    """
    buyer = buyer or RiskBuyer()
    check_request(share, volume_t, shortfall_share, buyer, sanctions_probability)
    if not 1900 <= year <= 2100:
        raise RequestError(Message("mkt_err_year", year=year))
    costs = dated_route_costs(net, commodity, origin, destination)(year)
    run = calibrated(net, data_dir, decision_t=decision_t)
    inputs = generalised_cost_inputs(year, costs, run.data.regimes)
    be = breakeven(
        run.calibration.model, costs, inputs, share=share, volume_t=volume_t,
        shortfall_share=shortfall_share, buyer=buyer,
        sanctions_probability=sanctions_probability,
    )  # fmt: skip
    return be, run
