"""The recovery tables of the risk model: ``risk_ttr.csv`` and ``risk_recovery.csv``.

They are network tables like the others (declared in ``schema.csv``, read, overlaid and
source-checked by :func:`corridor.network.load.load_network`, part of the data version);
this module holds the rules across their columns that the schema alone cannot state, and
builds their records. Each problem names the file, row and column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

from corridor.errors import Problem
from corridor.i18n import Message
from corridor.network.model import RecoverTimeRow, RecoveryRow
from corridor.network.schema import FAMILIES, SHARED_FAMILIES, vocabulary

TTR_TABLE = "risk_ttr"
RECOVERY_TABLE = "risk_recovery"
CARGO_GROUPS = ("general", "class7")
"""Lead times are given per group: class-7 cargo, and every other class."""
UNITS = {"lead_time": "d", "spot_premium": "share", "background": "t/yr"}


class _TableRow(Protocol):
    file: str
    line: int
    values: dict[str, Any]
    raw: dict[str, str]


def _where(r: _TableRow) -> Message:
    return Message("prob_file_row", file=Path(r.file).name, row=r.line)


def _kinds(element: str) -> tuple[str, ...]:
    """The kinds a ``risk_ttr`` row of ``element`` may name (besides '*')."""
    table, column = {
        "node": ("nodes", "kind"),
        "link": ("links", "mode"),
        "exposure": ("exposures", "kind"),
    }[element]
    return vocabulary(table, column)


def _range(r: _TableRow, problems: list[Problem]) -> None:
    v = r.values
    value, low, high = v.get("value"), v.get("low"), v.get("high")
    if value is None or low is None or high is None:
        return  # the cell errors are already listed
    if low > value:
        what = Message("prob_low_above_value", low=f"{low:g}", value=f"{value:g}")
        problems.append(Problem(r.file, r.line, "low", what))
    if high < value:
        what = Message("prob_high_below_value", high=f"{high:g}", value=f"{value:g}")
        problems.append(Problem(r.file, r.line, "high", what))


def check_risk_tables(rows: Mapping[str, Sequence[_TableRow]], problems: list[Problem]) -> None:
    """Add a problem for every row of the recovery tables that breaks a rule."""
    _check_ttr(rows.get(TTR_TABLE, ()), problems)
    capacities = {r.values.get("id") for r in rows.get("links", ())}
    capacities |= {r.values.get("element") for r in rows.get("capacities", ())}
    _check_recovery(rows.get(RECOVERY_TABLE, ()), capacities, problems)


def _check_ttr(rows: Sequence[_TableRow], problems: list[Problem]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for r in rows:
        v = r.values
        _range(r, problems)
        if v.get("value") == 0:
            problems.append(Problem(r.file, r.line, "value", Message("prob_ttr_zero")))
        element, kind = v.get("element"), v.get("kind")
        if element is None or kind is None:
            continue
        if kind != "*" and kind not in _kinds(element):
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "kind",
                    Message(
                        "prob_not_kind",
                        kind=kind,
                        element=element,
                        allowed=", ".join(_kinds(element)),
                    ),
                )
            )
        if (element, kind) in seen:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "kind",
                    Message(
                        "prob_second_row", element=element, kind=kind, also=seen[element, kind]
                    ),
                )
            )
        seen[element, kind] = _where(r)


def _check_recovery(
    rows: Sequence[_TableRow], capacities: set[Any], problems: list[Problem]
) -> None:
    seen: dict[tuple[str, str, str], str] = {}
    premiums = 0
    for r in rows:
        v = r.values
        _range(r, problems)
        kind, key, to = v.get("kind"), v.get("key") or "", v.get("to") or ""
        if kind is None:
            continue
        unit = v.get("unit")
        if unit is not None and unit != UNITS[kind]:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "unit",
                    Message("prob_unit", kind=kind, want=UNITS[kind], unit=unit),
                )
            )
        if kind == "lead_time":
            families = ("*", *FAMILIES, *SHARED_FAMILIES)
            if key not in CARGO_GROUPS:
                problems.append(
                    Problem(
                        r.file,
                        r.line,
                        "key",
                        Message("prob_not_one_of", value=key, allowed=", ".join(CARGO_GROUPS)),
                    )
                )
            if to not in families:
                problems.append(
                    Problem(
                        r.file,
                        r.line,
                        "to",
                        Message("prob_not_one_of", value=to, allowed=", ".join(families)),
                    )
                )
        elif kind == "spot_premium":
            premiums += 1
        else:
            for field, ids in (("key", [key]), ("to", [x for x in to.split("|") if x])):
                for cid in ids:
                    if cid not in capacities:
                        problems.append(
                            Problem(
                                r.file,
                                r.line,
                                field,
                                Message("prob_not_capacity", id=cid),
                            )
                        )
        ident = (kind, key, to if kind == "lead_time" else "")
        if ident in seen:
            problems.append(
                Problem(
                    r.file, r.line, "key", Message("prob_second_kind", kind=kind, also=seen[ident])
                )
            )
        seen[ident] = _where(r)
    if rows and premiums == 0:
        problems.append(Problem(rows[0].file, None, "kind", Message("prob_no_spot_premium")))


def _prov(v: Mapping[str, Any]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(v.get("_provenance", {}))


def risk_records(
    rows: Mapping[str, Sequence[_TableRow]],
) -> tuple[tuple[RecoverTimeRow, ...], tuple[RecoveryRow, ...]]:
    """The records of ``risk_ttr`` and of ``risk_recovery``."""
    ttr = tuple(
        RecoverTimeRow(
            v["id"],
            v["element"],
            v["kind"],
            float(v["value"]),
            float(v["low"]),
            float(v["high"]),
            _prov(v),
            v.get("note") or "",
        )
        for v in (r.values for r in rows.get(TTR_TABLE, ()))
    )
    recovery = tuple(
        RecoveryRow(
            v["id"],
            v["kind"],
            v["key"],
            tuple(x for x in (v.get("to") or "").split("|") if x),
            float(v["value"]),
            float(v["low"]),
            float(v["high"]),
            v["unit"],
            _prov(v),
            v.get("note") or "",
        )
        for v in (r.values for r in rows.get(RECOVERY_TABLE, ()))
    )
    return ttr, recovery
