"""The market model on a network: prices the routes with :func:`corridor.compare` and hands
them to :mod:`corridor.market` (which, one layer down, takes routes only as data).

One place for the command line and the REST API, so both give the same numbers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from corridor.analysis.queries import compare
from corridor.errors import RequestError
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
from corridor.network.model import DATA_ENV, Network

REFERENCE = ("containerised_cargo", "KZ_DOSTYK", "JP_YOKOHAMA")
"""Commodity, origin and destination whose routes price the calibration market."""


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
    base: dict[str, FamilyCost]
    calibration: Calibration

    def backtest(self) -> list[Replay]:
        return backtest(self.calibration, self.data, self.base)


def route_costs(
    net: Network, commodity: str, origin: str, destination: str
) -> dict[str, FamilyCost]:
    """The cheapest route of each family for one request, as market inputs."""
    cmp = compare(commodity, origin, destination, network=net)
    return family_costs(cmp.routes, net.commodity(commodity).value_usd_per_t)


def calibrated(
    net: Network,
    data_dir: str | Path | None = None,
    *,
    market: str | None = None,
    decision_t: float = DECISION_T,
) -> MarketRun:
    """Load the market tables (``data_dir``, default bundled) and estimate the model."""
    data = load_market_data(data_dir, network=net)
    base = route_costs(net, *REFERENCE)
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
) -> tuple[BreakEven, MarketRun]:
    """Break-evens of one request with the model calibrated on ``data_dir``'s tables.

    The request is checked, and its routes priced, before the estimation runs, so a bad
    number or an unknown id fails at once.

    Raises
    ------
    RequestError
        Bad share, volume, shortfall, risk aversion or year; unknown ids; no route.
    """
    buyer = buyer or RiskBuyer()
    check_request(share, volume_t, shortfall_share, buyer)
    if not 1900 <= year <= 2100:
        raise RequestError(f"year must be a year, not {year}")
    costs = route_costs(net, commodity, origin, destination)
    run = calibrated(net, data_dir, decision_t=decision_t)
    inputs = generalised_cost_inputs(year, costs, run.data.regimes)
    be = breakeven(
        run.calibration.model, costs, inputs, share=share, volume_t=volume_t,
        shortfall_share=shortfall_share, buyer=buyer,
    )  # fmt: skip
    return be, run
