"""Scenarios: deterministic what-if edits of the network, and user overrides of the events.

A scenario file (YAML, schema in ``docs/risk.md``) has a ``name``, optional ``note``,
``source`` and ``illustrative`` flag, a list of ``edits`` and a list of ``events``.

Edits (applied in order to a copy of the network, with :func:`dataclasses.replace`)
    ``close: ID`` with ``days: N`` — the capacity of every link of ``ID`` (a link, a
    capacity group, a node or an exposure) becomes ``capacity × (1 − N/365)``; without
    ``days`` (or with 365) the links are removed. ``derate: ID, percent: P`` — capacity ×
    (1 − P/100). ``delay: ID, days: D`` — a node's dwell, or the transit of the links of
    ``ID``, changes by ``D`` days (negative is faster; never below 0). ``tariff: ID`` with
    ``usd_per_t``, ``usd_per_tkm`` or ``factor`` — a link's freight tariff (a node's border
    fee). ``add_node`` / ``add_link`` — a new row with the columns of ``nodes.csv`` /
    ``links.csv`` (``sources`` replaced by a free-text ``source``).

Events
    An entry with the id of a bundled event changes the fields it gives; an entry with a
    new id adds an event (name_en, kind, targets, events_per_year and duration_days
    required). Fields and bounds are those of ``events.csv``.

Loading checks every entry against the network and reports every problem at once, each
with file, line, field and entry, as the network and contracts loaders do; nothing is
half-applied. :func:`whatif` compares the edited network with the base: cost, time,
capacity (maximum flow) and delivered tonnes.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from corridor import lined_yaml
from corridor.contracts import ContractProblem
from corridor.costs import Assumptions
from corridor.errors import Problem, RequestError
from corridor.lined_yaml import LinedMap
from corridor.network import (
    Event,
    Link,
    Network,
    Node,
    _parse,
    _season,
    event_record,
    link_record,
    node_record,
)
from corridor.results import FAMILY_LABELS, Route
from corridor.schema import schema

ACTIONS = ("close", "derate", "delay", "tariff", "add_node", "add_link")
FIELDS = {
    "close": ("days",),
    "derate": ("percent",),
    "delay": ("days",),
    "tariff": ("usd_per_t", "usd_per_tkm", "factor"),
    "add_node": (),
    "add_link": (),
}
TOP_FIELDS = ("name", "note", "source", "illustrative", "edits", "events")
NO_PROVENANCE: Mapping[str, tuple[str, ...]] = MappingProxyType({})


class ScenarioError(RequestError):
    """A scenario file is invalid; lists every problem (file, line, field, entry)."""

    def __init__(self, problems: Sequence[Problem], what: str) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in {what}:\n{lines}")


@dataclass(frozen=True)
class Edit:
    """One deterministic edit of the network.

    ``action`` is one of :data:`ACTIONS`; ``target`` the id it applies to (the new id for
    ``add_node`` / ``add_link``, whose row is ``record``).
    """

    action: str
    target: str
    days: float | None = None
    percent: float | None = None
    usd_per_t: float | None = None
    usd_per_tkm: float | None = None
    factor: float | None = None
    record: Node | Link | None = None
    note: str = ""

    def describe(self) -> str:
        """The edit in words."""
        if self.action == "close":
            return f"close {self.target}" + (f" for {self.days:g} days" if self.days else "")
        if self.action == "derate":
            return f"derate {self.target} by {self.percent:g} %"
        if self.action == "delay":
            return f"{self.target} {self.days:+g} days"
        if self.action == "tariff":
            parts = [
                f"{k} {v:g}"
                for k, v in (
                    ("USD/t", self.usd_per_t),
                    ("USD/t-km", self.usd_per_tkm),
                    ("×", self.factor),
                )
                if v is not None
            ]
            return f"tariff of {self.target}: {', '.join(parts)}"
        return f"add {self.action.removeprefix('add_')} {self.target}"

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in vars(self).items() if v not in (None, "") and k != "record"}
        out["description"] = self.describe()
        return out


@dataclass(frozen=True)
class Scenario:
    """A named set of edits and event overrides, read from a file (or built in Python)."""

    name: str
    edits: tuple[Edit, ...] = ()
    events: tuple[Event, ...] = ()
    """Events to put in place: overrides of bundled events (by id) and new ones."""
    file: str = ""
    note: str = ""
    source: str = ""
    illustrative: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "note": self.note,
            "source": self.source,
            "illustrative": self.illustrative,
            "edits": [e.to_dict() for e in self.edits],
            "events": [e.id for e in self.events],
        }


@dataclass(frozen=True)
class Applied:
    """A network with a scenario applied, and what the edits could not do exactly."""

    network: Network
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- applying


def apply_scenario(scenario: Scenario, network: Network) -> Applied:
    """Apply a scenario to a copy of ``network``.

    Raises
    ------
    RequestError
        An edit names an id the network does not have.
    """
    net, notes = network, []
    for edit in scenario.edits:
        net, said = _APPLY[edit.action](net, edit)
        notes += said
    if scenario.events:
        net = _with_events(net, scenario.events)
    origin = f"{network.origin} + scenario {scenario.name}"
    return Applied(replace(net, origin=origin), tuple(notes))


def _with_events(net: Network, events: Sequence[Event]) -> Network:
    given = {e.id: e for e in events}
    kept = tuple(given.pop(e.id, e) for e in net.events)
    return replace(net, events=kept + tuple(given.values()))


def links_of(net: Network, target: str) -> list[Link]:
    """The links an id stands for: a link, a capacity group, a node's links, or the links
    crossing an exposure.

    Raises
    ------
    RequestError
        The id is none of these (with close matches).
    """
    if not target.strip():
        # Every link without a capacity group has the group "": an empty id would match them.
        raise RequestError("the target is empty: give a link, capacity group, node or exposure")
    if net.has("links", target):
        return [net.link(target)]
    group = [x for x in net.links if x.capacity_group == target]
    if group:
        return group
    found = None
    if net.has("nodes", target):
        found = [x for x in net.links if target in (x.from_, x.to)]
    elif net.has("exposures", target):
        found = [x for x in net.links if _crosses(net, x, target)]
    if found == []:
        raise RequestError(f"'{target}' matches no link of the network")
    if found:
        return found
    groups = {x.capacity_group for x in net.links if x.capacity_group}
    raise RequestError(
        f"unknown link, capacity group, node or exposure '{target}'" + _hint(net, target, groups)
    )


def _crosses(net: Network, link: Link, exposure: str) -> bool:
    ends = (net.node(link.from_).country, net.node(link.to).country)
    return exposure in (*link.countries, *link.chokepoints, *ends)


def _hint(net: Network, target: str, extra: Iterable[str] = ()) -> str:
    ids = [*(x.id for x in net.links), *(n.id for n in net.nodes), *(e.id for e in net.exposures)]
    near = difflib.get_close_matches(target, [*ids, *extra], n=3, cutoff=0.6)
    return f" (did you mean {', '.join(near)}?)" if near else ""


def _replace_links(net: Network, new: Mapping[str, Link | None]) -> Network:
    """Links replaced by id (None: removed)."""
    links = tuple(new.get(x.id, x) for x in net.links)
    return replace(net, links=tuple(x for x in links if x is not None))


def _scale_capacity(net: Network, edit: Edit, factor: float) -> tuple[Network, list[str]]:
    links = links_of(net, edit.target)
    free = [x.id for x in links if x.capacity_t_per_year is None]
    notes = []
    if free:
        notes.append(
            f"{edit.describe()}: {', '.join(free[:6])}{' ...' if len(free) > 6 else ''} "
            "have no capacity figure and stay unlimited"
        )
    new = {
        x.id: replace(x, capacity_t_per_year=x.capacity_t_per_year * factor)
        for x in links
        if x.capacity_t_per_year is not None
    }
    return _replace_links(net, new), notes


def _close(net: Network, edit: Edit) -> tuple[Network, list[str]]:
    if edit.days is None or edit.days >= 365:
        links = links_of(net, edit.target)
        return _replace_links(net, dict.fromkeys((x.id for x in links), None)), []
    return _scale_capacity(net, edit, 1.0 - edit.days / 365.0)


def _derate(net: Network, edit: Edit) -> tuple[Network, list[str]]:
    assert edit.percent is not None
    return _scale_capacity(net, edit, 1.0 - edit.percent / 100.0)


def _delay(net: Network, edit: Edit) -> tuple[Network, list[str]]:
    days = edit.days or 0.0
    if net.has("nodes", edit.target):
        return _delay_node(net, edit, days)
    new_links = {
        x.id: replace(
            x,
            transit_days=max(x.transit_days + days, 0.0),
            transit_days_p95=max(x.transit_days_p95 + days, 0.0),
        )
        for x in links_of(net, edit.target)
    }
    return _replace_links(net, new_links), []


def _delay_node(net: Network, edit: Edit, days: float) -> tuple[Network, list[str]]:
    node = net.node(edit.target)
    hours = 24.0 * days
    new = replace(
        node,
        dwell_hours=max(node.dwell_hours + hours, 0.0),
        dwell_hours_p95=max(node.dwell_hours_p95 + hours, 0.0),
    )
    notes = []
    if node.dwell_hours + hours < 0:
        notes.append(
            f"{edit.describe()}: the mean dwell at {node.id} is {node.dwell_hours / 24:g} "
            "days, so it falls to 0 (its 95th percentile falls by the full amount where it can)"
        )
    nodes = tuple(new if n.id == node.id else n for n in net.nodes)
    return replace(net, nodes=nodes), notes


def _tariff(net: Network, edit: Edit) -> tuple[Network, list[str]]:
    factor = 1.0 if edit.factor is None else edit.factor
    if net.has("nodes", edit.target):
        node = net.node(edit.target)
        fee = node.border_fee_usd_per_t if edit.usd_per_t is None else edit.usd_per_t
        new = replace(node, border_fee_usd_per_t=fee * factor)
        return replace(net, nodes=tuple(new if n.id == node.id else n for n in net.nodes)), []
    new_links = {}
    for x in links_of(net, edit.target):
        per_t = x.tariff_usd_per_t if edit.usd_per_t is None else edit.usd_per_t
        per_tkm = x.tariff_usd_per_tkm if edit.usd_per_tkm is None else edit.usd_per_tkm
        new_links[x.id] = replace(
            x, tariff_usd_per_t=per_t * factor, tariff_usd_per_tkm=per_tkm * factor
        )
    return _replace_links(net, new_links), []


def _add_node(net: Network, edit: Edit) -> tuple[Network, list[str]]:
    assert isinstance(edit.record, Node)
    if net.has("nodes", edit.target):
        raise RequestError(f"add_node: node {edit.target} already exists")
    return replace(net, nodes=(*net.nodes, edit.record)), []


def _add_link(net: Network, edit: Edit) -> tuple[Network, list[str]]:
    assert isinstance(edit.record, Link)
    link = edit.record
    if net.has("links", link.id):
        raise RequestError(f"add_link: link {link.id} already exists")
    for end in (link.from_, link.to):
        net.node(end)
    if len(link.geometry) < 2:
        ends = (net.node(link.from_), net.node(link.to))
        link = replace(link, geometry=tuple((n.lon, n.lat) for n in ends))
    return replace(net, links=(*net.links, link)), []


_APPLY: dict[str, Callable[[Network, Edit], tuple[Network, list[str]]]] = {
    "close": _close,
    "derate": _derate,
    "delay": _delay,
    "tariff": _tariff,
    "add_node": _add_node,
    "add_link": _add_link,
}


# --------------------------------------------------------------------------- loading


@dataclass
class _Where:
    """Where an entry was read from; collects problems for one file."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, entry: Mapping[str, Any] | None, fld: str | None, message: str) -> None:
        line = None
        if isinstance(entry, LinedMap):
            line = entry.lines.get(fld or "", entry.line)
        self.problems.append(ContractProblem(self.file, line, fld, message))


def load_scenario(path: str | Path, network: Network | None = None) -> Scenario:
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
    from corridor.api import default_network

    net = network or default_network()
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
        raise ScenarioError([ContractProblem(str(file), line, None, message)], str(file)) from None
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
    numbers = {k: _number(entry, k, label, where) for k in FIELDS[action]}
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
    )


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
            values[name] = _parse(col, _cell(spec.get(name)))
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
        season = _season(_cell(spec.get("season")))
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
                given[name] = _parse(cols[name], _cell(entry[name]))
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


@dataclass(frozen=True)
class Delta:
    """One figure in the base network and with the scenario."""

    figure: str
    unit: str
    base: float | None
    scenario: float | None
    base_text: str = ""
    scenario_text: str = ""

    @property
    def change(self) -> float | None:
        if self.base is None or self.scenario is None:
            return None
        return self.scenario - self.base

    def to_dict(self) -> dict[str, Any]:
        return {
            "figure": self.figure,
            "unit": self.unit,
            "base": self.base,
            "scenario": self.scenario,
            "change": self.change,
            **({"base_text": self.base_text} if self.base_text else {}),
            **({"scenario_text": self.scenario_text} if self.scenario_text else {}),
        }


@dataclass(frozen=True)
class WhatIf:
    """A scenario's effect: headline deltas and, for contracts, one block per contract."""

    scenario: Scenario
    deltas: tuple[Delta, ...]
    by_contract: Mapping[str, tuple[Delta, ...]]
    notes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "whatif",
            "scenario": self.scenario.to_dict(),
            "deltas": [d.to_dict() for d in self.deltas],
            "contracts": {k: [d.to_dict() for d in v] for k, v in self.by_contract.items()},
            "notes": list(self.notes),
        }


def whatif(
    scenario: Scenario | str | Path,
    *,
    contracts: str | Path | None = None,
    commodity: str | None = None,
    origin: str | None = None,
    destination: str | None = None,
    volume: float | None = None,
    network: Network | None = None,
    assumptions: Assumptions | None = None,
) -> WhatIf:
    """What a scenario changes: cost, time, capacity (maximum flow) and delivered tonnes.

    Give either a contracts file (each is planned on the base and on the edited network)
    or one commodity, origin and destination (cheapest route and maximum flow; delivered
    tonnes when ``volume`` is given).

    Raises
    ------
    RequestError
        Neither or both kinds of request, unknown ids, an invalid scenario file.
    """
    from corridor.api import default_network

    base = network or default_network()
    scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, base)
    applied = apply_scenario(scen, base)
    a = assumptions or Assumptions()
    if (contracts is None) == (commodity is None):
        raise RequestError("give either --contracts FILE or --commodity/--origin/--destination")
    if contracts is not None:
        deltas, by_contract = _plan_deltas(contracts, base, applied.network, a)
    else:
        if origin is None or destination is None:
            raise RequestError("give --origin and --destination with --commodity")
        assert commodity is not None
        deltas, by_contract = (
            _route_deltas(commodity, origin, destination, volume, base, applied.network, a),
            {},
        )
    return WhatIf(scen, tuple(deltas), by_contract, applied.notes)


def _route_deltas(
    commodity: str,
    origin: str,
    destination: str,
    volume: float | None,
    base: Network,
    edited: Network,
    a: Assumptions,
) -> list[Delta]:
    """Cheapest route overall and per family, and maximum flow overall and per family."""
    from corridor.api import compare
    from corridor.capacity import FAMILIES, max_flow

    best = [
        compare(commodity, origin, destination, assumptions=a, network=net)
        for net in (base, edited)
    ]
    out = _route_rows("cheapest route", best[0].cheapest, best[1].cheapest)
    flows = [
        _max_flow(max_flow, commodity, origin, destination, (), net, a) for net in (base, edited)
    ]
    out.append(_flow_row("capacity (maximum flow)", flows))
    for fam in FAMILIES:
        by_family = [{r.family: r for r in c.routes}.get(fam) for c in best]
        if by_family == [None, None]:
            continue
        label = FAMILY_LABELS.get(fam, fam)
        out += _route_rows(f"{label} route", *by_family)
        fam_flows = [
            _max_flow(max_flow, commodity, origin, destination, (fam,), net, a)
            for net in (base, edited)
        ]
        out.append(_flow_row(f"{label} capacity (maximum flow)", fam_flows))
    if volume is not None:
        delivered = [volume if f[0] is None else min(volume, f[0]) for f in flows]
        out.append(Delta("delivered", "t/yr", delivered[0], delivered[1]))
    return out


def _route_rows(what: str, base: Route | None, edited: Route | None) -> list[Delta]:
    def value(r: Route | None, attr: str) -> float | None:
        return None if r is None else float(getattr(r, attr))

    def text(r: Route | None) -> str:
        return "no route" if r is None else r.label

    return [
        Delta(what, "", None, None, text(base), text(edited)),
        Delta(
            f"{what}: cost", "USD/t", value(base, "cost_usd_per_t"), value(edited, "cost_usd_per_t")
        ),
        Delta(f"{what}: mean time", "days", value(base, "days_mean"), value(edited, "days_mean")),
        Delta(
            f"{what}: 95th percentile time",
            "days",
            value(base, "days_p95"),
            value(edited, "days_p95"),
        ),
    ]


def _flow_row(what: str, flows: Sequence[tuple[float | None, str]]) -> Delta:
    return Delta(what, "t/yr", flows[0][0], flows[1][0], flows[0][1], flows[1][1])


def _max_flow(
    max_flow: Callable[..., Any],
    commodity: str,
    origins: str | tuple[str, ...],
    destinations: str | tuple[str, ...],
    families: tuple[str, ...],
    net: Network,
    a: Assumptions,
    avoid: tuple[str, ...] = (),
) -> tuple[float | None, str]:
    try:
        result = max_flow(
            commodity,
            origins,
            destinations,
            avoid=avoid,
            families=families,
            network=net,
            assumptions=a,
        )
    except RequestError:
        return 0.0, "no route"
    if result.max_t_per_year is None:
        return None, "unlimited (a path has no capacity figure)"
    return float(result.max_t_per_year), ""


def _plan_deltas(
    contracts: str | Path, base: Network, edited: Network, a: Assumptions
) -> tuple[list[Delta], dict[str, tuple[Delta, ...]]]:
    from corridor.capacity import max_flow
    from corridor.contracts import load_contracts
    from corridor.planning import plan

    portfolio = load_contracts(contracts, base)
    plans = [plan(portfolio, network=net, assumptions=a) for net in (base, edited)]
    heads = [p.headline() for p in plans]
    days = [_mean_days(p) for p in plans]
    deltas = [
        Delta(
            "cost",
            "USD/yr",
            heads[0]["total_cost_usd_per_year"],
            heads[1]["total_cost_usd_per_year"],
        ),
        Delta(
            "delivered", "t/yr", heads[0]["delivered_t_per_year"], heads[1]["delivered_t_per_year"]
        ),
        Delta(
            "shortfall", "t/yr", heads[0]["shortfall_t_per_year"], heads[1]["shortfall_t_per_year"]
        ),
        Delta("mean time (tonne-weighted)", "days", days[0], days[1]),
    ]
    by_contract: dict[str, tuple[Delta, ...]] = {}
    rows = [{r["contract"]: r for r in p.contract_rows()} for p in plans]
    for c in portfolio.contracts:
        flows = [
            _max_flow(max_flow, c.commodity, c.origins, c.destinations, (), net, a, c.avoid)
            for net in (base, edited)
        ]
        b, s = rows[0][c.id], rows[1][c.id]
        by_contract[c.id] = (
            Delta("cost", "USD/yr", b["cost_usd_per_year"], s["cost_usd_per_year"]),
            Delta("delivered", "t/yr", b["delivered_t_per_year"], s["delivered_t_per_year"]),
            Delta("mean cost", "USD/t", b["mean_cost_usd_per_t"], s["mean_cost_usd_per_t"]),
            _flow_row("capacity (maximum flow)", flows),
        )
    return deltas, by_contract


def _mean_days(p: Any) -> float | None:
    tonnes = sum(f.t_per_year for f in p.flows)
    if not tonnes:
        return None
    return float(sum(f.t_per_year * f.route.days_mean for f in p.flows) / tonnes)
