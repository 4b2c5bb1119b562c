"""Calibration: the logit estimated on the calibration years, judged on the hold-out years.

Only rows marked ``calibration`` reach the estimator; hold-out rows are used afterwards,
to measure how far the predicted shares are from the observed ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from corridor.errors import RequestError
from corridor.i18n import Message
from corridor.market.choice import (
    DECISION_T,
    PARAMETER_SOURCES,
    ChoiceModel,
    CostInputs,
    FamilyCost,
    estimate,
    generalised_cost_inputs,
)
from corridor.market.dated import CostsOf, same_every_year
from corridor.market.observations import MarketData, Observation


@dataclass(frozen=True)
class YearFit:
    """Observed against predicted shares in one year."""

    year: int
    split: str
    observed_t: Mapping[str, float]
    observed_share: Mapping[str, float] | None
    predicted_share: Mapping[str, float]

    @property
    def abs_share_error(self) -> float | None:
        """Mean absolute error of the family shares (0..1), where all were observed."""
        if self.observed_share is None:
            return None
        errs = [abs(self.predicted_share[f] - s) for f, s in self.observed_share.items()]
        return sum(errs) / len(errs)

    @property
    def volume_ape(self) -> float | None:
        """Mean absolute percentage error of the family volumes at the observed total."""
        if self.observed_share is None:
            return None
        total = sum(self.observed_t.values())
        apes = [abs(self.predicted_share[f] * total - v) / v for f, v in self.observed_t.items()]
        return sum(apes) / len(apes)


@dataclass(frozen=True)
class Calibration:
    """The estimated model, its inputs and its fit, year by year."""

    market: str
    model: ChoiceModel
    inputs_by_year: Mapping[int, Mapping[str, CostInputs]]
    years: tuple[YearFit, ...]
    decision_t: float

    def errors(self, split: str) -> dict[str, float | None]:
        """Mean absolute share error (percentage points) and volume MAPE (%) of a split."""
        rows = [y for y in self.years if y.split == split and y.observed_share is not None]
        if not rows:
            return {"share_error_pts": None, "volume_mape_pct": None, "years": None}
        share = sum(y.abs_share_error or 0.0 for y in rows) / len(rows)
        mape = sum(y.volume_ape or 0.0 for y in rows) / len(rows)
        # two decimals, as the per-year errors: below that it is the optimiser's noise
        return {
            "share_error_pts": round(100 * share, 2),
            "volume_mape_pct": round(100 * mape, 2),
            "years": len(rows),
        }

    def to_dict(self) -> dict[str, Any]:
        m = self.model
        return {
            "market": self.market,
            "families": list(m.families),
            "parameters": {
                k: {"estimate": round(v, 4), "se": _r(m.se.get(k), 4)}
                for k, v in m.params().items()
            },
            "sanctions_usd_per_t": round(m.sanctions_usd_per_t, 1),
            "loglike": _r(m.loglike, 2),
            "loglike_null": _r(m.loglike_null, 2),
            "rho_squared": _r(m.rho_squared, 4),
            "calibration_years": m.n_groups,
            "decision_t": self.decision_t,
            "converged": m.converged,
            "errors": {s: self.errors(s) for s in ("calibration", "holdout")},
            "years": [
                {
                    "year": y.year,
                    "split": y.split,
                    "observed_t": dict(y.observed_t),
                    "observed_share": _shares(y.observed_share),
                    "predicted_share": _shares(y.predicted_share),
                    "abs_share_error_pts": _r(_pts(y.abs_share_error), 2),
                }
                for y in self.years
            ],
            "inputs": {
                str(yr): [x.to_dict() for x in inp.values()]
                for yr, inp in self.inputs_by_year.items()
            },
            "sources": dict(PARAMETER_SOURCES),
        }


def _r(x: float | None, n: int) -> float | None:
    return None if x is None else round(x, n)


def _pts(x: float | None) -> float | None:
    return None if x is None else 100 * x


def _shares(s: Mapping[str, float] | None) -> dict[str, float] | None:
    return None if s is None else {k: round(v, 4) for k, v in s.items()}


def calibrate(
    data: MarketData,
    base: Mapping[str, FamilyCost] | CostsOf,
    *,
    market: str | None = None,
    decision_t: float = DECISION_T,
) -> Calibration:
    """Estimate the route-choice model of one market on its calibration years.

    Parameters
    ----------
    data : the market tables (:func:`~corridor.market.load_market_data`).
    base : family -> cheapest route (:func:`~corridor.market.family_costs`), the same in
        every year; or ``(year, known_on) -> family -> cost``, each year priced on the
        network as it stood then (:func:`corridor.analysis.market.dated_route_costs`).
    market : which market of the table (default: the first).
    decision_t : tonnes per independent decision.

    Raises
    ------
    RequestError
        Unknown market, a family the network has no route for, or too few years.
    """
    markets = data.markets()
    if not markets:
        raise RequestError(Message("mkt_err_no_observations"))
    market = market or markets[0]
    if market not in markets:
        raise RequestError(
            Message("mkt_err_unknown_market", market=market, markets=", ".join(markets))
        )
    rows = [o for o in data.observations if o.market == market]
    families = tuple(dict.fromkeys(o.family for o in rows))
    costs_of = same_every_year(base)
    years = sorted({o.year for o in rows})
    inputs = {}
    for y in years:
        costs = costs_of(y, None)
        missing = [f for f in families if f not in costs]
        if missing:
            raise RequestError(Message("mkt_err_no_route", families=", ".join(missing), year=y))
        inputs[y] = generalised_cost_inputs(y, {f: costs[f] for f in families}, data.regimes)
    model = estimate([o for o in rows if o.split == "calibration"], inputs, decision_t=decision_t)
    fits = tuple(
        _year_fit(y, [o for o in rows if o.year == y], families, model, inputs[y]) for y in years
    )
    return Calibration(market, model, inputs, fits, decision_t)


def _year_fit(
    year: int,
    rows: list[Observation],
    families: tuple[str, ...],
    model: ChoiceModel,
    inputs: Mapping[str, CostInputs],
) -> YearFit:
    observed = {o.family: o.volume_t for o in rows}
    total = sum(observed.values())
    complete = all(f in observed for f in families)
    share = {f: observed[f] / total for f in families} if complete else None
    split = "holdout" if any(o.split == "holdout" for o in rows) else "calibration"
    return YearFit(year, split, observed, share, model.shares(inputs))
