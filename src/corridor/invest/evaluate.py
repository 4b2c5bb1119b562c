"""Evaluation of the projects of ``projects.csv``: each with and without, on a portfolio.

With and without
    The portfolio is planned (:func:`corridor.optimize.planning.plan`, the least-cost LP in
    HiGHS) on the network as it is and on the network with the project's edits applied.
    Per contract: the change in tonnes delivered and in the yearly cost of the plan, and
    the tonne-weighted mean transit time.

Money
    Yearly benefit = Σ over contracts of (extra tonnes delivered × value of a delivered
    tonne) − (change in the yearly cost of the tonnes the base plan already delivers, at
    each contract's mean cost per tonne with the project). Extra tonnes are valued net of
    their own route cost (an approximation: marginal tonnes cost more than the mean). The
    value of a delivered contract tonne is ``margin_share`` × the commodity's value (the
    buyer's margin on supply that would otherwise not arrive; an assumption, 10 % with a
    5–20 % band). Days saved are already
    money inside the plan cost (in-transit inventory at the carrying rate of
    :class:`corridor.costs.Assumptions`), so they are reported, not counted twice.
    Net present value at ``discount_rate``: the capex is spent at year 0, the benefit less
    the opex arrives from year ``lead_years`` + 1 for ``lifetime_years`` years.
    Benefit–cost ratio: present value of the benefit ÷ (capex + present value of the opex).

Band
    Low: the benefit × the project's ``effect_low`` at the low margin share, against the
    high capex; high: × ``effect_high`` at the high margin share, against the low capex.
    Scaling the benefit by the effect share is a linear approximation of re-planning with
    the scaled edits.

Corridor traffic
    The corridor's own growth (``projects/corridor_traffic.yaml``: 6.9 Mt/yr more across the
    Caspian by 2030) is planned together with the contracts, sharing their capacities, and
    its extra tonnes are valued at ``corridor_value_usd_per_t`` (the inventory a faster route
    saves, est_corridor_tonne_value). The contracts' each-contract rules stay on the
    contracts; portfolio-wide rules would count the corridor tonnes too.

Strategic premium
    :func:`corridor.analysis.compare` on each contract's first origin and destination, with
    and without: the change in the cost of avoiding China, Russia and both (USD/t,
    volume-weighted). Reported, not monetised.

Risk
    Stock-out days, and CVaR95 of the extra cost and of the undelivered tonnes, from the
    time-resolved engine, with and without on common random numbers
    (:mod:`corridor.invest.intime`). The stock-out days avoided are valued at the supply
    the buyers lack on them × the shortfall share (30 %, 10–100 %, est_market_shortfall) and
    added to the benefit (reported apart: :meth:`Evaluation.stockout_benefit`). The change
    in the tonne-weighted expected disrupted days of the contracts' routes (the exposures
    table) is still reported. The simulation's queues are not evaluated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from corridor.contracts.model import EACH, Portfolio
from corridor.costs import Assumptions
from corridor.errors import RequestError
from corridor.invest.intime import Prepared, RiskChange, RiskSettings, prepare, risk_change
from corridor.network.model import Network, Project
from corridor.network.projects import project_scenario
from corridor.network.scenario import apply_scenario
from corridor.optimize.plan_result import PlanResult
from corridor.optimize.planning import plan

COMBINATIONS: tuple[tuple[str, ...], ...] = (
    ("PRJ_CASPIAN_FERRIES", "PRJ_KURYK_BERTH"),
    ("PRJ_CASPIAN_FERRIES", "PRJ_CASPIAN_DREDGING"),
    ("PRJ_CASPIAN_FEEDERS", "PRJ_AKTAU_HUB"),
    ("PRJ_BTK_UPGRADE", "PRJ_ALAT_PHASE2"),
)
"""Projects whose effects interact (a ferry is worth little without berth capacity): each
pair is also evaluated together, as one combination item of the selection."""


@dataclass(frozen=True)
class Money:
    """What the benefits are valued at, and the discounting."""

    discount_rate: float = 0.06
    """Real discount rate per year (6 %, an assumption for public infrastructure appraisal)."""
    margin_share: float = 0.10
    margin_share_low: float = 0.05
    margin_share_high: float = 0.20
    """Value of one more contract tonne delivered, as a share of the commodity's value
    (sources.csv est_margin_share)."""
    corridor_value_usd_per_t: float = 30.0
    corridor_value_low: float = 15.0
    corridor_value_high: float = 50.0
    """Value of one more tonne of corridor traffic carried (est_corridor_tonne_value)."""
    shortfall_share: float = 0.30
    shortfall_share_low: float = 0.10
    shortfall_share_high: float = 1.0
    """Cost to the buyer of a tonne lacking on a stock-out day, as a share of the cargo's
    value (replacement buying or a production stop; sources.csv est_market_shortfall)."""

    def __post_init__(self) -> None:
        if not 0 <= self.discount_rate < 1:
            raise RequestError(f"discount rate must be in [0, 1), not {self.discount_rate:g}")
        if not 0 <= self.margin_share_low <= self.margin_share <= self.margin_share_high:
            raise RequestError("margin shares must satisfy 0 <= low <= central <= high")
        if not 0 <= self.corridor_value_low <= self.corridor_value_usd_per_t:
            raise RequestError("corridor values must satisfy 0 <= low <= central <= high")
        if self.corridor_value_usd_per_t > self.corridor_value_high:
            raise RequestError("corridor values must satisfy 0 <= low <= central <= high")
        if not 0 <= self.shortfall_share_low <= self.shortfall_share <= self.shortfall_share_high:
            raise RequestError("shortfall shares must satisfy 0 <= low <= central <= high")

    def annuity(self, lead: float, life: float) -> float:
        """Present value of 1 USD a year from year lead + 1 to lead + life."""
        r = self.discount_rate
        first, years = round(lead) + 1, round(life)
        return sum((1 + r) ** -t for t in range(first, first + years))

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass(frozen=True)
class Evaluation:
    """One project, or one combination of projects, with and without."""

    ids: tuple[str, ...]
    name: str
    capex_usd: float
    capex_low_usd: float
    capex_high_usd: float
    opex_usd_per_year: float
    lead_years: float
    lifetime_years: float
    extra_t_per_year: float
    """Extra tonnes a year delivered on the user's contracts."""
    extra_corridor_t_per_year: float
    """Extra tonnes a year of corridor traffic carried."""
    cost_change_usd_per_year: float
    days_saved_per_t: float
    exposure_days_change: float
    """Change in the tonne-weighted expected disrupted days a year of the contracts' routes
    (the exposures table; reported, not monetised)."""
    tonne_value_usd_per_year: float
    """Extra tonnes × value of a delivered tonne (contract margin or corridor value)."""
    tonne_value_low: float
    tonne_value_high: float
    effect_low: float
    effect_high: float
    annuity: float
    money: Money = field(repr=False)
    premium_change_usd_per_t: Mapping[str, float] = field(default_factory=dict)
    """Change in the strategic premium (USD/t, volume-weighted over the contracts) of each
    avoid rule of :func:`corridor.analysis.compare` (negative: avoiding got cheaper)."""
    notes: tuple[str, ...] = ()
    risk: RiskChange | None = None
    """Stock-out days, CVaR of the extra cost and undelivered tonnes, with minus without,
    from the in-time engine (None: not simulated)."""

    @property
    def combination(self) -> bool:
        return len(self.ids) > 1

    def stockout_benefit(self, case: str = "central") -> float:
        """Yearly value of the stock-out days avoided (USD; part of :meth:`benefit`): the
        fall in the value of the supply the buyers lack × the shortfall share."""
        if self.risk is None:
            return 0.0
        m = self.money
        share = {
            "central": m.shortfall_share,
            "low": m.shortfall_share_low,
            "high": m.shortfall_share_high,
        }[case]
        return -self.risk.change("stockout_value_usd") * share + 0.0  # no "-0"

    def benefit(self, case: str = "central") -> float:
        """Yearly benefit in USD (case: central, low or high)."""
        value = {"central": 1.0, "low": self.effect_low, "high": self.effect_high}[case]
        tonnes = {
            "central": self.tonne_value_usd_per_year,
            "low": self.tonne_value_low,
            "high": self.tonne_value_high,
        }[case]
        stockout = self.stockout_benefit(case)
        return value * (tonnes - self.cost_change_usd_per_year + stockout)

    def npv(self, case: str = "central") -> float:
        capex = {"central": self.capex_usd, "low": self.capex_high_usd, "high": self.capex_low_usd}
        return (self.benefit(case) - self.opex_usd_per_year) * self.annuity - capex[case]

    def bcr(self, case: str = "central") -> float:
        capex = {"central": self.capex_usd, "low": self.capex_high_usd, "high": self.capex_low_usd}
        cost = capex[case] + self.opex_usd_per_year * self.annuity
        return self.benefit(case) * self.annuity / cost if cost > 0 else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ids": list(self.ids),
            "name": self.name,
            "combination": self.combination,
            "capex_usd": self.capex_usd,
            "capex_band_usd": [self.capex_low_usd, self.capex_high_usd],
            "opex_usd_per_year": self.opex_usd_per_year,
            "lead_years": self.lead_years,
            "lifetime_years": self.lifetime_years,
            "extra_t_per_year": self.extra_t_per_year,
            "extra_corridor_t_per_year": self.extra_corridor_t_per_year,
            "cost_change_usd_per_year": self.cost_change_usd_per_year,
            "days_saved_per_t": self.days_saved_per_t,
            "exposure_days_change": self.exposure_days_change,
            "stockout_days_change": None
            if self.risk is None
            else self.risk.change("stockout_days"),
            "stockout_benefit_usd_per_year": self.stockout_benefit(),
            "stockout_benefit_band_usd_per_year": [
                self.stockout_benefit("low"),
                self.stockout_benefit("high"),
            ],
            "in_time": None if self.risk is None else self.risk.to_dict(),
            "premium_change_usd_per_t": dict(self.premium_change_usd_per_t),
            "benefit_usd_per_year": self.benefit(),
            "benefit_band_usd_per_year": [self.benefit("low"), self.benefit("high")],
            "npv_usd": self.npv(),
            "npv_band_usd": [self.npv("low"), self.npv("high")],
            "bcr": self.bcr(),
            "bcr_band": [self.bcr("low"), self.bcr("high")],
            "notes": list(self.notes),
        }


def _exposure_days(p: PlanResult, traffic: frozenset[str]) -> float:
    """Tonne-weighted expected disrupted days a year of the contracts' routes."""
    flows = [f for f in p.flows if f.contract not in traffic]
    tonnes = sum(f.t_per_year for f in flows)
    days = sum(f.t_per_year * f.route.risk.disrupted_days_per_year for f in flows)
    return days / tonnes if tonnes else 0.0


def premiums(portfolio: Portfolio, net: Network, skip: frozenset[str]) -> dict[str, float]:
    """Strategic premium (USD/t) of each avoid rule, volume-weighted over the contracts not
    in ``skip``, on the first origin and destination of each (:func:`corridor.analysis.compare`).
    A rule no route satisfies counts as no premium for that contract."""
    from corridor.analysis.queries import compare

    total: dict[str, float] = {}
    tonnes = 0.0
    for c in portfolio.contracts:
        if c.id in skip:
            continue
        cmp = compare(c.commodity, c.origins[0], c.destinations[0], avoid=c.avoid, network=net)
        tonnes += c.volume_t_per_year
        for alt in cmp.premium:
            total[alt.name] = total.get(alt.name, 0.0) + (
                (alt.premium_usd_per_t or 0.0) * c.volume_t_per_year
            )
    return {k: v / tonnes for k, v in total.items()} if tonnes else {}


def _mean_days(p: PlanResult) -> float:
    tonnes = sum(f.t_per_year for f in p.flows)
    return sum(f.t_per_year * f.route.days_mean for f in p.flows) / tonnes if tonnes else 0.0


def _tonne_value(
    base: PlanResult, edited: PlanResult, net: Network, traffic: frozenset[str], case: str, m: Money
) -> tuple[float, float, float, float]:
    """(extra contract tonnes, extra corridor tonnes, their value in the case, the change of
    the cost of the tonnes the base plan delivers).

    The extra tonnes are valued net of their own route cost, so the cost change counts
    only the base tonnes, at each contract's mean cost per tonne with the project."""
    share = {"central": m.margin_share, "low": m.margin_share_low, "high": m.margin_share_high}
    corridor = {
        "central": m.corridor_value_usd_per_t,
        "low": m.corridor_value_low,
        "high": m.corridor_value_high,
    }
    rows = [{r["contract"]: r for r in p.contract_rows()} for p in (base, edited)]
    user = extra = value = cost = 0.0
    for c in base.portfolio.contracts:
        was, now = rows[0][c.id], rows[1][c.id]
        more = now["delivered_t_per_year"] - was["delivered_t_per_year"]
        if now["delivered_t_per_year"] > 0:
            per_t = now["cost_usd_per_year"] / now["delivered_t_per_year"]
            cost += was["delivered_t_per_year"] * per_t - was["cost_usd_per_year"]
        if c.id in traffic:
            extra += more
            value += more * corridor[case]
        else:
            user += more
            value += more * share[case] * net.commodity(c.commodity).value_usd_per_t
    return user, extra, value, cost


def evaluate_item(
    projects: Sequence[Project],
    portfolio: Portfolio,
    network: Network,
    base: PlanResult,
    money: Money,
    assumptions: Assumptions,
    traffic: frozenset[str] = frozenset(),
    base_premium: dict[str, float] | None = None,
    in_time: tuple[Prepared, RiskSettings, dict[Any, Any]] | None = None,
) -> Evaluation:
    """Plan the portfolio with the given projects together and compare with ``base``
    (``in_time``: the base plan prepared for the in-time engine, the settings and a cache
    of the base plan's simulated years)."""
    applied = apply_scenario(project_scenario(projects, network), network)
    edited = plan(portfolio, network=applied.network, assumptions=assumptions)
    risk = None
    if in_time is not None:
        prepared, settings, cache = in_time
        known = cache.setdefault("candidates", [])
        risk = risk_change(prepared, prepare(edited, traffic, settings, known), settings, cache)
    user, extra, central, cost = _tonne_value(base, edited, network, traffic, "central", money)
    low = _tonne_value(base, edited, network, traffic, "low", money)[2]
    high = _tonne_value(base, edited, network, traffic, "high", money)[2]
    delivered = sum(f.t_per_year for f in edited.flows)
    change = {}
    if base_premium is not None:
        now = premiums(portfolio, applied.network, traffic)
        change = {k: now.get(k, 0.0) - v for k, v in base_premium.items()}
    lead = max(p.lead_years for p in projects)
    life = min(p.lifetime_years for p in projects)
    return Evaluation(
        ids=tuple(p.id for p in projects),
        name=" + ".join(p.name_en for p in projects),
        capex_usd=sum(p.capex_usd for p in projects),
        capex_low_usd=sum(p.capex_low_usd for p in projects),
        capex_high_usd=sum(p.capex_high_usd for p in projects),
        opex_usd_per_year=sum(p.opex_usd_per_year for p in projects),
        lead_years=lead,
        lifetime_years=life,
        extra_t_per_year=user,
        extra_corridor_t_per_year=extra,
        cost_change_usd_per_year=cost,
        days_saved_per_t=_mean_days(base) - _mean_days(edited) if delivered else 0.0,
        exposure_days_change=_exposure_days(edited, traffic) - _exposure_days(base, traffic),
        tonne_value_usd_per_year=central,
        tonne_value_low=low,
        tonne_value_high=high,
        effect_low=min(p.effect_low for p in projects),
        effect_high=min(p.effect_high for p in projects),
        annuity=money.annuity(lead, life),
        money=money,
        premium_change_usd_per_t=change,
        notes=applied.notes,
        risk=risk,
    )


def evaluate_projects(
    portfolio: Portfolio,
    network: Network,
    *,
    projects: Iterable[Project] | None = None,
    combinations: Iterable[Sequence[str]] = COMBINATIONS,
    money: Money | None = None,
    assumptions: Assumptions | None = None,
    traffic: Portfolio | None = None,
    progress: Callable[[float], None] | None = None,
    premium: bool = True,
    risk: RiskSettings | None = None,
) -> tuple[PlanResult, list[Evaluation]]:
    """The base plan and an evaluation of every project and every combination whose
    projects are all present (combinations naming absent projects are skipped).

    ``traffic``: corridor traffic planned together with the portfolio (sharing its
    capacities), its extra tonnes valued at the corridor value per tonne. ``progress`` is
    called with the share of items done after each. ``risk``: simulate each plan in time
    (stock-out days, CVaR) with these settings; None leaves the in-time risk out.
    """
    chosen = list(network.projects if projects is None else projects)
    if not chosen:
        raise RequestError("no projects to evaluate (projects.csv is empty)")
    m, a = money or Money(), assumptions or Assumptions()
    both, ids = portfolio, frozenset[str]()
    if traffic is not None:
        ids = frozenset(c.id for c in traffic.contracts)
        clash = sorted(ids & {c.id for c in portfolio.contracts})
        if clash:
            raise RequestError(f"contract id(s) {', '.join(clash)} are also corridor traffic ids")
        # The user's each-contract rules stay on the user's contracts only.
        rules = [
            replace(r, scope=c.id) if r.scope == EACH else r
            for r in portfolio.rules
            for c in (portfolio.contracts if r.scope == EACH else portfolio.contracts[:1])
        ]
        both = Portfolio(
            portfolio.contracts + traffic.contracts, tuple(rules), portfolio.name, portfolio.file
        )
    base = plan(both, network=network, assumptions=a)
    before = premiums(both, network, ids) if premium else None
    cache: dict[Any, Any] = {}
    cache["candidates"] = []
    in_time = None if risk is None else (prepare(base, ids, risk, cache["candidates"]), risk, cache)
    by_id = {p.id: p for p in chosen}
    groups = [[p] for p in chosen] + [
        [by_id[i] for i in combo] for combo in combinations if all(i in by_id for i in combo)
    ]
    items = []
    for n, group in enumerate(groups, 1):
        items.append(evaluate_item(group, both, network, base, m, a, ids, before, in_time))
        if progress is not None:
            progress(n / len(groups))
    return base, items
