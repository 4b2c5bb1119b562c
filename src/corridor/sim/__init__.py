"""Discrete-event simulation (SimPy) of the Trans-Caspian corridor's queues.

Trains reach the Caspian ports among a stochastic stream of background traffic, wait for a
rail ferry that sails when full, cross unless a storm closes the sea, and go on by rail;
gauge-change yards and the class 7 charter lot at Poti are queues too. The traced cargo's
dwell at every stage, the end-to-end time distribution, queue lengths, utilisation and
throughput come out with confidence intervals over replications. See ``docs/sim.md``.

SimPy is an optional dependency (``pip install corridor[sim]``).
"""

from corridor.sim._params import SimParams, load_params
from corridor.sim.model import ModelSpec, WhatIf, build_model
from corridor.sim.result import SimResult
from corridor.sim.run import Delta, delta, replicate, simulate, write_dwell

__all__ = [
    "Delta",
    "ModelSpec",
    "SimParams",
    "SimResult",
    "WhatIf",
    "build_model",
    "delta",
    "load_params",
    "replicate",
    "simulate",
    "write_dwell",
]
