"""Backtest: replay the regime changes of 2022–2025 with the calibrated model.

Each replay predicts the shares of the year after a change from the regimes and dated
network states known on the day of the change (later ones are left out) and compares the
predicted shift of the Trans-Caspian share and volume with the observed one. The parameters
come from the calibration years only, so a replay ending in a hold-out year is out of sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from corridor.errors import RequestError
from corridor.i18n import Message
from corridor.market.calibration import Calibration
from corridor.market.choice import FamilyCost, generalised_cost_inputs
from corridor.market.dated import CostsOf, same_every_year
from corridor.market.observations import MarketData

TARGET = "trans_caspian"

REPLAYS: tuple[tuple[str, int, int, date, str], ...] = (
    ("2022", 2021, 2022, date(2022, 2, 24), Message("mkt_change_ru_sanctions")),
    ("2023–24", 2023, 2024, date(2024, 1, 1), Message("mkt_change_red_sea_low_water")),
    ("2024–25", 2024, 2025, date(2024, 12, 31), Message("mkt_change_persistence", year=2024)),
)
"""Label, year before, year after, date of the change (the inputs' as-of date), what changed
(a :class:`~corridor.i18n.Message`: its English text in JSON, its Japanese in the faces)."""


@dataclass(frozen=True)
class Replay:
    """Predicted against observed change across one regime change."""

    label: str
    year_from: int
    year_to: int
    as_of: date
    change: str
    out_of_sample: bool
    predicted_share_from: float
    predicted_share_to: float
    observed_share_from: float | None
    observed_share_to: float | None
    predicted_volume_t: float
    observed_volume_t: float | None

    @property
    def predicted_shift_pts(self) -> float:
        return 100 * (self.predicted_share_to - self.predicted_share_from)

    @property
    def observed_shift_pts(self) -> float | None:
        if self.observed_share_from is None or self.observed_share_to is None:
            return None
        return 100 * (self.observed_share_to - self.observed_share_from)

    @property
    def share_error_pts(self) -> float | None:
        """Predicted minus observed Trans-Caspian share in the year after (points)."""
        if self.observed_share_to is None:
            return None
        return 100 * (self.predicted_share_to - self.observed_share_to)

    @property
    def volume_error_pct(self) -> float | None:
        if not self.observed_volume_t:
            return None
        return 100 * (self.predicted_volume_t - self.observed_volume_t) / self.observed_volume_t

    def to_dict(self) -> dict[str, Any]:
        def r(x: float | None, n: int = 2) -> float | None:
            return None if x is None else round(x, n)

        return {
            "label": self.label,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "as_of": self.as_of.isoformat(),
            "change": self.change,
            "out_of_sample": self.out_of_sample,
            "predicted_share_from": r(self.predicted_share_from, 4),
            "predicted_share_to": r(self.predicted_share_to, 4),
            "observed_share_from": r(self.observed_share_from, 4),
            "observed_share_to": r(self.observed_share_to, 4),
            "predicted_shift_pts": r(self.predicted_shift_pts),
            "observed_shift_pts": r(self.observed_shift_pts),
            "share_error_pts": r(self.share_error_pts),
            "predicted_volume_t": round(self.predicted_volume_t),
            "observed_volume_t": self.observed_volume_t,
            "volume_error_pct": r(self.volume_error_pct, 1),
        }


def backtest(
    calibration: Calibration,
    data: MarketData,
    base: Mapping[str, FamilyCost] | CostsOf,
    replays: tuple[tuple[str, int, int, date, str], ...] = REPLAYS,
) -> list[Replay]:
    """Replay each change with the calibrated model (see :data:`REPLAYS`).

    The volume prediction of the year after is its predicted Trans-Caspian share times
    the observed total of that year, or of the year before where the year after is not
    fully observed (2025: the Northern route's volume was not found).

    ``base`` is a fixed table of costs, or ``(year, known_on) -> costs``: then both years
    of a replay are priced on their own networks with only the dated states known on the
    day of the change (:func:`corridor.analysis.market.dated_route_costs`).
    """
    model = calibration.model
    if TARGET not in model.families:
        raise RequestError(Message("mkt_err_no_family", family=TARGET))
    costs_of = same_every_year(base)
    fits = {y.year: y for y in calibration.years}
    holdout = {y.year for y in calibration.years if y.split == "holdout"}
    out: list[Replay] = []
    for label, y0, y1, as_of, change in replays:
        if y0 not in fits or y1 not in fits:
            continue
        c0, c1 = costs_of(y0, as_of), costs_of(y1, as_of)
        i0 = generalised_cost_inputs(
            y0, {f: c0[f] for f in model.families}, data.regimes, as_of=as_of
        )
        i1 = generalised_cost_inputs(
            y1, {f: c1[f] for f in model.families}, data.regimes, as_of=as_of
        )
        before, after = model.shares(i0), model.shares(i1)
        f0, f1 = fits[y0], fits[y1]
        total = sum((f1 if f1.observed_share else f0).observed_t.values())
        out.append(
            Replay(
                label,
                y0,
                y1,
                as_of,
                change,
                y1 in holdout,
                before[TARGET],
                after[TARGET],
                f0.observed_share[TARGET] if f0.observed_share else None,
                f1.observed_share[TARGET] if f1.observed_share else None,
                after[TARGET] * total,
                f1.observed_t.get(TARGET),
            )
        )
    return out
