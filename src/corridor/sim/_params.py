"""The simulation's own resource table (``sim/resources.csv``) and its checks.

The network tables hold what routing needs (transit days, dwell, capacity per year). The
queues need more: how many ferries and berths, what a ferry carries, how fast a yard
changes gauge, when storms close the sea. Those figures live in ``resources.csv``, one row
per parameter, each naming source ids of ``data/sources.csv`` or of the simulation's own
``sim/sources.csv`` (same columns and rules: estimates and computations state their
method; its ids may not repeat bundled ones).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from corridor.errors import DataError, Problem
from corridor.i18n import Joined, Message
from corridor.network import Network

_Z95 = 1.6448536269514722
"""Standard normal quantile at 0.95."""

_TEXT = frozenset(
    {
        "ferry_sailing_rule",
        "second_track_links",
        "liner_ports",
        "feeder_links",
        "feeder_sailing_rule",
    }
)
_SHARES = frozenset(
    {"aktau_share", "dostyk_share", "low_water_load_factor", "storm_closed_share_nov_dec"}
)
_COLUMNS = ("id", "value", "unit", "low", "high", "sources", "note")
_RULES = ("full", "timetable")


@dataclass(frozen=True)
class SimParams:
    """Every number of ``resources.csv``, by row id (see that file for units and sources).

    Attributes
    ----------
    values : mapping
        Row id -> value (float; text for ``ferry_sailing_rule`` and ``second_track_links``).
    ranges : mapping
        Row id -> (low, high) where the row gives a range.
    sources : mapping
        Row id -> source ids backing it.
    file : str
        Where the rows were read.
    """

    values: MappingProxyType[str, Any]
    ranges: MappingProxyType[str, tuple[float, float]]
    sources: MappingProxyType[str, tuple[str, ...]]
    file: str

    def num(self, key: str) -> float:
        """A numeric parameter."""
        return float(self.values[key])

    def text(self, key: str) -> str:
        """A text parameter."""
        return str(self.values[key])

    def berths(self, node_id: str, fleet: str = "ferry") -> int:
        """Berths of ``fleet`` (``ferry`` or ``feeder``) at a port node (1 where the table
        has no row)."""
        return int(self.values.get(f"{fleet}_berths_{node_id}", 1))

    def has(self, key: str) -> bool:
        """Whether the table has a row ``key``."""
        return key in self.values


def resources_path() -> Path:
    """The bundled ``resources.csv``."""
    return Path(str(resources.files("corridor.sim").joinpath("resources.csv")))


def sim_sources_path() -> Path:
    """The simulation's own ``sources.csv``."""
    return Path(str(resources.files("corridor.sim").joinpath("sources.csv")))


_SOURCE_COLUMNS = ("id", "citation", "url", "year", "kind", "method")
_KINDS = ("quoted", "estimated", "computed")


def load_sim_sources(network: Network, path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """Rows of the simulation's ``sources.csv``, checked like the bundled sources table.

    Raises
    ------
    DataError
        Every problem found, each with file, row and column.
    """
    file = Path(path) if path is not None else sim_sources_path()
    name = str(file)
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(
            [Problem(name, None, None, Message("prob_cannot_read_file", reason=str(exc)))]
        ) from exc
    reader = csv.DictReader(lines)
    missing = [c for c in _SOURCE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError([Problem(name, 1, c, Message("prob_column_missing")) for c in missing])
    rows: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    for line, row in enumerate(reader, start=2):
        sid = (row["id"] or "").strip()
        if not sid or not (row["citation"] or "").strip():
            problems.append(
                Problem(name, line, "id" if not sid else "citation", Message("prob_is_empty"))
            )
        elif sid in rows or network.has("sources", sid):
            problems.append(Problem(name, line, "id", Message("prob_already_source", id=sid)))
        kind = (row["kind"] or "").strip()
        if kind not in _KINDS:
            problems.append(
                Problem(name, line, "kind", Message("prob_not_one_of", value=kind, allowed=_KINDS))
            )
        elif kind != "quoted" and not (row["method"] or "").strip():
            problems.append(Problem(name, line, "method", Message("prob_sim_method", kind=kind)))
        rows[sid] = {k: (v or "").strip() for k, v in row.items() if k in _SOURCE_COLUMNS}
    if problems:
        raise DataError(problems)
    return rows


_REQUIRED = (
    "ferry_units",
    "ferry_capacity_wagons",
    "ferry_crossing_hours",
    "ferry_sailing_rule",
    "ferry_max_hold_hours",
    "ferry_headway_hours",
    "wagon_t",
    "train_wagons",
    "teu_per_wagon",
    "background_t_per_year",
    "aktau_share",
    "china_europe_teu_per_year",
    "dostyk_share",
    "second_track_links",
    "second_track_speed_ratio",
    "second_track_yard_factor",
    "low_water_load_factor",
    "storm_closed_share_nov_dec",
    "storm_days_jan_may",
    "storm_event_days",
    "class7_lot_t",
    "class7_background_t_per_year",
    "class7_consignment_t",
    "charter_wait_in_link_days",
    "liner_ports",
    "liner_headway_hours",
    "liner_wait_in_link_days",
    "feeder_links",
    "feeder_units",
    "feeder_capacity_teu",
    "feeder_crossing_hours",
    "feeder_call_hours",
    "feeder_sailing_rule",
    "feeder_max_hold_hours",
    "feeder_headway_hours",
    "feeder_background_teu_per_year",
)
_CTR = ("ctr_berths_", "ctr_moves_per_call_", "ctr_moves_per_hour_", "ctr_berthing_hours_")
"""Rows a port of ``liner_ports`` needs (all or none) for its container berths to be queues;
``ctr_calls_per_year_`` (other vessels) defaults to none."""


def load_params(
    network: Network, path: str | Path | None = None, sources_path: str | Path | None = None
) -> SimParams:
    """Read and check the simulation's resource table.

    Parameters
    ----------
    network : Network
        Its ``sources`` table, with ``sim/sources.csv``, must hold every source id named.
    path : path, optional
        A replacement table (default: the bundled ``resources.csv``).
    sources_path : path, optional
        A replacement for ``sim/sources.csv``.

    Raises
    ------
    DataError
        Every problem found, each with file, row and column.
    """
    own = load_sim_sources(network, sources_path)
    file = Path(path) if path is not None else resources_path()
    name = str(file)
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(
            [Problem(name, None, None, Message("prob_cannot_read_file", reason=str(exc)))]
        ) from exc
    problems: list[Problem] = []
    reader = csv.DictReader(lines)
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError([Problem(name, 1, c, Message("prob_column_missing")) for c in missing])
    values: dict[str, Any] = {}
    ranges: dict[str, tuple[float, float]] = {}
    sources: dict[str, tuple[str, ...]] = {}
    for line, row in enumerate(reader, start=2):
        key = (row["id"] or "").strip()
        if not key:
            problems.append(Problem(name, line, "id", Message("prob_empty_id")))
            continue
        if key in values:
            problems.append(Problem(name, line, "id", Message("prob_appears_twice", id=key)))
            continue
        ids = tuple(s for s in (row["sources"] or "").strip().split("+") if s)
        if not ids:
            problems.append(Problem(name, line, "sources", Message("prob_figure_no_source")))
        for sid in ids:
            if not network.has("sources", sid) and sid not in own:
                where = "data/sources.csv or sim/sources.csv"
                message = Message(
                    "prob_not_an_id", id=sid, where=Joined(" or ", where.split(" or "), " か ")
                )
                problems.append(Problem(name, line, "sources", message))
        sources[key] = ids
        cell = (row["value"] or "").strip()
        if key in _TEXT:
            values[key] = cell
            continue
        number = _number(cell, name, line, "value", problems)
        if number is None:
            continue
        if key in _SHARES and not 0 < number <= 1:
            problems.append(Problem(name, line, "value", Message("prob_not_share", value=cell)))
        values[key] = number
        low, high = (row["low"] or "").strip(), (row["high"] or "").strip()
        if low or high:
            lo = _number(low, name, line, "low", problems)
            hi = _number(high, name, line, "high", problems)
            if lo is not None and hi is not None:
                if not lo <= number <= hi:
                    problems.append(
                        Problem(
                            name,
                            line,
                            "value",
                            Message("prob_outside_range", value=cell, low=low, high=high),
                        )
                    )
                ranges[key] = (lo, hi)
    for key in _REQUIRED:
        if key not in values and not any(p.message.startswith(f"'{key}'") for p in problems):
            problems.append(Problem(name, None, "id", Message("prob_row_missing", id=key)))
    for rule in ("ferry_sailing_rule", "feeder_sailing_rule"):
        if values.get(rule, "full") not in _RULES:
            message = Message("prob_rule_one_of", rule=rule, allowed=", ".join(_RULES))
            problems.append(Problem(name, None, "value", message))
    for key in ("second_track_links", "feeder_links"):
        for link_id in str(values.get(key, "")).split("|"):
            if link_id and not network.has("links", link_id):
                problems.append(
                    Problem(name, None, "value", Message("prob_no_link", field=key, link=link_id))
                )
    for port in str(values.get("liner_ports", "")).split("|"):
        present = [f"{k}{port}" in values for k in _CTR]
        if any(present) and not all(present):
            lacking = [f"{k}{port}" for k, ok in zip(_CTR, present, strict=True) if not ok]
            message = Message("prob_berth_rows", port=port, rows=", ".join(lacking))
            problems.append(Problem(name, None, "id", message))
        if (
            values.get(f"ctr_berths_{port}", 1) == 0
            or values.get(f"ctr_moves_per_hour_{port}", 1) == 0
        ):
            problems.append(
                Problem(
                    name,
                    None,
                    "value",
                    Message("prob_berth_need", port=port),
                )
            )
    if problems:
        raise DataError(problems)
    return SimParams(
        MappingProxyType(values), MappingProxyType(ranges), MappingProxyType(sources), name
    )


def _number(cell: str, name: str, line: int, column: str, problems: list[Problem]) -> float | None:
    try:
        number = float(cell)
    except ValueError:
        problems.append(Problem(name, line, column, Message("prob_c_share_not_number", value=cell)))
        return None
    if not math.isfinite(number) or number < 0:
        problems.append(Problem(name, line, column, Message("prob_finite_non_negative", cell=cell)))
        return None
    return number


def lognormal(mean: float, p95: float) -> tuple[float, float]:
    """``(mu, sigma)`` of the lognormal with this mean and 95th percentile.

    ``p95 / mean`` above ``exp(z²/2) ≈ 3.87`` has no lognormal (the 95th percentile of a
    lognormal cannot exceed that multiple of its mean); sigma is then capped at ``z`` and
    the mean kept, so the tail is a little lighter than the table says. A p95 at or below
    the mean means a fixed duration (``sigma = 0``).
    """
    if mean <= 0:
        return -math.inf, 0.0
    if p95 <= mean:
        return math.log(mean), 0.0
    disc = _Z95**2 - 2.0 * math.log(p95 / mean)
    sigma = _Z95 - math.sqrt(disc) if disc > 0 else _Z95
    return math.log(mean) - sigma**2 / 2.0, sigma
