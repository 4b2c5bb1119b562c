"""Investment appraisal: which corridor project buys the most, and the best set under a budget.

:func:`invest` evaluates every project of ``projects.csv`` (and the combinations whose
effects interact) with and without, on a portfolio, and selects the best set under a budget.
"""

from corridor.invest.evaluate import COMBINATIONS, Evaluation, Money, evaluate_projects
from corridor.invest.result import InvestResult, invest
from corridor.invest.select import Item, Selection, brute_force, select

__all__ = [
    "COMBINATIONS",
    "Evaluation",
    "InvestResult",
    "Item",
    "Money",
    "Selection",
    "brute_force",
    "evaluate_projects",
    "invest",
    "select",
]
