"""What a project does to the corridor's queues: the discrete-event simulation
(:mod:`corridor.sim`) with and without it, on common random numbers.

A project's ``sim_whatif`` (``projects.csv``) says which of the simulation's what-ifs it is:
five more ferries, a second Dostyk–Moyinty track, one more container berth at Poti, hours
off the customs dwell. Each reference cargo is simulated once as the network is and once per
such project, with the same seed, so the difference is the project's and not the noise.
Projects without a ``sim_whatif`` change no simulated queue and are left out.

Two reference cargoes cross the Caspian differently: containers on the feeders and bulk on
the rail ferries (:data:`CARGOES`), so a ferry helps the second only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from corridor.network.model import Network, Project

CARGOES: tuple[tuple[str, str, str, str], ...] = (
    ("containers", "containerised_cargo", "KZ_ALMATY", "GE_POTI"),
    ("bulk", "rare_earth_concentrate", "KZ_ALMATY", "GE_POTI"),
)
"""(label, commodity, origin, destination) of the traced cargoes: Almaty → Poti, the
corridor's published end-to-end figure (docs/validation.md)."""
VOLUME_T = 10_000.0
"""Tonnes of each traced cargo over the simulated year."""


@dataclass(frozen=True)
class QueueEffect:
    """A project's change of one reference cargo's time and the ports' throughput."""

    project: str
    cargo: str
    whatif: tuple[tuple[str, str], ...]
    base_days_mean: float
    days_mean_change: float
    days_p95_change: float
    throughput_change_t_per_year: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "cargo": self.cargo,
            "whatif": dict(self.whatif),
            "base_days_mean": round(self.base_days_mean, 3),
            "days_mean_change": round(self.days_mean_change, 3),
            "days_p95_change": round(self.days_p95_change, 3),
            "throughput_change_t_per_year": round(self.throughput_change_t_per_year),
        }


def queue_effects(
    network: Network,
    projects: Sequence[Project],
    *,
    replications: int,
    seed: int = 0,
) -> list[QueueEffect]:
    """The simulated change of each reference cargo's Almaty → Poti time (mean, p95) and of
    the simulated ports' throughput, per project with a ``sim_whatif``.

    Raises
    ------
    RequestError
        A number of replications or a seed out of range (the simulation's own checks).
    """
    from corridor.sim.model import WhatIf
    from corridor.sim.run import check_runs, delta, simulate

    check_runs(replications, seed)
    chosen = [p for p in projects if p.sim_whatif]
    out: list[QueueEffect] = []
    if not chosen:
        return out
    for label, commodity, origin, destination in CARGOES:

        def run(
            whatif: WhatIf | None, c: str = commodity, o: str = origin, d: str = destination
        ) -> Any:
            return simulate(
                network,
                c,
                o,
                d,
                VOLUME_T,
                replications=replications,
                seed=seed,
                whatif=whatif,
            )

        base = run(None)
        for p in chosen:
            d = delta(p.id, base, run(whatif_of(p)))
            out.append(
                QueueEffect(
                    p.id,
                    label,
                    p.sim_whatif,
                    base.end_to_end_days.mean,
                    d.mean_days,
                    d.p95_days,
                    d.throughput_t_per_year,
                )
            )
    return out


def whatif_of(project: Project) -> Any:
    """The simulation's :class:`~corridor.sim.model.WhatIf` of a project's ``sim_whatif``
    (checked when the table was loaded)."""
    from corridor.sim.model import WhatIf

    kinds = {"extra_ferries": int, "extra_berths": int}
    values: dict[str, Any] = {}
    for name, value in project.sim_whatif:
        if name == "second_track":
            values[name] = value == "yes"
        else:
            values[name] = kinds.get(name, float)(float(value))
    return WhatIf(**values)
