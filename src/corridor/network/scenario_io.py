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
from corridor.i18n import Message, said
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
    _edit_words,
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
            [Problem(str(file), None, None, Message("prob_cannot_read", reason=str(exc)))],
            Message("prob_in_file", file=str(file)),
        ) from None
    except yaml.YAMLError as exc:
        line, message = lined_yaml.where_wrong(exc)
        problem = FileProblem(str(file), line, None, message)
        raise ScenarioError([problem], Message("prob_in_file", file=str(file))) from None
    scenario = _scenario(doc, where, net)
    if where.problems:
        ordered = sorted(where.problems, key=lambda p: p.row or 0)
        raise ScenarioError(ordered, Message("prob_in_scenario_file", file=str(file)))
    assert scenario is not None
    return scenario


def _scenario(doc: Any, where: _Where, net: Network) -> Scenario | None:
    if not isinstance(doc, LinedMap):
        where.add(None, None, Message("prob_s_not_mapping"))
        return None
    scenario = Message("prob_s_scenario")
    _unknown(doc, TOP_FIELDS, where, scenario)
    name = str(doc.get("name") or "").strip()
    if not name:
        where.add(doc, "name", _said(scenario, Message("prob_required", name="name")))
    edits_doc, events_doc = _list(doc, "edits", where), _list(doc, "events", where)
    if not edits_doc and not events_doc:
        where.add(doc, "edits", _said(scenario, Message("prob_s_no_edits")))
    if not isinstance(doc.get("illustrative", False), bool):
        where.add(doc, "illustrative", Message("prob_c_bool", label=scenario))
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
        where.add(
            doc, key, _said(Message("prob_s_scenario"), Message("prob_s_must_list", name=key))
        )
        return []
    return value


def _said(label: Message, what: Message) -> Message:
    """``label: what`` (the entry a problem is in, then the problem)."""
    return Message("prob_c_labelled", label=label, what=what)


def _unknown(entry: LinedMap, allowed: Sequence[str], where: _Where, label: Message) -> None:
    for key in entry:
        if key not in allowed:
            near = difflib.get_close_matches(key, list(allowed), n=1)
            hint = Message("prob_did_you_mean", name=near[0]) if near else ""
            what = Message("prob_unknown_field", name=key, hint=hint, allowed=", ".join(allowed))
            where.add(entry, key, _said(label, what))
    for key in entry.duplicates:
        where.add(entry, key, _said(label, Message("prob_field_twice", name=key)))


def _edits(
    entries: list[Any], where: _Where, net: Network, doc: LinedMap
) -> tuple[list[Edit], Network]:
    """Parse the edits, applying each to check it against the network as edited so far."""
    out = []
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, LinedMap):
            where.add(doc, "edits", Message("prob_s_edit_not_mapping", index=i))
            continue
        before = len(where.problems)
        edit = _edit(entry, i, where, net)
        if edit is None or len(where.problems) > before:
            continue
        try:
            net, _ = _APPLY[edit.action](net, edit)
        except RequestError as exc:
            what = Message(
                "prob_s_edit_failed", index=i, edit=_edit_words(edit, net), reason=said(exc)
            )
            where.add(entry, edit.action, what)
            continue
        out.append(edit)
    return out, net


def _edit(entry: LinedMap, i: int, where: _Where, net: Network) -> Edit | None:
    actions = [a for a in ACTIONS if a in entry]
    if len(actions) != 1:
        where.add(entry, None, Message("prob_s_edit_one_of", index=i, actions=", ".join(ACTIONS)))
        return None
    action = actions[0]
    label = Message("prob_s_edit_action", index=i, action=action)
    if action in ("add_node", "add_link"):
        return _addition(entry, action, i, where, net)
    target = "" if entry[action] is None else str(entry[action]).strip()
    if not target:
        where.add(entry, action, _said(label, Message("prob_s_give_id")))
        return None
    label = Message("prob_s_edit_target", index=i, action=action, target=target)
    _unknown(entry, (action, *FIELDS[action], "note"), where, label)
    if action == "commission":
        planned = [r.id for r in net.capacities if r.status != "operating"]
        if target not in planned:
            hint = difflib.get_close_matches(target, planned, n=3)
            what = _said(label, Message("prob_s_not_planned"))
            if hint:
                what = Message("netshow_did_you_mean", text=what, ids=", ".join(hint))
            where.add(entry, action, what)
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


def _from_day(entry: LinedMap, label: Message, where: _Where) -> float | None:
    """A dated closure's start: a date (YYYY-MM-DD) or a day of the year 1–365, as day 0–364."""
    value = entry.get("from")
    if value is None:
        return None
    if isinstance(value, dt.date):
        return float(min(value.timetuple().tm_yday - 1, 364))
    if isinstance(value, bool) or not isinstance(value, int | float) or not 1 <= value <= 365:
        where.add(entry, "from", _said(label, Message("prob_s_from")))
        return None
    return float(value) - 1.0


def _number(entry: LinedMap, key: str, label: Message, where: _Where) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        where.add(entry, key, _said(label, Message("prob_c_share_not_number", value=value)))
        return None
    return float(value)


_RULES: dict[str, tuple[tuple[str, Callable[[float], bool], str], ...]] = {
    "close": (("days", lambda v: 0 < v <= 365, "prob_s_close_days"),),
    "derate": (("percent", lambda v: 0 < v < 100, "prob_s_derate_percent"),),
    "delay": (("days", lambda v: v != 0 and abs(v) <= 365, "prob_s_delay_days"),),
    "tariff": (
        ("usd_per_t", lambda v: v >= 0, "prob_s_not_negative"),
        ("usd_per_tkm", lambda v: v >= 0, "prob_s_not_negative"),
        ("factor", lambda v: v >= 0, "prob_s_not_negative"),
    ),
}
"""Each action's numbers: the field, its test and the key of the message when it fails."""
_REQUIRED = {"derate": ("percent",), "delay": ("days",)}


def _check_numbers(
    action: str,
    numbers: Mapping[str, float | None],
    entry: LinedMap,
    label: Message,
    where: _Where,
) -> bool:
    ok = True
    for key in _REQUIRED.get(action, ()):
        if entry.get(key) is None:  # missing, or given as null
            where.add(entry, key, _said(label, Message("prob_required", name=key)))
            ok = False
    for key, test, message in _RULES.get(action, ()):
        value = numbers.get(key)
        if value is not None and not test(value):
            rule = Message(message, name=key)
            where.add(
                entry, key, Message("prob_s_rule", label=label, rule=rule, value=f"{value:g}")
            )
            ok = False
    if action == "tariff" and all(v is None for v in numbers.values()):
        where.add(entry, "usd_per_t", _said(label, Message("prob_s_tariff_give")))
        ok = False
    return ok


# --------------------------------------------------------------------------- new rows


def _addition(entry: LinedMap, action: str, i: int, where: _Where, net: Network) -> Edit | None:
    label = Message("prob_s_edit_action", index=i, action=action)
    spec = entry[action]
    table = "nodes" if action == "add_node" else "links"
    if not isinstance(spec, LinedMap):
        where.add(entry, action, _said(label, Message("prob_s_row_mapping")))
        return None
    values = _row(spec, table, label, where)
    if values is None:
        return None
    label = Message("prob_s_edit_target", index=i, action=action, target=values["id"])
    record = _node(values) if table == "nodes" else _link(values, spec, label, where, net)
    if record is None:
        return None
    return Edit(action, str(values["id"]), record=record, note=str(values.get("note") or ""))


def _row(spec: LinedMap, table: str, label: Message, where: _Where) -> dict[str, Any] | None:
    """Parse a new row's fields by the schema of ``table``; None (and problems) if invalid."""
    cols = {c.name: c for c in schema()[table] if c.name != "sources"}
    _unknown(spec, (*cols, "source"), where, label)
    values: dict[str, Any] = {}
    ok = True
    for name, col in cols.items():
        try:
            values[name] = parse_cell(col, _cell(spec.get(name)))
        except ValueError as exc:
            where.add(spec, name, Message("prob_s_field", label=label, name=name, reason=said(exc)))
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
    v: Mapping[str, Any], spec: LinedMap, label: Message, where: _Where, net: Network
) -> Link | None:
    problems = len(where.problems)
    for end in ("from", "to"):
        if not net.has("nodes", v[end]):
            unknown = Message("prob_unknown", what=Message("netshow_record_nodes"), value=v[end])
            where.add(spec, end, _said(label, _hint(net, v[end], unknown)))
    for e in (*v["countries"], *(v.get("chokepoints") or ())):
        if not net.has("exposures", e):
            where.add(spec, "countries", _said(label, Message("prob_s_not_exposure", id=e)))
    if not net.has("emission_factors", v["emission_factor"]):
        unknown = Message("prob_s_unknown_factor", factor=v["emission_factor"])
        where.add(spec, "emission_factor", _said(label, unknown))
    elif net.emission_factor(v["emission_factor"]).mode != v["mode"]:
        where.add(
            spec, "emission_factor", _said(label, Message("prob_s_factor_mode", mode=v["mode"]))
        )
    if (v["mode"] == "rail") != (v.get("gauge_mm") is not None):
        where.add(spec, "gauge_mm", _said(label, Message("prob_s_gauge")))
    try:
        season = parse_season(_cell(spec.get("season")))
    except ValueError as exc:
        where.add(spec, "season", Message("prob_c_labelled", label=label, what=said(exc)))
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
            at = entry if isinstance(entry, LinedMap) else doc
            where.add(at, "events", Message("prob_s_event_id", index=i))
            continue
        eid = str(entry["id"])
        if eid in seen:
            where.add(entry, "id", Message("prob_s_event_twice", id=eid))
            continue
        seen.add(eid)
        base = net.event(eid) if net.has("events", eid) else None
        label = Message("prob_s_event_override" if base else "prob_s_event_new", id=eid)
        _unknown(entry, tuple(cols), where, label)
        event = _event(entry, cols, base, label, where, net)
        if event is not None:
            out.append(event)
    return out


def _event(
    entry: LinedMap,
    cols: Mapping[str, Any],
    base: Event | None,
    label: Message,
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
                what = Message("prob_s_field", label=label, name=name, reason=said(exc))
                where.add(entry, name, what)
    if base is None:
        for name in _EVENT_REQUIRED:
            if name not in entry:
                where.add(entry, name, _said(label, Message("prob_s_required_new", name=name)))
    for t in given.get("targets") or ():
        if not any(net.has(table, t) for table in ("exposures", "links", "nodes")):
            where.add(
                entry,
                "targets",
                _said(label, _hint(net, t, Message("prob_s_not_target", target=t))),
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
