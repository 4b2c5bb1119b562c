"""The investment result: projects ranked, the best set under a budget, and the settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corridor.contracts.model import Portfolio
from corridor.costs import Assumptions
from corridor.i18n import Message, Named
from corridor.invest.evaluate import COMBINATIONS, Evaluation, Money, evaluate_projects
from corridor.invest.intime import RiskSettings
from corridor.invest.select import Item, Selection, select
from corridor.network.model import Network


@dataclass(frozen=True)
class InvestResult:
    """Every project (and combination) evaluated with and without, and the selection."""

    portfolio: Portfolio
    items: tuple[Evaluation, ...]
    selection: Selection
    budget_usd: float | None
    money: Money
    base_cost_usd_per_year: float
    base_delivered_t_per_year: float
    traffic: Portfolio | None
    data_version: str
    network: Network = field(repr=False, compare=False)
    kind: str = "invest"
    risk: RiskSettings | None = None

    @property
    def ranked(self) -> list[Evaluation]:
        """Single projects, most benefit per dollar first (benefit–cost ratio; ties by net
        present value). The selection maximises net present value instead."""
        singles = [e for e in self.items if not e.combination]
        return sorted(singles, key=lambda e: (-round(e.bcr(), 9), -e.npv(), e.ids))

    @property
    def selected(self) -> list[Evaluation]:
        return [self.items[j] for j in self.selection.chosen]

    @property
    def parameters(self) -> dict[str, Any]:
        return {
            "contracts": self.portfolio.to_dict(),
            "budget_usd": self.budget_usd,
            "money": self.money.to_dict(),
            "traffic": None if self.traffic is None else self.traffic.to_dict(),
            "in_time": None if self.risk is None else self.risk.to_dict(),
        }

    def headline(self) -> dict[str, float | None]:
        return {
            "projects": float(len(self.ranked)),
            "selected_capex_usd": self.selection.capex_usd,
            "selected_npv_usd": self.selection.npv_usd,
            "best_npv_usd": self.ranked[0].npv() if self.ranked else None,
        }

    def approximation(self) -> Message:
        """How the benefits are added and the risk counted (catalogue ``invest_approx``)."""
        names = {p.id: p.name_ja for p in self.network.projects}
        combos = [e.ids for e in self.items if e.combination]
        listed: Message | Named = Message("invest_combos_none")
        if combos:
            en = ", ".join("+".join(ids) for ids in combos)
            ja = "、".join("＋".join(names.get(i) or i for i in ids) for ids in combos)
            listed = Named(en, ja)
        return Message("invest_approx", combos=listed, risk=self._risk_text())

    def _risk_text(self) -> Message:
        if self.risk is None:
            return Message("invest_no_risk")
        errs = [e.risk.stderr["stockout_days"] for e in self.items if e.risk is not None]
        m = self.money
        return Message(
            "invest_risk",
            years=f"{self.risk.years:,}",
            seed=self.risk.seed,
            err=f"{max(errs, default=0.0):.1f}",
            share=f"{m.shortfall_share:.0%}",
            lo=f"{m.shortfall_share_low:.0%}",
            hi=f"{m.shortfall_share_high:.0%}",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "data_version": self.data_version,
            "portfolio": self.portfolio.name,
            "corridor_traffic": (
                None
                if self.traffic is None
                else [
                    {"id": c.id, "t_per_year": c.volume_t_per_year} for c in self.traffic.contracts
                ]
            ),
            "money": self.money.to_dict(),
            "in_time": None if self.risk is None else self.risk.to_dict(),
            "base": {
                "cost_usd_per_year": self.base_cost_usd_per_year,
                "delivered_t_per_year": self.base_delivered_t_per_year,
            },
            "ranked": [{"rank": i + 1, **e.to_dict()} for i, e in enumerate(self.ranked)],
            "combinations": [e.to_dict() for e in self.items if e.combination],
            "selected": {
                "budget_usd": self.budget_usd,
                "items": [list(e.ids) for e in self.selected],
                "projects": sorted(p for e in self.selected for p in e.ids),
                "total_capex_usd": self.selection.capex_usd,
                "total_npv_usd": self.selection.npv_usd,
            },
            "approximation": self.approximation(),
        }

    def tables(self) -> Mapping[str, list[dict[str, Any]]]:
        """No row tables in the store: the ranked items are in the stored result."""
        return {}


def invest(
    contracts: Portfolio | str | Path,
    *,
    network: Network,
    budget_usd: float | None = None,
    projects: Sequence[str] | None = None,
    combinations: Iterable[Sequence[str]] = COMBINATIONS,
    money: Money | None = None,
    assumptions: Assumptions | None = None,
    traffic: Portfolio | str | Path | None = None,
    corridor_traffic: bool = True,
    progress: Callable[[float], None] | None = None,
    risk: RiskSettings | None = None,
) -> InvestResult:
    """Rank the projects of ``projects.csv`` on a portfolio and pick the best set under a
    budget (default: no budget, every project of positive net present value).

    ``traffic``: corridor traffic planned with the contracts (default: the bundled
    ``projects/corridor_traffic.yaml`` when ``corridor_traffic``). ``risk``: simulate every
    plan in time with these settings (stock-out days valued into the benefit); None leaves
    the in-time risk out.

    Raises
    ------
    RequestError
        Invalid contracts, an unknown project id, a negative budget, no projects.
    """
    from corridor.contracts.io import load_contracts
    from corridor.errors import RequestError

    portfolio = (
        contracts if isinstance(contracts, Portfolio) else load_contracts(contracts, network)
    )
    chosen = None
    if projects is not None:
        by_id = {p.id: p for p in network.projects}
        unknown = [p for p in projects if p not in by_id]
        if unknown:
            raise RequestError(f"unknown project(s) {', '.join(unknown)} (projects.csv)")
        chosen = [by_id[p] for p in projects]
    flows: Portfolio | None = None
    if corridor_traffic:
        if traffic is None:
            from corridor.network.projects import PROJECT_FOLDER
            from corridor.network.schema import bundled_data_dir

            traffic = bundled_data_dir() / PROJECT_FOLDER / "corridor_traffic.yaml"
        flows = traffic if isinstance(traffic, Portfolio) else load_contracts(traffic, network)
    m = money or Money()
    base, items = evaluate_projects(
        portfolio,
        network,
        projects=chosen,
        combinations=combinations,
        money=m,
        assumptions=assumptions,
        traffic=flows,
        progress=progress,
        risk=risk,
    )
    total = sum(e.capex_usd for e in items)
    budget = float(total if budget_usd is None else budget_usd)
    selection = select([Item(e.ids, e.capex_usd, e.npv()) for e in items], budget)
    return InvestResult(
        portfolio,
        tuple(items),
        selection,
        budget_usd,
        m,
        base.total_cost_usd_per_year,
        sum(f.t_per_year for f in base.flows),
        flows,
        network.data_version,
        network,
        risk=risk,
    )
