"""Bands and drivers of any model of the estimates: capacity, plan, stress.

A *model* here is a function from figure values to headline numbers: ``evaluate(values, n)``
takes, for some figure keys, an array of ``n`` values each (a key not given stays as the
tables state it) and returns each headline as an array of ``n``. It may be slow (a linear
program re-solved per draw, a Monte Carlo run per draw), so the study spends its
evaluations with care:

1. **Bands**: ``samples`` joint draws (scrambled Sobol' points mapped to the factors'
   ranges), P5/P50/P95 of every headline.
2. **Screening**: factors ranked by the absolute rank correlation of their quantile with the
   target headline over those draws (no extra evaluation).
3. **Sobol' indices** (SALib, Saltelli sampling, first order and total): the
   ``individual`` strongest factors each on their own, every other factor together as one
   group, "other estimates" (``n_base × (groups + 2)`` evaluations). With no more factors
   than ``individual + 1`` every factor is its own group.
4. **Tornado**: the target with one factor at the low and at the high end of its ranges,
   the others as stated (2 evaluations per factor shown).
5. **Improve first**: the narrowing of the target's P5–P95 band when a factor is pinned at
   its stated figures — measured by re-evaluating the draws with it pinned (``pin=True``),
   or estimated from its total index as ``1 − √(1 − ST)`` (the band of a roughly normal
   output shrinks with the square root of the variance left).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from corridor.i18n import Joined, Message, Named, t
from corridor.network.ranges import RangeKey
from corridor.uncertainty.propagate import Band
from corridor.uncertainty.sampling import Factor, factor_values, unit_draws

Values = Mapping[RangeKey, np.ndarray]
Evaluate = Callable[[Values, int], dict[str, np.ndarray]]
"""(figure values by key, number of draws) -> headline name -> array of that length."""

INDIVIDUAL = 8
"""Factors given their own Sobol' index; the others share one group."""
MIN_NARROWING = 0.03
"""Narrowings below this are within the sampling noise of a P5–P95 band."""
OTHERS = "other estimates"


@dataclass(frozen=True)
class Driver:
    """How much one factor (or the group of all the weaker ones) moves a headline: the one
    driver record of compare, capacity, plan and stress."""

    factor: str
    label: str
    figures: int
    s1: float
    """First-order Sobol' index (share of the headline's variance it explains alone)."""
    st: float
    """Total Sobol' index (alone and in interaction)."""
    at_low: float | None
    at_high: float | None
    """The headline with this factor at the low / high end of its ranges, the others as
    stated (the tornado bars; None for the group)."""
    narrowing: float
    """Share by which the headline's P5–P95 band narrows if this factor is pinned at its
    stated figures."""
    measured: bool
    """Whether ``narrowing`` was measured by re-evaluating pinned draws (else estimated
    from ``st``)."""
    name_en: str = ""
    name_ja: str = ""
    """What the estimate is, for people (``label`` keeps the ids, for JSON)."""

    def name(self, lang: str = "en") -> str:
        """The estimate's name in ``lang`` (its label where it has none)."""
        return (self.name_ja if lang != "en" else self.name_en) or self.label

    def named(self) -> Named:
        """The label as English text (the ids, unchanged) that reads as the name in Japanese."""
        return Named(self.label, self.name_ja or self.label)

    def to_dict(self, ends: tuple[str, str] = ("at_low", "at_high")) -> dict[str, Any]:
        """JSON fields; ``ends`` names the two tornado ends (compare: the premium's)."""
        out: dict[str, Any] = {
            "factor": self.factor,
            "label": self.label,
            "figures": self.figures,
            "sobol_first_order": round(self.s1, 4),
            "sobol_total": round(self.st, 4),
        }
        for name, v in zip(ends, (self.at_low, self.at_high), strict=True):
            out[name] = None if v is None else round(v, 2)
        return out | {
            "band_narrowing": round(self.narrowing, 4),
            "narrowing_measured": self.measured,
        }


def improve_first(found: Sequence[Driver], n: int = 5) -> list[Driver]:
    """The factors whose pinning narrows the band most (by at least :data:`MIN_NARROWING`;
    the group of the others excluded), best first."""
    chosen = (d for d in found if d.factor != OTHERS and d.narrowing >= MIN_NARROWING)
    return sorted(chosen, key=lambda d: -d.narrowing)[:n]


def drivers_text(found: Sequence[Driver], n: int = 3, of: str = "") -> str:
    """``; drivers: A (ST 0.52); B (ST 0.11)`` for the ``n`` strongest (ST ≥ 0.005), or ''."""
    strong = [d for d in found[:n] if d.st >= 0.005]
    if not strong:
        return ""
    names = Joined("; ", [Joined("", [d.named(), f" (ST {d.st:.2f})"]) for d in strong])
    return Message("unc_drivers_text", of=of, names=names)


@dataclass(frozen=True)
class Study:
    """Bands of a model's headlines over joint draws, and the drivers of one of them.

    Attributes
    ----------
    bands : dict
        Headline name -> :class:`Band` (in the headline's own unit).
    draws : dict
        Headline name -> its values over the main draws (for probabilities).
    target : str
        The headline whose drivers are ranked.
    drivers : tuple of Driver
        Factors by total Sobol' index (strongest first), then the group of the others.
    """

    samples: int
    seed: int
    factors: int
    figures: int
    bands: dict[str, Band]
    draws: dict[str, np.ndarray]
    target: str
    drivers: tuple[Driver, ...]
    evaluations: int

    def improve_first(self, n: int = 5) -> list[Driver]:
        """Factors whose pinning narrows the target's band most (group excluded)."""
        return improve_first(self.drivers, n)

    def summary(
        self,
        bands_name: str,
        bands: dict[str, Any],
        probabilities: dict[str, float],
        closing_note: str,
        method_note: str = "",
    ) -> dict[str, Any]:
        """The JSON shape every banded result shares: sampling, ``bands_name`` -> ``bands``,
        probabilities, sensitivity, closing note."""
        return {
            **self.to_dict(),
            bands_name: bands,
            "probabilities": {k: round(v, 4) for k, v in probabilities.items()},
            "sensitivity": self.sensitivity_dict(method_note),
            "closing_note": closing_note,
        }

    def sensitivity_dict(self, method_note: str = "") -> dict[str, Any]:
        alone = sum(d.factor != OTHERS for d in self.drivers)
        return {
            "target": self.target,
            "method": "Sobol' indices (SALib, Saltelli sampling), first order and total; "
            f"the {alone} factors most rank-correlated with the target on their own, "
            f"the rest as one group '{OTHERS}'" + (f"; {method_note}" if method_note else ""),
            "evaluations": self.evaluations,
            "drivers": [d.to_dict() for d in self.drivers],
            "improve_first": [d.factor for d in self.improve_first()],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "samples": self.samples,
            "seed": self.seed,
            "sampling": "scrambled Sobol' points (scipy.stats.qmc); factors independent, "
            "figures of one factor at one quantile",
            "factors": self.factors,
            "figures": self.figures,
        }


def study(
    evaluate: Evaluate,
    factors: Sequence[Factor],
    target: str,
    *,
    samples: int,
    seed: int = 0,
    n_base: int = 64,
    individual: int = INDIVIDUAL,
    pin: bool = True,
    banded: Sequence[str] | None = None,
) -> Study:
    """Draw the factors ``samples`` times, band every headline, rank the drivers of ``target``.

    See the module docstring for the steps; ``pin`` measures the improve-first narrowing
    (``individual × samples`` more evaluations) instead of estimating it; ``banded`` names
    the headlines to band (default: all; the others are kept as draws only).
    """
    d = len(factors)
    u = unit_draws(samples, max(1, d), seed)[:, :d]
    y = evaluate(factor_values(list(factors), u), samples)
    stated = evaluate({}, 1)
    bands = {
        k: Band.of(float(stated[k][0]), v) for k, v in y.items() if banded is None or k in banded
    }
    evaluations = samples + 1
    found: list[Driver] = []
    if d and target in y:
        found, extra = _drivers(evaluate, list(factors), target, u, y[target], seed, n_base,
                                individual, pin)  # fmt: skip
        evaluations += extra
    return Study(
        samples=samples,
        seed=seed,
        factors=d,
        figures=sum(len(f.members) for f in factors),
        bands=bands,
        draws=y,
        target=target,
        drivers=tuple(found),
        evaluations=evaluations,
    )


def _drivers(
    evaluate: Evaluate,
    factors: list[Factor],
    target: str,
    u: np.ndarray,
    y: np.ndarray,
    seed: int,
    n_base: int,
    individual: int,
    pin: bool,
) -> tuple[list[Driver], int]:
    d = len(factors)
    order = _screen(u, y)
    alone = order if d <= individual + 1 else order[:individual]
    rest = [j for j in order if j not in set(alone)]
    group_of = {j: factors[j].name for j in alone} | {j: OTHERS for j in rest}
    names = [group_of[j] for j in range(d)]
    s1, st, used = _sobol(evaluate, factors, target, names, n_base, seed)
    groups = list(dict.fromkeys(names))
    index = {g: i for i, g in enumerate(groups)}
    ends, used_ends = _tornado(evaluate, factors, target, alone)
    width = float(np.subtract(*np.percentile(y, [95, 5])))
    out: list[Driver] = []
    evaluations = used + used_ends
    for j in alone:
        f, g = factors[j], index[factors[j].name]
        narrowing = 1.0 - math.sqrt(max(0.0, 1.0 - float(st[g])))
        if pin and width > 0:
            pinned = factor_values([x for i, x in enumerate(factors) if i != j],
                                   np.delete(u, j, axis=1))  # fmt: skip
            yp = evaluate(pinned, u.shape[0])[target]
            evaluations += u.shape[0]
            narrowing = 1.0 - float(np.subtract(*np.percentile(yp, [95, 5]))) / width
        low, high = ends[j]
        out.append(Driver(f.name, f.label, len(f.members), float(s1[g]), float(st[g]), low, high,
                        narrowing, pin and width > 0, f.name_en, f.name_ja))  # fmt: skip
    out.sort(key=lambda p: -p.st)
    if rest:
        g = index[OTHERS]
        figures = sum(len(factors[j].members) for j in rest)
        narrowing = 1.0 - math.sqrt(max(0.0, 1.0 - float(st[g])))
        en, ja = (t("unc_others_together", lang, n=len(rest)) for lang in ("en", "ja"))
        out.append(Driver(OTHERS, f"the other {len(rest)} estimates together", figures,
                        float(s1[g]), float(st[g]), None, None, narrowing, False,
                        en, ja))  # fmt: skip
    return out, evaluations


def _screen(u: np.ndarray, y: np.ndarray) -> list[int]:
    """Factor columns by absolute Spearman correlation with ``y``, strongest first."""
    d = u.shape[1]
    if d <= 1 or np.ptp(y) == 0:
        return list(range(d))
    ry = _ranks(y)
    score = []
    for j in range(d):
        ru = _ranks(u[:, j])
        c = np.corrcoef(ru, ry)[0, 1]
        score.append(0.0 if not np.isfinite(c) else abs(float(c)))
    return sorted(range(d), key=lambda j: -score[j])


def _ranks(v: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return np.asarray(rankdata(v), dtype=float)


def _sobol(
    evaluate: Evaluate,
    factors: list[Factor],
    target: str,
    names: list[str],
    n_base: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, int]:
    """First-order and total indices per group of ``names`` (in order of first appearance)."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    d = len(factors)
    groups = list(dict.fromkeys(names))
    problem: dict[str, Any] = {
        "num_vars": d,
        "names": [f.name for f in factors],
        "bounds": [[0.0, 1.0]] * d,
    }
    if len(groups) < d:
        problem["groups"] = names
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=seed)
    y = evaluate(factor_values(factors, x), x.shape[0])[target]
    if not np.var(y) > 1e-18 * max(1.0, float(np.mean(y)) ** 2):
        return np.zeros(len(groups)), np.zeros(len(groups)), x.shape[0]
    si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=10, seed=seed)
    # shares of a variance: estimator noise past 0 or 1 is clipped
    s1 = np.clip(np.nan_to_num(np.asarray(si["S1"], dtype=float)), 0.0, 1.0)
    st = np.clip(np.nan_to_num(np.asarray(si["ST"], dtype=float)), 0.0, 1.0)
    return s1, st, x.shape[0]


def _tornado(
    evaluate: Evaluate, factors: list[Factor], target: str, shown: Sequence[int]
) -> tuple[dict[int, tuple[float, float]], int]:
    """The target with each shown factor at its low and at its high end, others stated."""
    if not shown:
        return {}, 0
    n = 2 * len(shown)
    values: dict[RangeKey, np.ndarray] = {}
    for row, j in enumerate(shown):
        f = factors[j]
        for r, base in zip(f.members, f.base, strict=True):
            col = values.setdefault(r.key, np.full(n, base))
            col[2 * row], col[2 * row + 1] = r.low, r.high
    y = evaluate(values, n)[target]
    return {j: (float(y[2 * i]), float(y[2 * i + 1])) for i, j in enumerate(shown)}, n


def share_above(v: np.ndarray, threshold: float) -> float:
    """Share of the draws above ``threshold``."""
    return float(np.mean(v > threshold))
