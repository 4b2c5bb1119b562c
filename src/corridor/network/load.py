"""Load and validate the network tables into an immutable :class:`Network`.

Every check is driven by ``data/schema.csv`` (see :mod:`corridor.network.schema`). Loading either
returns a complete ``Network`` or raises :class:`~corridor.errors.DataError` listing every
problem found, each naming file, row and column: nothing is ever half-loaded.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from corridor.errors import DataError, Problem
from corridor.i18n import Joined, Message, said
from corridor.network._risk_tables import check_risk_tables, risk_records
from corridor.network.cells import parse_cell, parse_country, parse_season, split_cell
from corridor.network.model import (
    DATA_ENV,
    Commodity,
    EmissionFactor,
    Exposure,
    Network,
    Provenance,
    Source,
)
from corridor.network.projects import check_projects, project_record
from corridor.network.ranges import (
    RANGES_TABLE,
    build_ranges,
    check_ranges,
    drop_replaced_ranges,
    range_key,
)
from corridor.network.records import (
    capacity_record,
    event_record,
    link_record,
    node_record,
    num,
    service_record,
    state_record,
    term_record,
)
from corridor.network.regimes import NO_BUYER, buyer_record, parse_treatment, regime_record
from corridor.network.schema import OPTIONAL_TABLES, TABLES, bundled_data_dir, schema


@dataclass
class _Row:
    file: str
    line: int
    values: dict[str, Any]
    raw: dict[str, str]


def load_network(data_dir: str | Path | None = None, overlay: str | Path | None = None) -> Network:
    """Load, merge and validate the network tables.

    Parameters
    ----------
    data_dir : path, optional
        Folder holding a complete set of tables. Default: ``$CORRIDOR_DATA`` if set,
        else the bundled tables.
    overlay : path, optional
        Folder whose tables (any subset) add rows to, or replace rows (same id) of,
        the base tables.

    Raises
    ------
    DataError
        With every problem found (file, row, column, message).
    """
    base = Path(data_dir or os.environ.get(DATA_ENV) or bundled_data_dir())
    problems: list[Problem] = []
    if not base.is_dir():
        raise DataError([Problem(str(base), None, None, Message("prob_no_data_folder"))])
    if overlay is not None and not Path(overlay).is_dir():
        raise DataError([Problem(str(overlay), None, None, Message("prob_no_overlay_folder"))])
    rows: dict[str, list[_Row]] = {}
    for table in (*TABLES, RANGES_TABLE):
        required = table not in OPTIONAL_TABLES
        rows[table] = _read_table(base / f"{table}.csv", table, problems, required=required)
        if overlay is not None:
            extra = _read_table(Path(overlay) / f"{table}.csv", table, problems, required=False)
            rows[table] = _merge(rows[table], extra)
    # Cross-table checks run even after cell errors, so one pass lists every problem.
    _check_ids_and_refs(rows, problems)
    _check_provenance(rows, problems)
    _check_rules(rows, problems)
    check_risk_tables(rows, problems)
    if overlay is not None:
        rows[RANGES_TABLE] = drop_replaced_ranges(rows)
    check_ranges(rows, problems)
    folders = [base, *([Path(overlay)] if overlay is not None else [])]
    problems += check_projects(rows["projects"], rows, folders)
    if problems:
        raise DataError(problems)
    origin: str = (
        str(base) if data_dir or os.environ.get(DATA_ENV) else Message("net_origin_bundled")
    )
    if overlay is not None:
        origin = Message("net_origin_overlay", base=origin, overlay=str(overlay))
    return _build(rows, origin)


def _read_table(path: Path, table: str, problems: list[Problem], required: bool) -> list[_Row]:
    name = str(path)
    if not path.exists():
        if required:
            problems.append(Problem(name, None, None, Message("prob_file_missing")))
        return []
    cols = {c.name: c for c in schema()[table]}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            Problem(name, None, None, Message("prob_cannot_read_file", reason=str(exc)))
        )
        return []
    lines = text.splitlines()
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(name, None, None, Message("prob_file_empty")))
        return []
    except csv.Error as exc:
        problems.append(Problem(name, 1, None, Message("prob_malformed_csv", reason=str(exc))))
        return []
    header = [h.strip() for h in header]
    for h in header:
        if h not in cols:
            problems.append(
                Problem(name, 1, h, Message("prob_unknown_column", allowed=", ".join(cols)))
            )
    for dup in {h for h in header if header.count(h) > 1}:
        problems.append(Problem(name, 1, dup, Message("prob_column_twice")))
    for c in cols.values():
        if c.required and c.name not in header:
            problems.append(Problem(name, 1, c.name, Message("prob_column_missing")))
    out: list[_Row] = []
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(
                Problem(name, reader.line_num, None, Message("prob_malformed_csv", reason=str(exc)))
            )
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(
                Problem(
                    name, line, None, Message("prob_cells", cells=len(cells), header=len(header))
                )
            )
            continue
        raw = {h: v.strip() for h, v in zip(header, cells, strict=True) if h in cols}
        values: dict[str, Any] = {}
        for c in cols.values():
            cell = raw.get(c.name, "")
            try:
                values[c.name] = parse_cell(c, cell)
            except ValueError as exc:
                problems.append(Problem(name, line, c.name, said(exc)))
        out.append(_Row(name, line, values, raw))
    return out


def _merge(base: list[_Row], extra: list[_Row]) -> list[_Row]:
    position = {_row_key(r): i for i, r in enumerate(base)}
    merged = list(base)
    for row in extra:
        i = position.get(_row_key(row))
        if i is None:
            merged.append(row)
        else:
            merged[i] = row
    return merged


def _row_key(r: _Row) -> object:
    """What an overlay row replaces: the row with its id, or the range of its figure."""
    return r.values.get("id") or range_key(r.values)


def _check_ids_and_refs(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    ids: dict[str, set[str]] = {}
    for table in TABLES:
        seen: dict[str, int] = {}
        for r in rows[table]:
            rid = r.values.get("id")
            if rid is None:
                continue
            if rid in seen:
                problems.append(
                    Problem(
                        r.file, r.line, "id", Message("prob_duplicate_id", id=rid, row=seen[rid])
                    )
                )
            seen[rid] = r.line
        ids[table] = set(seen)
    for table in TABLES:
        for c in schema()[table]:
            if not c.type.startswith(("ref:", "refs:")):
                continue
            targets = c.type.split(":", 1)[1].split("|")
            for r in rows[table]:
                value = r.values.get(c.name)
                refs = (value,) if isinstance(value, str) else (value or ())
                for ref in refs:
                    if not any(ref in ids[t] for t in targets):
                        where = Joined(" or ", (f"{t}.csv" for t in targets), " か ")
                        what = Message("prob_not_an_id", id=ref, where=where)
                        problems.append(Problem(r.file, r.line, c.name, what))


def parse_provenance(text: str, sourced: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Expand a ``sources`` cell into column -> source ids for the given sourced columns.

    ``text`` holds entries separated by ';': ``src+src`` (default for every column not named
    elsewhere) or ``col|col=src+src``.

    Raises
    ------
    ValueError
        On a malformed entry or a named column that is not a sourced column.
    """
    sourced = list(sourced)
    default: tuple[str, ...] = ()
    named: dict[str, tuple[str, ...]] = {}
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        if "=" in entry:
            cols_text, srcs_text = entry.split("=", 1)
            srcs = tuple(s.strip() for s in srcs_text.split("+") if s.strip())
            if not srcs:
                raise ValueError(Message("prob_entry_no_source", entry=entry))
            for col in (c.strip() for c in cols_text.split("|")):
                if col not in sourced:
                    raise ValueError(Message("prob_entry_not_sourced", entry=entry, column=col))
                named[col] = named.get(col, ()) + srcs
        else:
            default += tuple(s.strip() for s in entry.split("+") if s.strip())
    return {c: named.get(c, default) for c in sourced}


def _check_provenance(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    source_rows = {r.values.get("id"): r for r in rows["sources"]}
    for r in rows["sources"]:
        if r.values.get("kind") in ("estimated", "computed") and not r.values.get("method"):
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "method",
                    Message("prob_source_method", kind=r.values["kind"]),
                )
            )
    for table in TABLES:
        sourced = [c.name for c in schema()[table] if c.sourced]
        if not sourced:
            continue
        for r in rows[table]:
            try:
                prov = parse_provenance(r.values.get("sources") or "", sourced)
            except ValueError as exc:
                problems.append(Problem(r.file, r.line, "sources", said(exc)))
                continue
            r.values["_provenance"] = {c: s for c, s in prov.items() if r.raw.get(c, "") != ""}
            for col in sourced:
                if r.raw.get(col, "") == "":
                    continue
                if not prov[col]:
                    problems.append(Problem(r.file, r.line, col, Message("prob_no_source")))
                for sid in prov[col]:
                    if sid not in source_rows:
                        what = Message("prob_not_an_id", id=sid, where="sources.csv")
                        problems.append(Problem(r.file, r.line, "sources", what))


def _check_rules(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    """Rules across columns and tables that the schema alone cannot state."""
    exposures = {r.values.get("id") for r in rows["exposures"]}
    nodes = {r.values.get("id"): r.values for r in rows["nodes"]}
    factors = {r.values.get("id"): r.values for r in rows["emission_factors"]}
    for r in rows["links"]:
        v = r.values
        if v.get("from") is not None and v.get("from") == v.get("to"):
            problems.append(Problem(r.file, r.line, "to", Message("prob_link_loop")))
        if v.get("mode") == "rail" and v.get("gauge_mm") is None:
            problems.append(Problem(r.file, r.line, "gauge_mm", Message("prob_rail_gauge")))
        if v.get("mode") != "rail" and v.get("gauge_mm") is not None:
            problems.append(Problem(r.file, r.line, "gauge_mm", Message("prob_gauge_not_rail")))
        for country in v.get("countries") or ():
            if country not in exposures:
                problems.append(
                    Problem(
                        r.file,
                        r.line,
                        "countries",
                        Message("prob_country_no_exposure", country=country),
                    )
                )
        mean, p95 = v.get("transit_days"), v.get("transit_days_p95")
        if mean is not None and p95 is not None and p95 < mean:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "transit_days_p95",
                    Message("prob_below_mean", mean="transit_days"),
                )
            )
        factor = factors.get(v.get("emission_factor"))
        if factor is not None and v.get("mode") is not None and factor.get("mode") != v.get("mode"):
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "emission_factor",
                    Message(
                        "prob_factor_mode",
                        factor=v["emission_factor"],
                        mode=factor.get("mode"),
                        link_mode=v["mode"],
                    ),
                )
            )
        try:
            parse_season(r.raw.get("season", ""))
        except ValueError as exc:
            problems.append(Problem(r.file, r.line, "season", said(exc)))
        for end in ("from", "to"):
            node = nodes.get(v.get(end))
            if node is None or v.get("mode") != "rail":
                continue
            gauges = node.get("gauges_mm") or ()
            if str(v.get("gauge_mm")) not in gauges:
                problems.append(
                    Problem(
                        r.file,
                        r.line,
                        "gauge_mm",
                        Message(
                            "prob_node_gauge",
                            node=v[end],
                            gauge=v.get("gauge_mm"),
                            gauges="|".join(gauges) or Message("prob_none"),
                        ),
                    )
                )
    _check_capacity_rows(rows, problems)
    for r in rows["states"]:
        first, last = r.values.get("start"), r.values.get("end")
        if first is not None and last is not None and last < first:
            problems.append(Problem(r.file, r.line, "end", Message("prob_before_start")))
    _check_compliance(rows, problems)
    for r in rows["commodities"]:
        try:
            _factors(r.raw.get("rail_tariff_factors", ""))
        except ValueError as exc:
            problems.append(Problem(r.file, r.line, "rail_tariff_factors", said(exc)))
    for r in rows["nodes"]:
        for pair in (("handling_hours", "handling_hours_p95"), ("dwell_hours", "dwell_hours_p95")):
            mean, p95 = r.values.get(pair[0]), r.values.get(pair[1])
            if mean is not None and p95 is not None and p95 < mean:
                problems.append(
                    Problem(r.file, r.line, pair[1], Message("prob_below_mean", mean=pair[0]))
                )


def _check_capacity_rows(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    """Each capacity row names a link, group or node; operating rows are dated and resolvable."""
    links = {r.values.get("id"): r.values for r in rows["links"]}
    nodes = {r.values.get("id") for r in rows["nodes"]}
    groups: dict[str, list[dict[str, Any]]] = {}
    for v in links.values():
        if v.get("capacity_group"):
            groups.setdefault(v["capacity_group"], []).append(v)
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    for r in rows["capacities"]:
        v = r.values
        element = v.get("element")
        if element is None:
            continue
        if element not in links and element not in groups and element not in nodes:
            problems.append(
                Problem(r.file, r.line, "element", Message("prob_not_element", element=element))
            )
            continue
        is_node = element in nodes and element not in links and element not in groups
        if not is_node and (v.get("cargo_classes") or v.get("modes")):
            problems.append(
                Problem(r.file, r.line, "cargo_classes", Message("prob_node_rows_only"))
            )
        if v.get("status") != "operating":
            if v.get("capacity_t_per_year") is None:
                problems.append(
                    Problem(r.file, r.line, "capacity_t_per_year", Message("prob_planned_figure"))
                )
            continue
        if v.get("year") is None:
            problems.append(Problem(r.file, r.line, "year", Message("prob_operating_year")))
        members = groups.get(element) or ([links[element]] if element in links else [])
        stated = [m for m in members if m.get("capacity_t_per_year") is not None]
        if v.get("capacity_t_per_year") is None and not stated:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "capacity_t_per_year",
                    Message("prob_capacity_blank", element=element),
                )
            )
        key = (element, tuple(sorted(v.get("cargo_classes") or ())))
        if key in seen:
            problems.append(
                Problem(
                    r.file,
                    r.line,
                    "element",
                    Message("prob_second_operating", element=element, row=seen[key]),
                )
            )
        seen[key] = r.line


def _factors(text: str) -> dict[str, float]:
    """Parse 'KZ=3.1|CN=1.2' into country -> factor; raise ValueError naming the bad entry."""
    out: dict[str, float] = {}
    for part in split_cell(text):
        code, sep, factor = (p.strip() for p in part.partition("="))
        if not sep:
            raise ValueError(Message("prob_not_country_factor", part=part))
        parse_country(code)
        try:
            value = float(factor)
        except ValueError:
            raise ValueError(Message("prob_factor_not_number", part=part, factor=factor)) from None
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(Message("prob_factor_negative", part=part))
        out[code] = value
    return out


def _check_compliance(rows: dict[str, list[_Row]], problems: list[Problem]) -> None:
    """Regime dates and lead times in order; buyer overrides name real regimes and sources."""
    regimes = {r.values.get("id") for r in rows["regimes"]}
    sources = {r.values.get("id") for r in rows["sources"]}
    for r in rows["regimes"]:
        start, end = r.values.get("in_force_from"), r.values.get("in_force_to")
        if start is not None and end is not None and end < start:
            problems.append(Problem(r.file, r.line, "in_force_to", Message("prob_before_in_force")))
        mean, p95 = r.values.get("lead_time_days"), r.values.get("lead_time_days_p95")
        if mean is not None and p95 is not None and p95 < mean:
            problems.append(
                Problem(r.file, r.line, "lead_time_days_p95", Message("prob_below_the_mean"))
            )
    for r in rows["buyers"]:
        if r.values.get("id") == NO_BUYER:
            problems.append(
                Problem(r.file, r.line, "id", Message("prob_reserved_buyer", id=NO_BUYER))
            )
        try:
            treatment = parse_treatment(r.values.get("treatment") or "")
        except ValueError as exc:
            problems.append(Problem(r.file, r.line, "treatment", said(exc)))
            treatment = {}
        for regime in treatment:
            if regime not in regimes:
                what = Message("prob_not_an_id", id=regime, where="regimes.csv")
                problems.append(Problem(r.file, r.line, "treatment", what))
        for sid in (s.strip() for s in (r.values.get("sources") or "").split("+")):
            if sid and sid not in sources:
                what = Message("prob_not_an_id", id=sid, where="sources.csv")
                problems.append(Problem(r.file, r.line, "sources", what))


def _build(rows: dict[str, list[_Row]], origin: str) -> Network:
    def prov(v: dict[str, Any]) -> Provenance:
        return MappingProxyType(v.get("_provenance", {}))

    sources = tuple(
        Source(
            v["id"],
            v["citation"],
            v.get("url") or "",
            int(v["year"]),
            v["kind"],
            v.get("method") or "",
        )
        for v in (r.values for r in rows["sources"])
    )
    factors = tuple(
        EmissionFactor(
            v["id"],
            v["mode"],
            v["vehicle"],
            float(v["co2e_g_per_tkm"]),
            prov(v),
            v.get("note") or "",
        )
        for v in (r.values for r in rows["emission_factors"])
    )
    exposures = tuple(
        Exposure(
            v["id"],
            v["kind"],
            v["name_en"],
            v.get("name_ja") or "",
            v.get("lat"),
            v.get("lon"),
            float(v["events_per_year"]),
            float(v["duration_days"]),
            float(v["capacity_loss"]),
            num(v, "war_risk_pct"),
            prov(v),
            v.get("note") or "",
        )
        for v in (r.values for r in rows["exposures"])
    )
    commodities = tuple(
        Commodity(
            v["id"],
            v["name_en"],
            v.get("name_ja") or "",
            v["cargo_class"],
            v.get("un_number") or "",
            float(v["value_usd_per_t"]),
            v["packaging"],
            tuple(v["allowed_modes"]),
            float(v["insurance_pct"]),
            num(v, "freight_factor") or 1.0,
            v.get("no_route_reason") or "",
            prov(v),
            v.get("note") or "",
            MappingProxyType(_factors(v.get("rail_tariff_factors") or "")),
        )
        for v in (r.values for r in rows["commodities"])
    )
    nodes = tuple(node_record(v, prov(v)) for v in (r.values for r in rows["nodes"]))
    node_pos = {n.id: (n.lon, n.lat) for n in nodes}
    links = tuple(
        link_record(
            v,
            parse_season(r.raw.get("season", "")),
            v.get("geometry") or (node_pos[v["from"]], node_pos[v["to"]]),
            prov(v),
        )
        for r in rows["links"]
        for v in (r.values,)
    )
    events = tuple(event_record(v, prov(v)) for v in (r.values for r in rows["events"]))
    caps = tuple(capacity_record(v, prov(v)) for v in (r.values for r in rows["capacities"]))
    states = tuple(state_record(v, prov(v)) for v in (r.values for r in rows["states"]))
    services = tuple(service_record(v, prov(v)) for v in (r.values for r in rows["services"]))
    terms = tuple(term_record(r.values) for r in rows["terms"])
    projects = tuple(project_record(v, prov(v)) for v in (r.values for r in rows["projects"]))
    ranges = build_ranges(rows[RANGES_TABLE])
    regimes = tuple(regime_record(v, prov(v)) for v in (r.values for r in rows["regimes"]))
    buyers = tuple(buyer_record(v) for v in (r.values for r in rows["buyers"]))
    risk_ttr, risk_recovery = risk_records(rows)
    return Network(
        nodes,
        links,
        commodities,
        exposures,
        factors,
        sources,
        origin,
        events,
        regimes=regimes,
        buyers=buyers,
        ranges=ranges,
        capacities=caps,
        states=states,
        services=services,
        terms=terms,
        risk_ttr=risk_ttr,
        risk_recovery=risk_recovery,
        projects=projects,
    )
