"""Contracts and diversification rules: ``model`` holds the records, ``io`` reads files."""

from corridor.contracts.io import check_portfolio, load_contracts
from corridor.contracts.model import EACH, PORTFOLIO, Contract, ContractError, Portfolio, Rule

__all__ = [
    "EACH",
    "PORTFOLIO",
    "Contract",
    "ContractError",
    "Portfolio",
    "Rule",
    "check_portfolio",
    "load_contracts",
]
