"""Break-even: the subsidy, China-route risk and yearly bill that tip a buyer's choice.

Three questions for one commodity and origin–destination, with the calibrated
sensitivity to generalised cost (``beta``) and to sanctions (``theta``):

* **Subsidy or premium.** The payment per tonne on the Trans-Caspian route at which its
  logit share reaches a target ``s`` (negative: the route could charge that premium and
  still hold ``s``). The market's constants are not carried over from the calibration
  market, so the shares here come from generalised cost and sanctions alone.
* **China-route disruption.** The multiple of today's China-route disruption rate at which
  a buyer prefers a split with share ``s`` on the Trans-Caspian route to all-China. Each
  route's year has Poisson-many disruptions (rate and mean length from the network's
  risk figures); every disrupted day strands a day of that route's deliveries, each
  stranded tonne costing ``shortfall`` × cargo value. The risk-neutral buyer compares
  expected annual cost; the risk-averse buyer compares
  ``mean + kappa × (CVaR_alpha − mean)`` of annual cost (CVaR: the mean of the worst
  ``1 − alpha`` of years), computed exactly over the joint Poisson counts.
* **Sanctions cost on the China route.** The loss ``L`` per tonne on the China route's
  tonnes (secondary sanctions, an export ban, a compliance cost), struck in a year with
  probability ``p`` (``p = 1``: a cost in force, USD per tonne), at which the same buyers
  prefer the split, at today's disruption rates. Risk-neutral, with no disruptions:
  ``p·L* = c_tc − c_cn``; risk-averse, with ``p ≤ 1 − alpha``:
  ``p·L* (1 + kappa·alpha/(1 − alpha)) = c_tc − c_cn`` — a rare sanction weighs on the
  worst years, so the risk-averse buyer diversifies at a smaller loss.
* **Yearly bill.** What the buyer pays per year, for a volume, to put share ``s`` on the
  Trans-Caspian route instead of the cheapest route, and what a subsidy of the break-even
  size would cost its payer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from corridor.errors import RequestError
from corridor.i18n import Message
from corridor.market.choice import COST_SCALE_USD, ChoiceModel, CostInputs, FamilyCost

TARGET, RIVAL = "trans_caspian", "china"
SHORTFALL_SHARE = 0.3
"""Cost of a stranded tonne, share of cargo value (est_market_shortfall)."""


@dataclass(frozen=True)
class RiskBuyer:
    """How a buyer weighs bad years: ``kappa = 0`` is risk-neutral."""

    kappa: float = 1.0
    alpha: float = 0.95


@dataclass(frozen=True)
class BreakEven:
    """Answers of :func:`breakeven` for one commodity and origin–destination."""

    share: float
    shares_now: Mapping[str, float]
    subsidy_usd_per_t: float
    curve: tuple[tuple[float, float], ...]
    volume_t: float | None
    buyer_extra_usd_per_year: float | None
    subsidy_bill_usd_per_year: float | None
    disruption_multiplier_neutral: float | None
    disruption_multiplier_averse: float | None
    china_disrupted_days_now: float | None
    buyer: RiskBuyer
    shortfall_usd_per_t: float
    inputs: Mapping[str, CostInputs]
    sanctions_probability: float = 1.0
    sanctions_usd_per_t_neutral: float | None = None
    sanctions_usd_per_t_averse: float | None = None

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None, n: int = 2) -> float | None:
            return None if x is None else round(x, n)

        now = self.china_disrupted_days_now
        return {
            "share": self.share,
            "shares_now": {k: round(v, 4) for k, v in self.shares_now.items()},
            "subsidy_usd_per_t": r(self.subsidy_usd_per_t),
            "curve": [{"subsidy_usd_per_t": x, "share": round(s, 4)} for x, s in self.curve],
            "volume_t": self.volume_t,
            "buyer_extra_usd_per_year": r(self.buyer_extra_usd_per_year, 0),
            "subsidy_bill_usd_per_year": r(self.subsidy_bill_usd_per_year, 0),
            "china_disrupted_days_per_year_now": r(now),
            "disruption_multiplier_risk_neutral": r(self.disruption_multiplier_neutral, 3),
            "disruption_multiplier_risk_averse": r(self.disruption_multiplier_averse, 3),
            "china_disrupted_days_risk_neutral": r(_times(now, self.disruption_multiplier_neutral)),
            "china_disrupted_days_risk_averse": r(_times(now, self.disruption_multiplier_averse)),
            "sanctions_probability": self.sanctions_probability,
            "sanctions_loss_usd_per_t_risk_neutral": r(self.sanctions_usd_per_t_neutral),
            "sanctions_loss_usd_per_t_risk_averse": r(self.sanctions_usd_per_t_averse),
            "sanctions_expected_usd_per_t_risk_neutral": r(
                _times(self.sanctions_usd_per_t_neutral, self.sanctions_probability)
            ),
            "sanctions_expected_usd_per_t_risk_averse": r(
                _times(self.sanctions_usd_per_t_averse, self.sanctions_probability)
            ),
            "risk_aversion": {"kappa": self.buyer.kappa, "alpha": self.buyer.alpha},
            "shortfall_usd_per_t": r(self.shortfall_usd_per_t),
            "inputs": [x.to_dict() for x in self.inputs.values()],
        }


def _times(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a * b


def with_subsidy(
    inputs: Mapping[str, CostInputs], subsidy_usd_per_t: float
) -> dict[str, CostInputs]:
    """The inputs with ``subsidy_usd_per_t`` taken off the Trans-Caspian route's penalty."""
    out = dict(inputs)
    x = out[TARGET]
    out[TARGET] = replace(
        x, regime_penalty_usd_per_t=x.regime_penalty_usd_per_t - subsidy_usd_per_t
    )
    return out


def subsidy_for_share(model: ChoiceModel, inputs: Mapping[str, CostInputs], share: float) -> float:
    """USD per tonne paid on the Trans-Caspian route at which its share equals ``share``."""
    from scipy.optimize import brentq

    _check_share(share)
    if TARGET not in inputs:
        raise RequestError(Message("mkt_err_no_target"))
    if len(inputs) < 2:
        raise RequestError(Message("mkt_err_one_family"))

    def gap(x: float) -> float:
        return model.shares(with_subsidy(inputs, x), use_asc=False)[TARGET] - share

    lo, hi = -1000.0, 1000.0
    while gap(lo) > 0 and lo > -1e7:
        lo *= 4
    while gap(hi) < 0 and hi < 1e7:
        hi *= 4
    if gap(lo) > 0 or gap(hi) < 0:
        raise RequestError(Message("mkt_err_no_subsidy", share=share))
    return float(brentq(gap, lo, hi, xtol=1e-6))


def _check_share(share: float) -> None:
    if not (math.isfinite(share) and 0 < share < 1):
        raise RequestError(Message("mkt_err_share", share=share))


def annual_cost(
    costs: Mapping[str, FamilyCost],
    share: float,
    volume_t: float,
    multiplier: float,
    shortfall_usd_per_t: float,
    buyer: RiskBuyer,
    sanctions_usd_per_t: float = 0.0,
    sanctions_probability: float = 1.0,
) -> float:
    """Risk-weighted annual cost of a split: ``share`` on the Trans-Caspian, the rest China.

    ``multiplier`` scales today's China-route disruption rate. In a year struck by
    sanctions (probability ``sanctions_probability``, independent of disruptions) every
    tonne on the China route costs ``sanctions_usd_per_t`` more.
    """
    tc, cn = costs[TARGET], costs[RIVAL]
    days_cn, p_cn = _disrupted_days(cn, multiplier)
    days_tc, p_tc = _disrupted_days(tc, 1.0)
    per_day = volume_t / 365 * shortfall_usd_per_t
    fixed = volume_t * ((1 - share) * cn.cost_usd_per_t + share * tc.cost_usd_per_t)
    cost = fixed + per_day * ((1 - share) * days_cn[:, None] + share * days_tc[None, :])
    prob = p_cn[:, None] * p_tc[None, :]
    if sanctions_usd_per_t > 0 and sanctions_probability > 0:
        hit = volume_t * (1 - share) * sanctions_usd_per_t
        cost = np.stack([cost, cost + hit], axis=-1)
        prob = prob[..., None] * np.array([1 - sanctions_probability, sanctions_probability])
    mean = float((cost * prob).sum())
    if buyer.kappa == 0:
        return mean
    return mean + buyer.kappa * (_cvar(cost.ravel(), prob.ravel(), buyer.alpha) - mean)


def _disrupted_days(fc: FamilyCost, multiplier: float) -> tuple[np.ndarray, np.ndarray]:
    """Disrupted days in a year (Poisson count × mean length, at most 365) and their odds."""
    from scipy.stats import poisson

    rate = fc.events_per_year * multiplier
    length = fc.disrupted_days_per_year / fc.events_per_year if fc.events_per_year > 0 else 0.0
    n = np.arange(int(poisson.ppf(1 - 1e-12, rate)) + 2) if rate > 0 else np.zeros(1)
    p = poisson.pmf(n, rate) if rate > 0 else np.ones(1)
    return np.minimum(n * length, 365.0), p / p.sum()


def _cvar(values: np.ndarray, prob: np.ndarray, alpha: float) -> float:
    """Mean of the worst ``1 − alpha`` of probability mass (Rockafellar–Uryasev)."""
    order = np.argsort(values)[::-1]
    v, p = values[order], prob[order]
    tail = 1 - alpha
    cum = np.cumsum(p)
    take = np.minimum(p, np.maximum(tail - (cum - p), 0.0))
    return float((v * take).sum() / tail)


def disruption_breakeven(
    costs: Mapping[str, FamilyCost],
    share: float,
    shortfall_usd_per_t: float,
    buyer: RiskBuyer,
    volume_t: float = 1.0,
) -> float | None:
    """Multiple of today's China-route disruption rate at which the split wins.

    0 when the split wins even on a China route that never fails; ``None`` when it does not
    win below 1,000 times today's rate, or when either route is missing.
    """
    from scipy.optimize import brentq

    if RIVAL not in costs or TARGET not in costs or costs[RIVAL].events_per_year <= 0:
        return None

    def gap(m: float) -> float:
        split = annual_cost(costs, share, volume_t, m, shortfall_usd_per_t, buyer)
        return split - annual_cost(costs, 0.0, volume_t, m, shortfall_usd_per_t, buyer)

    if gap(0.0) <= 0:
        return 0.0
    hi = 1.0
    while gap(hi) > 0:
        hi *= 2
        if hi > 1000:
            return None
    return float(brentq(gap, hi / 2 if hi > 1 else 0.0, hi, xtol=1e-6))


MAX_SANCTIONS_USD_PER_T = 1e7


def sanctions_breakeven(
    costs: Mapping[str, FamilyCost],
    share: float,
    shortfall_usd_per_t: float,
    buyer: RiskBuyer,
    probability: float = 1.0,
    volume_t: float = 1.0,
) -> float | None:
    """Sanctions loss per China-route tonne (USD/t, struck with ``probability`` a year) at
    which the split wins, at today's disruption rates.

    0 when the split wins without any sanctions cost; ``None`` when it does not win below
    USD 10 million per tonne, or when either route is missing.
    """
    from scipy.optimize import brentq

    if RIVAL not in costs or TARGET not in costs:
        return None

    def gap(loss: float) -> float:
        split = annual_cost(
            costs, share, volume_t, 1.0, shortfall_usd_per_t, buyer, loss, probability
        )
        alone = annual_cost(
            costs, 0.0, volume_t, 1.0, shortfall_usd_per_t, buyer, loss, probability
        )
        return split - alone

    if gap(0.0) <= 0:
        return 0.0
    hi = 100.0
    while gap(hi) > 0:
        hi *= 2
        if hi > MAX_SANCTIONS_USD_PER_T:
            return None
    return float(brentq(gap, hi / 2 if hi > 100 else 0.0, hi, xtol=1e-6))


def check_request(
    share: float,
    volume_t: float | None,
    shortfall_share: float,
    buyer: RiskBuyer,
    sanctions_probability: float = 1.0,
) -> None:
    """Refuse a share outside (0, 1), a bad volume, shortfall or risk aversion.

    Raises
    ------
    RequestError
        Naming the number at fault.
    """
    _check_share(share)
    if volume_t is not None and not (math.isfinite(volume_t) and volume_t > 0):
        raise RequestError(Message("mkt_err_volume", volume=volume_t))
    if not (math.isfinite(shortfall_share) and shortfall_share >= 0):
        raise RequestError(Message("mkt_err_shortfall", shortfall=shortfall_share))
    if not (0 < buyer.alpha < 1 and math.isfinite(buyer.kappa) and buyer.kappa >= 0):
        raise RequestError(Message("mkt_err_risk"))
    if not (math.isfinite(sanctions_probability) and 0 < sanctions_probability <= 1):
        raise RequestError(Message("mkt_err_sanctions_p", p=sanctions_probability))


def breakeven(
    model: ChoiceModel,
    costs: Mapping[str, FamilyCost],
    inputs: Mapping[str, CostInputs],
    *,
    share: float = 0.5,
    volume_t: float | None = None,
    shortfall_share: float = SHORTFALL_SHARE,
    buyer: RiskBuyer | None = None,
    sanctions_probability: float = 1.0,
) -> BreakEven:
    """Subsidy, disruption and yearly-bill break-evens for one request.

    Parameters
    ----------
    model : the calibrated choice model.
    costs : family -> cheapest route today (:func:`~corridor.market.family_costs`).
    inputs : the generalised-cost inputs of the year asked (with its regimes).
    share : Trans-Caspian share to reach, in (0, 1).
    volume_t : annual tonnes, for the yearly bill.
    shortfall_share : cost of a stranded tonne as a share of cargo value.
    buyer : the risk-averse buyer's weights (default mean + 1 × (CVaR95 − mean)).
    sanctions_probability : yearly chance of the China-route sanctions cost (1: in force).

    Raises
    ------
    RequestError
        Share outside (0, 1), a negative or non-finite volume or shortfall, or no
        Trans-Caspian route.
    """
    buyer = buyer or RiskBuyer()
    check_request(share, volume_t, shortfall_share, buyer, sanctions_probability)
    subsidy = subsidy_for_share(model, inputs, share)
    # ±5 logit units around the break-even: the curve runs from under 1 % to over 99 %
    half = max(5 * COST_SCALE_USD / abs(model.beta_per_100_usd), 50.0)
    grid = sorted({round(subsidy + half * k / 20, 2) for k in range(-20, 21)} | {0.0})
    curve = tuple((x, model.shares(with_subsidy(inputs, x), use_asc=False)[TARGET]) for x in grid)
    cheapest = min(c.cost_usd_per_t for c in costs.values())
    extra = bill = None
    if volume_t is not None:
        extra = volume_t * share * (costs[TARGET].cost_usd_per_t - cheapest)
        bill = volume_t * share * subsidy
    shortfall = shortfall_share * costs[TARGET].value_usd_per_t
    neutral = disruption_breakeven(costs, share, shortfall, RiskBuyer(kappa=0.0))
    averse = disruption_breakeven(costs, share, shortfall, buyer)
    p = sanctions_probability
    s_neutral = sanctions_breakeven(costs, share, shortfall, RiskBuyer(kappa=0.0), p)
    s_averse = sanctions_breakeven(costs, share, shortfall, buyer, p)
    china = costs.get(RIVAL)
    return BreakEven(
        share,
        model.shares(inputs, use_asc=False),
        subsidy,
        curve,
        volume_t,
        extra,
        bill,
        neutral,
        averse,
        china.disrupted_days_per_year if china else None,
        buyer,
        shortfall,
        inputs,
        p,
        s_neutral,
        s_averse,
    )
