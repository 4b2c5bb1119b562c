"""Scenario edits: what a scenario changes in a network, and applying it (a new network)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from corridor.errors import Problem, RequestError
from corridor.i18n import Message, Named
from corridor.network.model import Event, Link, Network, Node
from corridor.network.names import place_name
from corridor.network.states import commission

ACTIONS = ("close", "derate", "delay", "tariff", "commission", "add_node", "add_link")
FIELDS = {
    "close": ("days", "from"),
    "derate": ("percent",),
    "delay": ("days",),
    "tariff": ("usd_per_t", "usd_per_tkm", "factor"),
    "commission": (),
    "add_node": (),
    "add_link": (),
}
TOP_FIELDS = ("name", "note", "source", "illustrative", "edits", "events")
NO_PROVENANCE: Mapping[str, tuple[str, ...]] = MappingProxyType({})


class ScenarioError(RequestError):
    """A scenario file is invalid; lists every problem (file, line, field, entry)."""

    def __init__(self, problems: Sequence[Problem], what: str) -> None:
        self.problems, self.what = list(problems), what
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
    from_day: float | None = None
    """Day of the year (0 = 1 January) a dated closure starts (``from`` in the file)."""

    def describe(self) -> str:
        """The edit in words."""
        if self.action == "close":
            start = f" from day {self.from_day + 1:g}" if self.from_day is not None else ""
            return (
                f"close {self.target}" + (f" for {self.days:g} days" if self.days else "") + start
            )
        if self.action == "derate" and self.percent is not None and self.percent < 0:
            return f"raise the capacity of {self.target} by {-self.percent:g} %"
        if self.action == "derate":
            return f"derate {self.target} by {self.percent:g} %"
        if self.action == "commission":
            return f"put planned capacity {self.target} in service"
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
    origin = Message("net_origin_scenario", base=network.origin, name=scenario.name)
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
        raise RequestError(Message("prob_s_matches_no_link", target=target))
    if found:
        return found
    groups = {x.capacity_group for x in net.links if x.capacity_group}
    raise RequestError(_hint(net, target, Message("prob_s_unknown_target", target=target), groups))


def _crosses(net: Network, link: Link, exposure: str) -> bool:
    ends = (net.node(link.from_).country, net.node(link.to).country)
    return exposure in (*link.countries, *link.chokepoints, *ends)


def _hint(net: Network, target: str, text: Message, extra: Iterable[str] = ()) -> Message:
    """``text`` (about ``target``) with the ids that look like ``target``, if any."""
    ids = [*(x.id for x in net.links), *(n.id for n in net.nodes), *(e.id for e in net.exposures)]
    near = difflib.get_close_matches(target, [*ids, *extra], n=3, cutoff=0.6)
    return Message("netshow_did_you_mean", text=text, ids=", ".join(near)) if near else text


def _replace_links(net: Network, new: Mapping[str, Link | None]) -> Network:
    """Links replaced by id (None: removed)."""
    links = tuple(new.get(x.id, x) for x in net.links)
    return replace(net, links=tuple(x for x in links if x is not None))


def _scale_capacity(net: Network, edit: Edit, factor: float) -> tuple[Network, list[str]]:
    links = links_of(net, edit.target)
    free = [x.id for x in links if x.capacity_t_per_year is None]
    notes: list[str] = []
    if free:
        notes.append(
            Message(
                "whatif_cli_note_unlimited",
                edit=_edit_words(edit, net),
                links=f"{', '.join(free[:6])}{' ...' if len(free) > 6 else ''}",
            )
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
            added_days=x.added_days + days,
            added_days_p95=x.added_days_p95 + days,
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
    notes: list[str] = []
    if node.dwell_hours + hours < 0:
        notes.append(
            Message(
                "whatif_cli_note_dwell",
                edit=_edit_words(edit, net),
                node=Named(node.id, place_name(node, "ja") if node.name_ja else ""),
                days=f"{node.dwell_hours / 24:g}",
            )
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


def _commission(net: Network, edit: Edit) -> tuple[Network, list[str]]:
    return commission(net, [edit.target]), []


_APPLY: dict[str, Callable[[Network, Edit], tuple[Network, list[str]]]] = {
    "close": _close,
    "commission": _commission,
    "derate": _derate,
    "delay": _delay,
    "tariff": _tariff,
    "add_node": _add_node,
    "add_link": _add_link,
}


# --------------------------------------------------------------------------- loading


def _edit_words(edit: Edit, net: Network) -> Named:
    """The edit in English words, with its Japanese words for a face that localises."""
    from corridor.network.scenario_text import edit_text

    return Named(edit.describe(), edit_text(edit, net, "ja"))
