"""The market law, measured: route-choice shares, break-evens and a backtest.

A multinomial logit of route-family shares on generalised cost is estimated by maximum
likelihood (statsmodels) from the sourced table of observed corridor volumes
(``data/market_observations.csv``), with dated regimes (``data/market_regimes.csv``);
calibration and hold-out years are kept apart. See ``docs/market.md``.

The functions take the network's priced routes as data (``family_costs(compare(...).routes,
value)``), so this layer does not reach up into the analysis layer.
"""

from corridor.market.backtest import REPLAYS, Replay, backtest
from corridor.market.breakeven import (
    BreakEven,
    RiskBuyer,
    annual_cost,
    breakeven,
    check_request,
    disruption_breakeven,
    sanctions_breakeven,
    subsidy_for_share,
    with_subsidy,
)
from corridor.market.calibration import Calibration, YearFit, calibrate
from corridor.market.choice import (
    ChoiceModel,
    CostInputs,
    FamilyCost,
    estimate,
    family_costs,
    generalised_cost_inputs,
)
from corridor.market.observations import MarketData, Observation, Regime, load_market_data

__all__ = [
    "REPLAYS",
    "BreakEven",
    "Calibration",
    "ChoiceModel",
    "CostInputs",
    "FamilyCost",
    "MarketData",
    "Observation",
    "Regime",
    "Replay",
    "RiskBuyer",
    "YearFit",
    "annual_cost",
    "backtest",
    "breakeven",
    "calibrate",
    "check_request",
    "disruption_breakeven",
    "estimate",
    "family_costs",
    "generalised_cost_inputs",
    "load_market_data",
    "sanctions_breakeven",
    "subsidy_for_share",
    "with_subsidy",
]
