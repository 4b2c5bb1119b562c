"""The ``projects`` table: investments whose effect is a set of scenario edits.

An entry of ``edits`` is one of

``commission:CAP_ID``
    put a planned or under-construction row of ``capacities.csv`` in service;
``expand:TARGET:PERCENT``
    raise the capacity of a link, a capacity group or a node's links by PERCENT;
``delay:TARGET:DAYS``
    change the transit of a link or group, or the dwell at a node (negative: faster);
``tariff:TARGET:FACTOR``
    multiply the tariff of a link, group or node;
``add:FILE``
    the edits of a scenario file in the ``projects/`` folder next to the tables (new nodes
    and links, as :func:`corridor.network.load_scenario` reads them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from corridor.errors import Problem, RequestError
from corridor.i18n import Message
from corridor.network.model import Network, Project, Provenance
from corridor.network.scenario import Edit, Scenario

PROJECT_FOLDER = "projects"
KINDS = ("commission", "expand", "delay", "tariff", "add")
SIM_FIELDS = {
    "extra_ferries": "int",
    "extra_berths": "int",
    "customs_cut_hours": "float",
    "handling_factor": "float",
    "second_track": "bool",
}
"""Fields of the queue simulation's what-if a project may set (``sim_whatif``)."""


def split_sim_whatif(text: str) -> tuple[tuple[str, str], ...]:
    """``name=value`` entries of a ``sim_whatif`` cell, as pairs."""
    out = []
    for entry in split_edits(text):
        name, _, value = entry.partition("=")
        out.append((name.strip(), value.strip()))
    return tuple(out)


def sim_whatif_problem(name: str, value: str) -> Message | None:
    """What is wrong with one ``sim_whatif`` entry (None: nothing)."""
    kind = SIM_FIELDS.get(name)
    if kind is None:
        return Message("prob_p_unknown_whatif", name=name, allowed=", ".join(SIM_FIELDS))
    if kind == "bool":
        return None if value in ("yes", "no") else Message("prob_p_yes_no", name=name, value=value)
    try:
        if not value.isascii():  # float() reads other scripts' digits
            raise ValueError(value)
        number = float(value)
    except ValueError:
        return Message("prob_p_not_number", name=name, value=value)
    if not math.isfinite(number) or number < 0 or (kind == "int" and number != int(number)):
        key = "prob_p_whole" if kind == "int" else "prob_p_finite"
        return Message(key, name=name, value=value)
    if name == "handling_factor" and number == 0:
        return Message("prob_p_handling")
    return None


def split_edits(text: str) -> tuple[str, ...]:
    """The entries of an ``edits`` cell, stripped."""
    return tuple(e.strip() for e in text.split(";") if e.strip())


def project_record(v: Mapping[str, Any], sources: Provenance) -> Project:
    """A :class:`Project` from a parsed row."""
    return Project(
        v["id"],
        v["name_en"],
        v.get("name_ja") or "",
        v["kind"],
        v["status"],
        v["as_of"],
        float(v["capex_usd"]),
        float(v["capex_low_usd"]),
        float(v["capex_high_usd"]),
        float(v.get("opex_usd_per_year") or 0.0),
        float(v["lead_years"]),
        float(v["lifetime_years"]),
        split_edits(v["edits"]),
        float(1.0 if v.get("effect_low") is None else v["effect_low"]),
        float(1.0 if v.get("effect_high") is None else v["effect_high"]),
        sources,
        v.get("note") or "",
        split_sim_whatif(v.get("sim_whatif") or ""),
    )


def check_projects(
    rows: Iterable[Any], tables: Mapping[str, Iterable[Any]], folders: Iterable[Path]
) -> list[Problem]:
    """Problems of the projects rows: edit syntax, unknown targets, ranges out of order.

    ``tables`` maps table name to its rows (objects with ``file``, ``line``, ``values``);
    ``folders`` are the data folders whose ``projects/`` subfolder may hold ``add:`` files.
    """
    planned = {
        r.values.get("id") for r in tables["capacities"] if r.values.get("status") != "operating"
    }
    targets = {r.values.get("id") for r in tables["links"]}
    targets |= {r.values.get("capacity_group") for r in tables["links"]} - {None, ""}
    targets |= {r.values.get("id") for r in tables["nodes"]}
    folders = list(folders)
    problems: list[Problem] = []
    for r in rows:
        v = r.values

        def bad(column: str, message: Message, r: Any = r) -> None:
            problems.append(Problem(r.file, r.line, column, message))

        low, mid, high = (v.get(k) for k in ("capex_low_usd", "capex_usd", "capex_high_usd"))
        if None not in (low, mid, high) and not low <= mid <= high:
            bad("capex_usd", Message("prob_p_capex", capex=f"{mid:g}"))
        e_low, e_high = v.get("effect_low"), v.get("effect_high")
        if e_low is not None and e_high is not None and e_low > e_high:
            bad("effect_low", Message("prob_p_effect"))
        for entry in split_edits(v.get("edits") or ""):
            message = _entry_problem(entry, planned, targets, folders)
            if message:
                bad("edits", Message("prob_p_entry", entry=entry, reason=message))
        for name, value in split_sim_whatif(v.get("sim_whatif") or ""):
            message = sim_whatif_problem(name, value)
            if message:
                bad("sim_whatif", message)
    return problems


def _entry_problem(
    entry: str, planned: set[Any], targets: set[Any], folders: list[Path]
) -> Message | None:
    parts = entry.split(":")
    kind = parts[0]
    if kind not in KINDS:
        return Message("prob_p_unknown_edit", kind=kind, allowed=", ".join(KINDS))
    arity = 2 if kind in ("commission", "add") else 3
    if len(parts) != arity:
        return Message("prob_p_arity", kind=kind, n=arity - 1)
    if kind == "commission":
        return None if parts[1] in planned else Message("prob_s_not_planned")
    if kind == "add":
        if not any((f / PROJECT_FOLDER / parts[1]).is_file() for f in folders):
            return Message("prob_p_no_file", file=f"{PROJECT_FOLDER}/{parts[1]}")
        return None
    if parts[1] not in targets:
        return Message("prob_p_not_target")
    try:
        number = float(parts[2])
    except ValueError:
        return Message("prob_c_share_not_number", value=parts[2])
    if not math.isfinite(number):
        return Message("prob_p_finite_number")
    if kind == "expand" and number <= 0:
        return Message("prob_p_expand")
    if kind == "tariff" and number < 0:
        return Message("prob_p_tariff")
    if kind == "delay" and (number == 0 or abs(number) > 365):
        return Message("prob_s_delay_days")
    return None


def project_edits(
    project: Project, network: Network, folder: Path | None = None, scale: float = 1.0
) -> tuple[Edit, ...]:
    """The scenario edits of a project, with numeric effects scaled by ``scale``.

    ``scale`` (the low or high effect share) multiplies expansion percents, delays and
    the departure of tariff factors from 1; commissions and added links are all or nothing.
    ``folder`` holds ``add:`` files (default: the bundled ``projects/`` folder).
    """
    from corridor.network.scenario_io import load_scenario
    from corridor.network.schema import bundled_data_dir

    where = folder or bundled_data_dir() / PROJECT_FOLDER
    out: list[Edit] = []
    for entry in project.edits:
        kind, *rest = entry.split(":")
        note = f"{project.id}: {entry}"
        if kind == "commission":
            out.append(Edit("commission", rest[0], note=note))
        elif kind == "add":
            out.extend(load_scenario(where / rest[0], network).edits)
        else:
            number = float(rest[1])
            if kind == "expand":
                out.append(Edit("derate", rest[0], percent=-number * scale, note=note))
            elif kind == "delay":
                out.append(Edit("delay", rest[0], days=number * scale, note=note))
            elif kind == "tariff":
                out.append(Edit("tariff", rest[0], factor=1 + (number - 1) * scale, note=note))
            else:  # pragma: no cover - the loader refuses other kinds
                raise RequestError(f"{project.id}: unknown edit '{entry}'")
    return tuple(out)


def project_scenario(
    projects: Iterable[Project], network: Network, folder: Path | None = None, scale: float = 1.0
) -> Scenario:
    """One scenario putting every given project in place together."""
    chosen = list(projects)
    edits: list[Edit] = []
    for p in chosen:
        edits.extend(project_edits(p, network, folder, scale))
    name = " + ".join(p.id for p in chosen) or "no project"
    return Scenario(name, tuple(edits), note="projects.csv", source="projects.csv")
