"""Contracts and diversification rules: ``model`` holds the records, ``io`` builds them
(from files and from an API body)."""

from corridor.contracts.io import build_portfolio, check_portfolio, load_contracts
from corridor.contracts.model import EACH, PORTFOLIO, Contract, ContractError, Portfolio, Rule

__all__ = [
    "EACH",
    "PORTFOLIO",
    "Contract",
    "ContractError",
    "Portfolio",
    "Rule",
    "build_portfolio",
    "check_portfolio",
    "load_contracts",
]
