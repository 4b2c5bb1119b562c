"""Route choice: a multinomial logit of route-family shares on generalised cost.

The utility of family ``f`` in year ``y`` is::

    V[f, y] = asc[f] - beta * GC[f, y] / 100 - theta * S[f, y]

where ``GC`` is the generalised cost in USD per tonne (freight, handling, insurance and
inventory from the network, plus transit time and its spread at the shippers' value of
time, plus dated regime penalties) and ``S`` the share of the year the family is under
sanctions. ``asc`` are alternative-specific constants (the first family is the
reference, ``asc = 0``). Parameters are estimated by maximum likelihood on grouped
counts — tonnes ÷ the size of one route decision — with statsmodels, which also gives
their standard errors from the numerical Hessian.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.errors import RequestError
from corridor.i18n import Message
from corridor.market.observations import Observation, Regime
from corridor.routing.route import Route

VOT_USD_PER_T_DAY = 4.2
"""Shippers' value of transit time beyond the in-transit inventory cost the network already
prices, USD per tonne-day (est_market_vot). Not scaled by cargo value: the figure is revealed
by container goods choosing rail over sea, and multiplying it by the price of uranium would
make a buyer with years of stock pay for days as a just-in-time assembler does."""
RELIABILITY_RATIO = 1.0
"""Weight of a day between mean and 95th percentile transit (est_market_reliability)."""
DECISION_T = 1000.0
"""Tonnes per independent route decision in the grouped likelihood (est_market_decision_t)."""
COST_SCALE_USD = 100.0
"""Generalised cost enters the utility in units of USD 100 per tonne."""
PARAMETER_SOURCES = {
    "vot_usd_per_t_day": "est_market_vot",
    "reliability_ratio": "est_market_reliability",
    "decision_t": "est_market_decision_t",
}


@dataclass(frozen=True)
class FamilyCost:
    """The cheapest route of one family, as the network prices it today."""

    family: str
    cost_usd_per_t: float
    days_mean: float
    days_p95: float
    exposures: tuple[str, ...]
    value_usd_per_t: float
    events_per_year: float
    disrupted_days_per_year: float


def family_costs(routes: Iterable[Route], value_usd_per_t: float) -> dict[str, FamilyCost]:
    """The cheapest route of each family among ``routes`` (e.g. ``compare(...).routes``).

    ``value_usd_per_t`` is the commodity's value (it sets the value of time).
    """
    out: dict[str, FamilyCost] = {}
    for r in sorted(routes, key=lambda r: r.cost_usd_per_t):
        if r.family in out:
            continue
        p = min(r.risk.annual_probability, 1 - 1e-12)
        out[r.family] = FamilyCost(
            r.family,
            r.cost_usd_per_t,
            r.days_mean,
            r.days_p95,
            (*r.countries, *r.chokepoints),
            value_usd_per_t,
            float(-np.log1p(-p)),
            r.risk.disrupted_days_per_year,
        )
    return out


@dataclass(frozen=True)
class CostInputs:
    """Generalised-cost inputs of one family in one year."""

    family: str
    year: int
    cost_usd_per_t: float
    days_mean: float
    days_p95: float
    regime_days: float
    regime_penalty_usd_per_t: float
    sanctions: float
    vot_usd_per_t_day: float
    regimes: tuple[str, ...]

    @property
    def generalised_usd_per_t(self) -> float:
        spread = max(self.days_p95 - self.days_mean, 0.0)
        time = self.days_mean + self.regime_days + RELIABILITY_RATIO * spread
        return self.cost_usd_per_t + self.regime_penalty_usd_per_t + self.vot_usd_per_t_day * time

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "year": self.year,
            "cost_usd_per_t": round(self.cost_usd_per_t, 2),
            "days_mean": round(self.days_mean, 2),
            "days_p95": round(self.days_p95, 2),
            "regime_days": round(self.regime_days, 2),
            "regime_penalty_usd_per_t": round(self.regime_penalty_usd_per_t, 2),
            "sanctions": round(self.sanctions, 3),
            "vot_usd_per_t_day": round(self.vot_usd_per_t_day, 3),
            "generalised_usd_per_t": round(self.generalised_usd_per_t, 2),
            "regimes": list(self.regimes),
        }


def generalised_cost_inputs(
    year: int,
    base: Mapping[str, FamilyCost],
    regimes: Sequence[Regime],
    *,
    as_of: date | None = None,
) -> dict[str, CostInputs]:
    """The generalised-cost inputs of every family for ``year``.

    Each regime adds its extra days, penalty and sanctions weighted by the share of the
    year it is in force; a regime starting after ``as_of`` is left out (it was not known
    then). This is the one place dated conditions enter the market model: when the network
    gains its own dated-states table, this function reads it instead of ``regimes``.
    """
    out: dict[str, CostInputs] = {}
    for fam, fc in base.items():
        days = penalty = sanctions = 0.0
        active: list[str] = []
        for rg in regimes:
            if fam not in rg.applies_to and not set(rg.applies_to) & set(fc.exposures):
                continue
            w = rg.share_of_year(year, as_of)
            if w <= 0:
                continue
            active.append(rg.id)
            days += w * rg.extra_days
            penalty += w * rg.penalty_usd_per_t
            sanctions += w * rg.sanctions
        vot = VOT_USD_PER_T_DAY
        out[fam] = CostInputs(
            fam,
            year,
            fc.cost_usd_per_t,
            fc.days_mean,
            fc.days_p95,
            days,
            penalty,
            min(sanctions, 1.0),
            vot,
            tuple(active),
        )
    return out


@dataclass(frozen=True)
class ChoiceModel:
    """Logit parameters, with standard errors when estimated."""

    families: tuple[str, ...]
    asc: Mapping[str, float]
    beta_per_100_usd: float
    theta_sanctions: float
    se: Mapping[str, float] = field(default_factory=dict)
    loglike: float | None = None
    loglike_null: float | None = None
    n_groups: int = 0
    converged: bool = True

    def utilities(
        self, inputs: Mapping[str, CostInputs], *, use_asc: bool = True
    ) -> dict[str, float]:
        return {
            f: (self.asc.get(f, 0.0) if use_asc else 0.0)
            - self.beta_per_100_usd * x.generalised_usd_per_t / COST_SCALE_USD
            - self.theta_sanctions * x.sanctions
            for f, x in inputs.items()
        }

    def shares(self, inputs: Mapping[str, CostInputs], *, use_asc: bool = True) -> dict[str, float]:
        """Predicted share of each family in ``inputs``."""
        v = self.utilities(inputs, use_asc=use_asc)
        return dict(zip(v, _softmax(np.array(list(v.values()))).tolist(), strict=True))

    @property
    def sanctions_usd_per_t(self) -> float:
        """What sanctions weigh in the choice, in USD per tonne of generalised cost."""
        return self.theta_sanctions / self.beta_per_100_usd * COST_SCALE_USD

    @property
    def rho_squared(self) -> float | None:
        """McFadden's rho² against equal shares."""
        if self.loglike is None or not self.loglike_null:
            return None
        return 1 - self.loglike / self.loglike_null

    def params(self) -> dict[str, float]:
        out = {f"asc_{f}": self.asc[f] for f in self.families[1:]}
        out["beta_per_100_usd"] = self.beta_per_100_usd
        out["theta_sanctions"] = self.theta_sanctions
        return out


def _softmax(v: NDArray[np.float64]) -> NDArray[np.float64]:
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)  # type: ignore[no-any-return]


def estimate(
    observations: Sequence[Observation],
    inputs_by_year: Mapping[int, Mapping[str, CostInputs]],
    *,
    decision_t: float = DECISION_T,
) -> ChoiceModel:
    """Maximum-likelihood estimate of the logit on grouped counts (statsmodels).

    Parameters
    ----------
    observations : one market's calibration rows (tonnes by family and year).
    inputs_by_year : year -> family -> generalised-cost inputs.
    decision_t : tonnes per independent decision (sets the counts, hence the errors).

    Raises
    ------
    RequestError
        No observations, fewer share observations than parameters, a family without
        cost inputs, or a bad ``decision_t``.
    """
    if not observations:
        raise RequestError(Message("mkt_err_no_calibration"))
    if not (np.isfinite(decision_t) and decision_t > 0):
        raise RequestError(Message("mkt_err_decision", decision=decision_t))
    families = tuple(dict.fromkeys(o.family for o in observations))
    years = sorted({o.year for o in observations})
    volume = {(o.year, o.family): o.volume_t for o in observations}
    years = [y for y in years if all((y, f) in volume for f in families)]
    for y in years:
        missing = [f for f in families if f not in inputs_by_year.get(y, {})]
        if missing:
            raise RequestError(Message("mkt_err_no_inputs", families=", ".join(missing), year=y))
    n_params = len(families) + 1
    if len(families) < 2 or len(years) * (len(families) - 1) < n_params:
        raise RequestError(
            Message("mkt_err_identify", years=len(years), families=len(families), params=n_params)
        )
    counts = np.array([[volume[y, f] / decision_t for f in families] for y in years])
    gc = np.array([[inputs_by_year[y][f].generalised_usd_per_t for f in families] for y in years])
    sanc = np.array([[inputs_by_year[y][f].sanctions for f in families] for y in years])
    return _fit(families, counts, gc / COST_SCALE_USD, sanc)


def _fit(
    families: tuple[str, ...],
    counts: NDArray[np.float64],
    gc: NDArray[np.float64],
    sanctions: NDArray[np.float64],
) -> ChoiceModel:
    try:
        from statsmodels.base.model import GenericLikelihoodModel
    except ImportError:  # an optional dependency: say how to get it
        raise RequestError(Message("mkt_err_statsmodels")) from None

    n_fam = len(families)
    names = [f"asc_{f}" for f in families[1:]] + ["beta_per_100_usd", "theta_sanctions"]

    def logp(params: NDArray[np.float64]) -> NDArray[np.float64]:
        asc = np.concatenate([[0.0], params[: n_fam - 1]])
        v = asc[None, :] - params[-2] * gc - params[-1] * sanctions
        v = v - v.max(axis=1, keepdims=True)
        return v - np.log(np.exp(v).sum(axis=1, keepdims=True))  # type: ignore[no-any-return]

    class _GroupedLogit(GenericLikelihoodModel):  # type: ignore[misc]
        def nloglikeobs(self, params: NDArray[np.float64]) -> NDArray[np.float64]:
            return -(counts * logp(params)).sum(axis=1)  # type: ignore[no-any-return]

    model = _GroupedLogit(counts.sum(axis=1), np.ones((len(counts), len(names))))
    model.exog_names[:] = names
    # One row per year-group, not per decision: statsmodels' degrees-of-freedom bookkeeping
    # (meant for one row per observation) warns about it; the likelihood is the grouped one.
    model.df_model, model.k_constant = len(names), 0
    model.df_resid = counts.sum() - len(names)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="df_", category=UserWarning)
        # the grouped logit log-likelihood is concave: Newton from zero converges
        res = model.fit(start_params=np.zeros(len(names)), method="newton", maxiter=200, disp=False)
    params = np.asarray(res.params, dtype=float)
    with np.errstate(invalid="ignore"):
        bse = np.asarray(res.bse, dtype=float)
    null = float((counts * np.log(1.0 / n_fam)).sum())
    return ChoiceModel(
        families=families,
        asc={families[0]: 0.0, **{f: float(params[i]) for i, f in enumerate(families[1:])}},
        beta_per_100_usd=float(params[-2]),
        theta_sanctions=float(params[-1]),
        se=dict(zip(names, bse.tolist(), strict=True)),
        loglike=float(res.llf),
        loglike_null=null,
        n_groups=len(counts),
        converged=bool(res.mle_retvals.get("converged", True)),
    )
