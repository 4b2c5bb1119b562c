"""Optimisation on HiGHS: capacity (max flow, min cut) and volume planning (LP).

``lp`` is the HiGHS plumbing, ``capacity`` the capacities of the network, ``maxflow`` the
most tonnes a commodity can move, ``planning`` the least-cost split of contract volumes
(build → solve by column generation in ``_pricing`` → read out in ``_readout``).
"""

from corridor.optimize.maxflow import CapacityResult, max_flow
from corridor.optimize.plan_result import PlanResult
from corridor.optimize.planning import plan

__all__ = ["CapacityResult", "PlanResult", "max_flow", "plan"]
