"""What differs between two stored runs (``corridor runs diff``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from corridor.errors import RequestError
from corridor.i18n import Message, Named, catalogue
from corridor.store import RunRecord, get_run


@dataclass(frozen=True)
class RunDiff:
    """What differs between two runs.

    Attributes
    ----------
    parameters : dict
        Parameter name -> (value in a, value in b), for parameters that differ (the data
        version and the kind of run count as parameters here).
    headline : dict
        Headline number -> (a, b, b - a).
    utilisation : list of dict
        Per capacity in either run: used t/yr and shadow price in a and b, and the change
        of use; only capacities whose use or shadow price differ.
    """

    a: RunRecord
    b: RunRecord
    parameters: dict[str, tuple[Any, Any]]
    headline: dict[str, tuple[Any, Any, float | None]]
    utilisation: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.id,
            "b": self.b.id,
            "parameters": {k: {"a": x, "b": y} for k, (x, y) in self.parameters.items()},
            "headline": {
                k: {"a": x, "b": y, "change": d} for k, (x, y, d) in self.headline.items()
            },
            "utilisation": self.utilisation,
        }


def diff_runs(a: str, b: str, *, store: str | os.PathLike[str] | None = None) -> RunDiff:
    """Parameters, headline numbers and per-capacity utilisation that differ between runs.

    Raises
    ------
    RequestError
        Either run is missing or did not complete.
    """
    ra, rb = get_run(a, store=store), get_run(b, store=store)
    for r in (ra, rb):
        if r.status != "complete":
            status = Named(r.status, catalogue("ja").get(f"runs_status_{r.status}", ""))
            raise RequestError(Message("runs_not_complete", run=r.id, status=status))
    pa = {**ra.parameters, "data_version": ra.data_version, "kind": ra.kind}
    pb = {**rb.parameters, "data_version": rb.data_version, "kind": rb.kind}
    keys = list(dict.fromkeys([*pa, *pb]))
    params = {k: (pa.get(k), pb.get(k)) for k in keys if pa.get(k) != pb.get(k)}
    heads = list(dict.fromkeys([*ra.headline, *rb.headline]))
    headline = {k: _change(ra.headline.get(k), rb.headline.get(k)) for k in heads}
    return RunDiff(ra, rb, params, headline, _utilisation_diff(ra, rb))


def _change(x: Any, y: Any) -> tuple[Any, Any, float | None]:
    numbers = isinstance(x, int | float) and isinstance(y, int | float)
    return x, y, (y - x) if numbers else None


def _utilisation_diff(ra: RunRecord, rb: RunRecord) -> list[dict[str, Any]]:
    ua = {u["capacity"]: u for u in ra.tables.get("utilisation", [])}
    ub = {u["capacity"]: u for u in rb.tables.get("utilisation", [])}
    out = []
    for cap in sorted(set(ua) | set(ub)):
        x, y = ua.get(cap, {}), ub.get(cap, {})
        used = (x.get("used_t_per_year") or 0.0, y.get("used_t_per_year") or 0.0)
        price = (x.get("shadow_price") or 0.0, y.get("shadow_price") or 0.0)
        if abs(used[1] - used[0]) > 1e-6 or abs(price[1] - price[0]) > 1e-9:
            out.append(
                {
                    "capacity": cap,
                    "used_t_per_year": {"a": used[0], "b": used[1]},
                    "change_t_per_year": used[1] - used[0],
                    "shadow_price": {"a": price[0], "b": price[1]},
                }
            )
    return out
