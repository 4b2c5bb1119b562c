"""Contracts, portfolios and diversification rules: the records and their errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from corridor.errors import FileProblem, Problem, RequestError
from corridor.i18n import Joined, Message, Named, family_name

EACH = "each_contract"
PORTFOLIO = "portfolio"
CONTRACT_FIELDS = (
    "id",
    "commodity",
    "origin",
    "origins",
    "destination",
    "destinations",
    "volume_t_per_year",
    "period",
    "avoid",
    "families",
    "exposures",
    "service",
    "stock_days",
    "illustrative",
    "source",
    "note",
)
RULE_FIELDS = ("exposure", "family", "max_share", "min_share", "scope", "note")
TOP_FIELDS = ("name", "note", "contracts", "rules")
CSV_COLUMNS = (
    "id",
    "commodity",
    "origins",
    "destinations",
    "volume_t_per_year",
    "period",
    "avoid",
    "family_min_share",
    "family_max_share",
    "exposure_max_share",
    "service",
    "stock_days",
    "illustrative",
    "source",
    "note",
)
_CSV_FIELD = {
    "origins": "origins",
    "destinations": "destinations",
    "families": "family_min_share",
    "exposures": "exposure_max_share",
}


@dataclass(frozen=True)
class Rule:
    """A diversification rule: a bound on the share of tonnes through one thing.

    Attributes
    ----------
    target : str
        An exposure id (country or chokepoint) or a route family.
    on : str
        ``"exposure"`` or ``"family"``.
    max_share, min_share : float or None
        Bounds on the share (0–1) of the tonnes shipped in the scope whose route crosses
        ``target`` (exposures: as a transit country, i.e. not the country of the route's own
        origin or destination, or as a chokepoint) or belongs to the family ``target``.
    scope : str
        ``"each_contract"`` (the bound holds in every contract separately), ``"portfolio"``
        (over all tonnes of all contracts) or a contract id.
    """

    target: str
    on: str
    max_share: float | None = None
    min_share: float | None = None
    scope: str = EACH

    @property
    def name(self) -> str:
        """The rule in words, e.g. 'at most 50 % via CN (each contract)' (a message: in
        Japanese 「各契約: CN経由を最大50%」)."""
        bounds = []
        if self.min_share is not None:
            bounds.append(Message("share_rule_at_least", p=f"{self.min_share:.0%}"))
        if self.max_share is not None:
            bounds.append(Message("share_rule_at_most", p=f"{self.max_share:.0%}"))
        if self.on == "family":
            target = Named(self.target, family_name(self.target, "ja"))
            via = Message("share_rule_by_family", target=target)
        else:
            via = Message("share_rule_via", target=self.target)
        where = (
            Message(f"share_rule_scope_{self.scope}")
            if self.scope in (EACH, PORTFOLIO)
            else Message("share_rule_scope_contract", contract=self.scope)
        )
        both = Joined(" and ", bounds, "・")
        return Message("share_rule", bounds=both, via=via, where=where)

    def to_dict(self) -> dict[str, Any]:
        return {
            self.on: self.target,
            "max_share": self.max_share,
            "min_share": self.min_share,
            "scope": self.scope,
            "name": self.name,
        }


@dataclass(frozen=True)
class Contract:
    """An annual volume to deliver, with its route clauses.

    Attributes
    ----------
    volume_t_per_year : float
        Tonnes per year, shared among ``origins`` and ``destinations`` as the plan finds
        cheapest.
    period : str
        When the contract runs (informative; volumes are per year).
    avoid : tuple of str
        Exposures no route of this contract may touch (hard filter).
    clauses : tuple of Rule
        Share rules scoped to this contract.
    illustrative : bool
        The volume is an illustration, not a sourced figure (see ``note``).
    source : str
        Where the volume comes from.
    """

    id: str
    commodity: str
    origins: tuple[str, ...]
    destinations: tuple[str, ...]
    volume_t_per_year: float
    period: str = ""
    avoid: tuple[str, ...] = ()
    clauses: tuple[Rule, ...] = ()
    illustrative: bool = False
    source: str = ""
    note: str = ""
    service: str = ""
    """Rail service class (``block`` or ``wagonload``; empty: the cargo class's default)."""
    stock_days: float | None = None
    """Buyer's safety stock in days of consumption (None: the run's default, 30 days unless
    ``--stock-days`` says otherwise)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "commodity": self.commodity,
            "origins": list(self.origins),
            "destinations": list(self.destinations),
            "volume_t_per_year": self.volume_t_per_year,
            "period": self.period,
            "avoid": list(self.avoid),
            "clauses": [r.to_dict() for r in self.clauses],
            "illustrative": self.illustrative,
            "source": self.source,
            "note": self.note,
            "service": self.service or None,
            "stock_days": self.stock_days,
        }


@dataclass(frozen=True)
class Portfolio:
    """Contracts and the rules over them, as read from one file (or built in Python)."""

    contracts: tuple[Contract, ...]
    rules: tuple[Rule, ...] = ()
    name: str = ""
    file: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "contracts": [c.to_dict() for c in self.contracts],
            "rules": [r.to_dict() for r in self.rules],
        }


ContractProblem = FileProblem
"""A problem in a contracts file (the shared :class:`~corridor.errors.FileProblem`)."""


class ContractError(RequestError):
    """A contracts file (or contracts given in Python) is invalid; lists every problem."""

    def __init__(self, problems: Sequence[Problem], what: str) -> None:
        self.problems, self.what = list(problems), what
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in {what}:\n{lines}")


# --------------------------------------------------------------------------- where
