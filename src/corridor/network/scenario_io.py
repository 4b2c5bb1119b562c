"""Reading a scenario file (YAML): edits and events, each problem with file, line and field."""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from corridor import lined_yaml
from corridor.errors import FileProblem, Problem, RequestError
from corridor.lined_yaml import LinedMap
from corridor.network.cells import parse_cell, parse_season
from corridor.network.model import Event, Link, Network, Node
from corridor.network.records import event_record, link_record, node_record
from corridor.network.scenario import (
    _APPLY,
    ACTIONS,
    FIELDS,
    NO_PROVENANCE,
    TOP_FIELDS,
    Edit,
    Scenario,
    ScenarioError,
    _hint,
)
from corridor.network.schema import schema


@dataclass
class _Where:
    """Where an entry was read from; collects problems for one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, entry: Mapping[str, Any] | None, fld: str | None, message: str) -> None:
        line = None
        if isinstance(entry, LinedMap):
            line = entry.lines.get(fld or "", entry.line)
        self.problems.append(FileProblem(self.file, line, fld, message))


def load_scenario(path: str | Path, network: Network) -> Scenario:
    """Read and validate a scenario file against a network.

    Parameters
    ----------
    path : str or Path
        The YAML file (schema in ``docs/risk.md``).
    network : Network, optional
        Network the ids are checked against (default: the bundled network).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Every problem found, each with file, line, field and the entry it is in.
    """

    net = network
    file = Path(path)
    where = _Where(str(file))
    try:
        doc = lined_yaml.load(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(
            [Problem(str(file), None, None, f"cannot read: {exc}")], str(file)
        ) from None
    except yaml.YAMLError as exc:
        line, message = lined_yaml.where_wrong(exc)
        raise ScenarioError([FileProblem(str(file), line, None, message)], str(file)) from None
    scenario = _scenario(doc, where, net)
    if where.problems:
        ordered = sorted(where.problems, key=lambda p: p.row or 0)
        raise ScenarioError(ordered, f"the scenario file {file}")
    assert scenario is not None
    return scenario


def _scenario(doc: Any, where: _Where, net: Network) -> Scenario | None:
    if not isinstance(doc, LinedMap):
        where.add(None, None, "the file must be a mapping with 'name' and 'edits' or 'events'")
        return None
    _unknown(doc, TOP_FIELDS, where, "scenario")
    name = str(doc.get("name") or "").strip()
    if not name:
        where.add(doc, "name", "scenario: 'name' is required")
    edits_doc, events_doc = _list(doc, "edits", where), _list(doc, "events", where)
    if not edits_doc and not events_doc:
        where.add(doc, "edits", "scenario: give at least one edit or event")
    if not isinstance(doc.get("illustrative", False), bool):
        where.add(doc, "illustrative", "scenario: must be true or false")
    edits, edited = _edits(edits_doc, where, net, doc)
    events = _events(events_doc, where, edited, doc)
    return Scenario(
        name,
        tuple(edits),
        tuple(events),
        where.file,
        str(doc.get("note") or ""),
        str(doc.get("source") or ""),
        bool(doc.get("illustrative", False)),
    )


def _list(doc: LinedMap, key: str, where: _Where) -> list[Any]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        where.add(doc, key, f"scenario: '{key}' must be a list")
        return []
    return value


def _unknown(entry: LinedMap, allowed: Sequence[str], where: _Where, label: str) -> None:
    for key in entry:
        if key not in allowed:
            near = difflib.get_close_matches(key, list(allowed), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            where.add(
                entry, key, f"{label}: unknown field '{key}'{hint}; allowed: {', '.join(allowed)}"
            )
    for key in entry.duplicates:
        where.add(entry, key, f"{label}: field '{key}' is given more than once")


def _edits(
    entries: list[Any], where: _Where, net: Network, doc: LinedMap
) -> tuple[list[Edit], Network]:
    """Parse the edits, applying each to check it against the network as edited so far."""
    out = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, LinedMap):
            where.add(doc, "edits", f"edit {i} is not a mapping of fields")
            continue
        before = len(where.problems)
        edit = _edit(entry, i, where, net)
        if edit is None or len(where.problems) > before:
            continue
        try:
            net, _ = _APPLY[edit.action](net, edit)
        except RequestError as exc:
            where.add(entry, edit.action, f"edit {i} ({edit.describe()}): {exc}")
            continue
        out.append(edit)
    return out, net


def _edit(entry: LinedMap, i: int, where: _Where, net: Network) -> Edit | None:
    actions = [a for a in ACTIONS if a in entry]
    if len(actions) != 1:
        where.add(entry, None, f"edit {i}: give exactly one of {', '.join(ACTIONS)}")
        return None
    action = actions[0]
    label = f"edit {i} ({action})"
    if action in ("add_node", "add_link"):
        return _addition(entry, action, label, where, net)
    target = "" if entry[action] is None else str(entry[action]).strip()
    if not target:
        where.add(entry, action, f"edit {i} ({action}): give the id it applies to, not nothing")
        return None
    label = f"edit {i} ({action} {target})"
    _unknown(entry, (action, *FIELDS[action], "note"), where, label)
    if action == "commission":
        planned = [r.id for r in net.capacities if r.status != "operating"]
        if target not in planned:
            hint = difflib.get_close_matches(target, planned, n=3)
            more = f" (did you mean {', '.join(hint)}?)" if hint else ""
            where.add(entry, action, f"{label}: not a planned row of capacities.csv{more}")
            return None
    numbers = {k: _number(entry, k, label, where) for k in FIELDS[action] if k != "from"}
    if not _check_numbers(action, numbers, entry, label, where):
        return None
    return Edit(
        action,
        target,
        days=numbers.get("days"),
        percent=numbers.get("percent"),
        usd_per_t=numbers.get("usd_per_t"),
        usd_per_tkm=numbers.get("usd_per_tkm"),
        factor=numbers.get("factor"),
        note=str(entry.get("note") or ""),
        from_day=_from_day(entry, label, where),
    )


def _from_day(entry: LinedMap, label: str, where: _Where) -> float | None:
    """A dated closure's start: a date (YYYY-MM-DD) or a day of the year 1–365, as day 0–364."""
    value = entry.get("from")
    if value is None:
        return None
    if isinstance(value, dt.date):
        return float(min(value.timetuple().tm_yday - 1, 364))
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 365:
        where.add(entry, "from", f"{label}: 'from' must be a date (YYYY-MM-DD) or a day 1–365")
        return None
    return float(value) - 1.0


def _number(entry: LinedMap, key: str, label: str, where: _Where) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        where.add(entry, key, f"{label}: '{value}' is not a number")
        return None
    return float(value)


_RULES: dict[str, tuple[tuple[str, Callable[[float], bool], str], ...]] = {
    "close": (("days", lambda v: 0 < v <= 365, "days must be more than 0 and at most 365"),),
    "derate": (
        (
            "percent",
            lambda v: 0 < v < 100,
            "percent must be more than 0 and less than 100 (use close to close it)",
        ),
    ),
    "delay": (
        ("days", lambda v: v != 0 and abs(v) <= 365, "days must be non-zero and within ±365"),
    ),
    "tariff": (
        ("usd_per_t", lambda v: v >= 0, "usd_per_t must not be negative"),
        ("usd_per_tkm", lambda v: v >= 0, "usd_per_tkm must not be negative"),
        ("factor", lambda v: v >= 0, "factor must not be negative"),
    ),
}
_REQUIRED = {"derate": ("percent",), "delay": ("days",)}


def _check_numbers(
    action: str, numbers: Mapping[str, float | None], entry: LinedMap, label: str, where: _Where
) -> bool:
    ok = True
    for key in _REQUIRED.get(action, ()):
        if entry.get(key) is None:  # missing, or given as null
            where.add(entry, key, f"{label}: '{key}' is required")
            ok = False
    for key, test, message in _RULES.get(action, ()):
        value = numbers.get(key)
        if value is not None and not test(value):
            where.add(entry, key, f"{label}: {message}, not {value:g}")
            ok = False
    if action == "tariff" and all(v is None for v in numbers.values()):
        where.add(entry, "usd_per_t", f"{label}: give usd_per_t, usd_per_tkm or factor")
        ok = False
    return ok


# --------------------------------------------------------------------------- new rows


def _addition(entry: LinedMap, action: str, label: str, where: _Where, net: Network) -> Edit | None:
    spec = entry[action]
    table = "nodes" if action == "add_node" else "links"
    if not isinstance(spec, LinedMap):
        where.add(entry, action, f"{label}: give the new row's fields as a mapping")
        return None
    values = _row(spec, table, label, where)
    if values is None:
        return None
    label = f"{label[:-1]} {values['id']})"
    record = _node(values) if table == "nodes" else _link(values, spec, label, where, net)
    if record is None:
        return None
    return Edit(action, str(values["id"]), record=record, note=str(values.get("note") or ""))


def _row(spec: LinedMap, table: str, label: str, where: _Where) -> dict[str, Any] | None:
    """Parse a new row's fields by the schema of ``table``; None (and problems) if invalid."""
    cols = {c.name: c for c in schema()[table] if c.name != "sources"}
    _unknown(spec, (*cols, "source"), where, label)
    values: dict[str, Any] = {}
    ok = True
    for name, col in cols.items():
        try:
            values[name] = parse_cell(col, _cell(spec.get(name)))
        except ValueError as exc:
            where.add(spec, name, f"{label}: {name} {exc}")
            ok = False
    return values if ok else None


def _cell(value: Any) -> str:
    """A YAML value as the CSV cell the table parser reads."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)


def _node(v: Mapping[str, Any]) -> Node:
    return node_record(v, NO_PROVENANCE)


def _link(
    v: Mapping[str, Any], spec: LinedMap, label: str, where: _Where, net: Network
) -> Link | None:
    problems = len(where.problems)
    for end in ("from", "to"):
        if not net.has("nodes", v[end]):
            where.add(spec, end, f"{label}: unknown node '{v[end]}'" + _hint(net, v[end]))
    for e in (*v["countries"], *(v.get("chokepoints") or ())):
        if not net.has("exposures", e):
            where.add(spec, "countries", f"{label}: '{e}' is not an exposure id")
    if not net.has("emission_factors", v["emission_factor"]):
        where.add(
            spec, "emission_factor", f"{label}: unknown emission factor '{v['emission_factor']}'"
        )
    elif net.emission_factor(v["emission_factor"]).mode != v["mode"]:
        where.add(spec, "emission_factor", f"{label}: factor is not for mode {v['mode']}")
    if (v["mode"] == "rail") != (v.get("gauge_mm") is not None):
        where.add(spec, "gauge_mm", f"{label}: rail links need a gauge, other modes none")
    try:
        season = parse_season(_cell(spec.get("season")))
    except ValueError as exc:
        where.add(spec, "season", f"{label}: {exc}")
        season = {}
    if len(where.problems) > problems:
        return None
    return link_record(v, season, v.get("geometry") or (), NO_PROVENANCE)


# --------------------------------------------------------------------------- events


_EVENT_FLOATS = (
    "events_per_year",
    "duration_days",
    "duration_days_p95",
    "capacity_loss",
    "delay_days",
    "surcharge_usd_per_t",
    "insurance_pct_add",
)
_EVENT_REQUIRED = ("name_en", "kind", "targets", "events_per_year", "duration_days")


def _events(entries: list[Any], where: _Where, net: Network, doc: LinedMap) -> list[Event]:
    out = []
    cols = {c.name: c for c in schema()["events"] if c.name != "sources"}
    seen: set[str] = set()
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, LinedMap) or not entry.get("id"):
            where.add(
                entry if isinstance(entry, LinedMap) else doc, "events", f"event {i}: give its 'id'"
            )
            continue
        eid = str(entry["id"])
        if eid in seen:
            where.add(entry, "id", f"event {eid} is given more than once")
            continue
        seen.add(eid)
        base = net.event(eid) if net.has("events", eid) else None
        label = f"event {eid}" + (" (override)" if base else " (new)")
        _unknown(entry, tuple(cols), where, label)
        event = _event(entry, cols, base, label, where, net)
        if event is not None:
            out.append(event)
    return out


def _event(
    entry: LinedMap,
    cols: Mapping[str, Any],
    base: Event | None,
    label: str,
    where: _Where,
    net: Network,
) -> Event | None:
    problems = len(where.problems)
    given: dict[str, Any] = {}
    for name in entry:
        if name in cols and name != "id":
            try:
                given[name] = parse_cell(cols[name], _cell(entry[name]))
            except ValueError as exc:
                where.add(entry, name, f"{label}: {name} {exc}")
    if base is None:
        for name in _EVENT_REQUIRED:
            if name not in entry:
                where.add(entry, name, f"{label}: '{name}' is required for a new event")
    for t in given.get("targets") or ():
        if not any(net.has(table, t) for table in ("exposures", "links", "nodes")):
            where.add(
                entry,
                "targets",
                f"{label}: '{t}' is not an exposure, link or node id" + _hint(net, t),
            )
    if len(where.problems) > problems:
        return None
    fields: dict[str, Any] = {
        k: float(v) if k in _EVENT_FLOATS else v for k, v in given.items() if v is not None
    }
    if "targets" in fields:
        fields["targets"] = tuple(fields["targets"])
    event = replace(base, **fields) if base else _new_event(str(entry["id"]), fields)
    return replace(event, duration_days_p95=max(event.duration_days_p95, event.duration_days))


def _new_event(eid: str, fields: Mapping[str, Any]) -> Event:
    return event_record({**fields, "id": eid}, NO_PROVENANCE)


# --------------------------------------------------------------------------- what-if
