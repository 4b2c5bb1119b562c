"""Every result as tables: CSV, XLSX (openpyxl) and Parquet (pyarrow).

A result's ``to_dict()`` is cut into tables the same way for every kind: each list of records
is a table (nested fields become ``a.b`` columns, lists of plain values are joined by ``|``),
a mapping of such lists is one table with a ``key`` column, and the single values (the request,
the summary, the parameters) make the ``summary`` table. Route sets use their flat rows
(``Route.row()``), so the CSV of ``corridor routes`` keeps its columns. The XLSX has one sheet
per table, a ``sources`` sheet with every source the result cites (or, when it cites none, the
sources of the network tables it was computed on) and units in the headers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from corridor.errors import RequestError
from corridor.i18n import catalogue, family_name, localise
from corridor.network.model import Network
from corridor.network.names import place_name

FORMATS = ("csv", "xlsx", "parquet")
BINARY = ("xlsx", "parquet")

Row = dict[str, Any]

# Unit of a column from how its name ends (longest first); the names carry their units.
_UNITS: tuple[tuple[str, str], ...] = (
    ("_usd_per_t_per_day", "USD/t/day"),
    ("_usd_per_t_per_year", "USD/t/yr"),
    ("_usd_per_t", "USD/t"),
    ("_usd_per_year", "USD/yr"),
    ("_usd", "USD"),
    ("_t_per_year", "t/yr"),
    ("t_per_year", "t/yr"),
    ("_tonne_days_per_t", "t·days/t"),
    ("_t_per_t", "t/t"),
    ("_kg_per_t", "kg CO2e/t"),
    ("_t_days", "t·days"),
    ("_days_per_year", "days/yr"),
    ("_days", "days"),
    ("days_mean", "days"),
    ("days_p95", "days"),
    ("_km", "km"),
    ("_t", "t"),
    ("_30pct", "probability 0–1"),
    ("_pct", "%"),
    ("_share", "share 0–1"),
    ("probability", "probability 0–1"),
    ("_hours", "h"),
    ("seconds", "s"),
)


@dataclass(frozen=True)
class Tables:
    """A result cut into named tables, the main one first."""

    kind: str
    tables: dict[str, list[Row]]
    source_ids: tuple[str, ...]

    @property
    def main(self) -> str:
        return next(iter(self.tables))


def unit_of(column: str) -> str:
    """The unit a column name ends in ("cost_usd_per_t" -> "USD/t"), or "" when none."""
    leaf = column.rsplit(".", 1)[-1]
    return next((unit for suffix, unit in _UNITS if leaf.endswith(suffix)), "")


_UNIT_KEYS = {
    "USD/t/day": "unit_usd_per_t_day",
    "USD/t/yr": "unit_usd_per_t_yr",
    "USD/yr": "unit_usd_per_yr",
    "t/yr": "unit_t_per_yr",
    "t·days": "unit_t_days",
    "t·days/t": "unit_t_days_per_t",
    "days/yr": "unit_days_per_yr",
    "days": "unit_days",
    "share 0–1": "unit_share",
    "probability 0–1": "unit_probability",
    "h": "unit_hours",
    "s": "unit_seconds",
}
"""Units whose words are translated (the catalogue's ``unit_*`` keys); USD, t, km stay."""


def _base(leaf: str) -> str:
    """A column's name without its unit ("cost_usd_per_t" -> "cost")."""
    for suffix, _ in _UNITS:
        if suffix.startswith("_") and leaf.endswith(suffix) and leaf != suffix:
            return leaf[: -len(suffix)]
    return leaf


def header(column: str, lang: str = "en", names: Mapping[str, str] | None = None) -> str:
    """The header of a column: its id and unit in English ("cost_usd_per_t [USD/t]"), its
    name and unit in Japanese ("費用 [USD/t]"; "リスク指標の変化 / 期待欠品日数 [日]" for a
    nested one, whose unit may be its parent's: "追加費用 / 平均 [USD]"). ``names`` maps ids
    that are keys in the path (commodities) to their names."""
    unit = unit_of(column)
    if lang == "en":
        return f"{column} [{unit}]" if unit else column
    words = catalogue(lang)
    parts = column.split(".")
    out = []
    for seg in parts:
        found = words.get(f"hdr_{seg}") or words.get(f"hdr_{_base(seg)}")
        found = found or words.get(f"family_{seg}")
        out.append(found or (names or {}).get(seg, seg))
    unit = unit or next((unit_of(p) for p in reversed(parts) if unit_of(p)), "")
    text = " / ".join(out)
    if not unit:
        return text
    return f"{text} [{words.get(_UNIT_KEYS.get(unit, ''), unit)}]"


def _cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "|".join(str(_cell(v)) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return value


def _flat(record: Mapping[str, Any], prefix: str = "") -> Row:
    row: Row = {}
    for k, v in record.items():
        name = f"{prefix}{k}"
        if isinstance(v, Mapping) and v and not _is_table_map(v):
            row.update(_flat(v, f"{name}."))
        elif isinstance(v, list) and v and isinstance(v[0], Mapping):
            row[name] = len(v)  # a nested table in a cell: its size (the rows are elsewhere)
        else:
            row[name] = _cell(v)
    return row


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _is_table_map(value: Any) -> bool:
    return (
        isinstance(value, Mapping) and bool(value) and all(_is_records(v) for v in value.values())
    )


def _sources_in(value: Any, found: dict[str, None]) -> None:
    if isinstance(value, Mapping):
        for k, v in value.items():
            if k == "sources" and isinstance(v, list):
                found.update((s, None) for s in v if isinstance(s, str))
            else:
                _sources_in(v, found)
    elif isinstance(value, list):
        for v in value:
            _sources_in(v, found)


def route_row(route: Mapping[str, Any]) -> Row:
    """A route's ``to_dict()`` as the flat row of ``Route.row()`` (plus its Japanese label)."""
    totals, risk = route["totals"], route["risk"]
    return {
        "route": route["label"],
        "route_ja": route.get("label_ja", ""),
        "gateways": "|".join(route.get("gateways", ())),
        "family": route["family"],
        "cost_usd_per_t": totals["cost_usd_per_t"],
        "days_mean": totals["days_mean"],
        "days_p95": totals["days_p95"],
        "co2e_kg_per_t": totals["co2e_kg_per_t"],
        "distance_km": totals["distance_km"],
        "countries": "|".join(route["countries"]),
        "chokepoints": "|".join(route["chokepoints"]),
        "disruption_probability": risk["annual_probability"],
        "disrupted_days_per_year": risk["disrupted_days_per_year"],
        "conditions": "; ".join(c["text"] for c in route.get("conditions", ())),
        "conditions_ja": "; ".join(
            c.get("text_ja") or c["text"] for c in route.get("conditions", ())
        ),
    }


def tables_of(result: Any, kind: str | None = None) -> Tables:
    """Cut a result into tables.

    Parameters
    ----------
    result : object
        Anything with ``to_dict()`` (RouteSet, Comparison, CapacityResult, PlanResult,
        StressResult, FrontierResult, WhatIfResult), that dictionary itself (as the API
        returns it), or a list of stored runs or their dictionaries.
    kind : str, optional
        Name for the result; default its ``kind`` field or class name.

    Returns
    -------
    Tables
        Named tables, the main one first, and the source ids the result cites.
    """
    if hasattr(result, "to_dict"):
        data: Any = result.to_dict()
        default_kind = type(result).__name__.lower()
    else:
        data, default_kind = result, "result"
    if not isinstance(data, Mapping):
        runs = [r.to_dict() if hasattr(r, "to_dict") else dict(r) for r in data]
        return Tables(kind or "runs", {"runs": [_flat(r) for r in runs]}, ())
    name = kind or str(data.get("kind") or default_kind)
    tables: dict[str, list[Row]] = {}
    if _is_records(data.get("routes")) and "totals" in data["routes"][0]:
        tables["routes"] = [route_row(r) for r in data["routes"]]
        data = _with_route_measures(data, tables["routes"])
    summary: Row = {}
    for key, value in data.items():
        if key in tables or (key.endswith("_ja") and key[:-3] in data):
            continue  # a Japanese companion (unavailable_ja): the cells are localised instead
        if _is_records(value):
            tables[key] = [_flat(v) for v in value]
        elif _is_table_map(value):
            tables[key] = [{"key": k, **_flat(v)} for k, rows in value.items() for v in rows]
        elif key == "notes" and value:
            tables["notes"] = [{"note": n} for n in value]
        elif isinstance(value, Mapping):
            summary.update(_flat(value, f"{key}."))
        elif not isinstance(value, list) or value:
            summary[key] = _cell(value)
    tables["summary"] = [{"field": k, "value": v} for k, v in summary.items()]
    found: dict[str, None] = {}
    _sources_in(data, found)
    return Tables(name, tables, tuple(found))


def _with_route_measures(data: Mapping[str, Any], routes: list[Row]) -> Mapping[str, Any]:
    """A comparison's risk measures of each route (docs/risk.md) go on the route's row; the
    summary keeps the stock, the definitions and what every route shares."""
    measures = data.get("risk_measures")
    if not isinstance(measures, Mapping) or not _is_records(measures.get("routes")):
        return data
    per_route = measures["routes"]
    if len(per_route) != len(routes):
        return data
    for row, m in zip(routes, per_route, strict=True):
        row.update((k, _cell(v)) for k, v in m.items() if k != "events")
        row["risk_events"] = _cell(m.get("events", []))
    rest = {k: v for k, v in measures.items() if k != "routes"}
    return {**data, "risk_measures": rest}


def source_rows(net: Network, ids: Iterable[str]) -> list[Row]:
    """Rows of the sources sheet: the cited sources, or every source of the network."""
    chosen = [s for s in ids if net.has("sources", s)] or [s.id for s in net.sources]
    rows = []
    for sid in chosen:
        s = net.source(sid)
        rows.append(
            {
                "id": s.id,
                "kind": s.kind,
                "year": s.year,
                "citation": s.citation,
                "url": s.url,
                "method": s.method,
            }
        )
    return rows


def to_csv(rows: Sequence[Row], lang: str = "en", names: Mapping[str, str] | None = None) -> str:
    """One table as CSV text (columns in the order they first appear). In English the header
    row is the column ids; in another language the columns' names with their units."""
    columns = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns if lang == "en" else [header(c, lang, names) for c in columns])
    writer.writerows([[r.get(c, "") for c in columns] for r in rows])
    return buf.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "table"
    out, i = base, 2
    while out in used:
        out = f"{base[:28]}_{i}"
        i += 1
    used.add(out)
    return out


def localised_tables(tables: Tables, net: Network | None, lang: str) -> dict[str, list[Row]]:
    """The tables (and, with a network, the sources sheet) as a reader of ``lang`` sees them.

    In Japanese the route column holds the Japanese label (the English one moves to
    ``route_en``), conditions are in Japanese, avoid rules and route families are named, the
    countries and chokepoints crossed are named, and the summary's fields are named (their
    ids stay in the cells' comments of the XLSX). English tables are returned as they are.
    """
    sheets = dict(tables.tables)
    if net is not None:
        sheets["sources"] = source_rows(net, tables.source_ids)
    if lang == "en":  # the Japanese companions of a reason stay in the JSON
        return {k: [_without(r, "reason_ja") for r in rows] for k, rows in sheets.items()}
    names = _names(net, lang)
    routes = sheets.get("routes", [])
    caps = _capacity_names(net, sheets, lang)
    out = {
        name: [_capacity_words(_localised(r, routes, names, lang), r, caps, lang) for r in rows]
        for name, rows in sheets.items()
    }
    if net is not None and "link_flows" in out:  # a plan's tonnes per link
        out["link_flows"] = [_link_named(r, net, lang) for r in out["link_flows"]]
    return out


def _link_named(row: Row, net: Network, lang: str) -> Row:
    """A link-flow row with the link by name ("アクタウ港 – バクー国際海上商業港"), its id in
    an ID column before it."""
    link = row.get("link")
    if not isinstance(link, str) or not net.has("links", link):
        return row
    from corridor.uncertainty.labels import record_name

    rest = {k: v for k, v in row.items() if k != "link"}
    return {"id": link, "link": record_name(net, "links", link, lang), **rest}


def _capacity_names(
    net: Network | None, sheets: Mapping[str, Sequence[Row]], lang: str
) -> dict[str, str]:
    """Capacity id -> its name in ``lang`` (its node, group or links by name), when a sheet
    holds capacities (a plan's use of them, its binding constraints)."""
    if net is None or not any(_is_capacity(r) for rows in sheets.values() for r in rows):
        return {}
    from corridor.optimize.capacity import capacities
    from corridor.report.plan import capacity_name

    return {k: capacity_name(net, cap, lang) for k, cap in capacities(net).items()}


def _is_capacity(row: Row) -> bool:
    return ("capacity_t_per_year" in row and "id" in row) or _is_binding(row)


def _is_binding(row: Row) -> bool:
    return {"kind", "description", "shadow_price", "unit"} <= set(row)


SHADOW_UNITS = {
    "USD/yr per t/yr": "xl_unit_per_t",
    "USD/yr per percentage point": "xl_unit_per_point",
}


def _capacity_words(out: Row, row: Row, caps: Mapping[str, str], lang: str) -> Row:
    """A capacity's name (its id stays in the id column), the kind of a capacity, of a
    binding constraint or of a stress row (contract, family) and a unit column, in ``lang``."""
    words = catalogue(lang)
    unit = row.get("unit")
    if isinstance(unit, str) and unit in _UNIT_KEYS:  # a what-if figure's unit
        out["unit"] = words[_UNIT_KEYS[unit]]
    if row.get("kind") in ("contract", "family") and "id" in row:
        out["kind"] = words[f"xl_kind_{row['kind']}"]
        if row["kind"] == "family":  # a stress row of a route family: its name after the id
            named = {"id": out["id"], "name": family_name(str(row["id"]), lang)}
            out = {**named, **{k: v for k, v in out.items() if k not in named}}
    if not _is_capacity(row):
        return out
    cap_id = row.get("id")
    name = caps.get(cap_id) if isinstance(cap_id, str) else None
    if _is_binding(row):
        out["kind"] = words.get(f"xl_binding_{row['kind']}", out["kind"])
        out["unit"] = words.get(SHADOW_UNITS.get(str(row["unit"]), ""), out["unit"])
        if row["kind"] == "capacity" and name:
            out["description"] = name
    else:
        out["name"] = name or out.get("name")
        out["kind"] = words.get(f"xl_capkind_{row.get('kind')}", out.get("kind"))
    return out


def _without(row: Row, key: str) -> Row:
    return {k: v for k, v in row.items() if k != key} if key in row else row


def _names(net: Network | None, lang: str) -> dict[str, str]:
    """Names in ``lang`` of the ids a cell may hold: nodes, exposures, commodities, events."""
    if net is None:
        return {}
    out = {n.id: place_name(n, lang) for n in net.nodes}
    out.update({e.id: e.name_ja or e.name_en for e in net.exposures})
    out.update({c.id: c.name_ja or c.name_en for c in net.commodities})
    out.update({ev.id: ev.name_ja or ev.name_en for ev in net.events})
    return out


def _localised(row: Row, routes: Sequence[Row], names: Mapping[str, str], lang: str) -> Row:
    row = {k: localise(v, lang) for k, v in row.items()}  # messages (no-route reasons)
    out = dict(row)
    if "route_ja" in row:
        out = {"route": row["route_ja"], "route_en": row["route"]}
        out.update((k, v) for k, v in row.items() if k not in ("route", "route_ja"))
    name_ja = out.pop("name_ja", None)  # an element's Japanese name (exposure index)
    if name_ja and "name" in out:
        out["name"], out["name_en"] = name_ja, row["name"]
    reason_ja = out.pop("reason_ja", None)  # the API's Japanese reason, beside "reason"
    if lang == "ja" and reason_ja:
        out["reason"] = reason_ja
    if "conditions_ja" in row:
        english = out["conditions"]
        out["conditions"] = out.pop("conditions_ja")
        out["conditions_en"] = english
    index = row.get("route_index")
    if isinstance(index, int) and 0 <= index < len(routes) and "route" in row:
        out["route"] = routes[index].get("route_ja") or row["route"]
    words = catalogue(lang)
    if isinstance(row.get("name"), str) and "avoid" in row:
        out["name"] = words.get("rule_" + row["name"].replace(" ", "_"), row["name"])
    if isinstance(row.get("event"), str) and "name" in row and row["event"] in names:
        out["name"] = names[row["event"]]  # a stress driver: the event's name
    if isinstance(row.get("family"), str):
        out["family"] = family_name(row["family"], lang)
    for col in ("countries", "chokepoints", "avoid", "risk_events"):
        if isinstance(row.get(col), str) and row[col]:
            out[col] = "|".join(names.get(x, x) for x in row[col].split("|"))
    for col in ("commodity", "origin", "destination"):  # a plan's flows and contracts
        if isinstance(row.get(col), str) and row[col] in names:
            out[col] = names[row[col]]
    if set(row) == {"field", "value"}:
        out["field"] = header(str(row["field"]), lang, names)
        value = row["value"]
        if isinstance(value, str) and value in names:
            out["value"] = f"{names[value]} ({value})"
        elif isinstance(value, str) and "|" in value and all(x in names for x in value.split("|")):
            out["value"] = "|".join(names[x] for x in value.split("|"))  # e.g. events
    return out


def write_xlsx(path: Path | BinaryIO, tables: Tables, net: Network, lang: str = "en") -> None:
    """Write the tables as an XLSX workbook: one sheet per table and a ``sources`` sheet.

    Headers carry their unit in brackets: in English the column id ("cost_usd_per_t
    [USD/t]"), in Japanese the column's name ("費用 [USD/t]") with the id in the cell's
    comment, sheets named in Japanese and the cells as :func:`localised_tables` gives them.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    names = _names(net, lang) if lang != "en" else {}
    for name, rows in localised_tables(tables, net, lang).items():
        title = catalogue(lang).get(f"sheet_{name}", name) if lang != "en" else name
        ws = wb.create_sheet(_sheet_name(title, used))
        columns = list(dict.fromkeys(k for r in rows for k in r))
        if not columns:  # an empty table (no runs stored yet): an empty sheet
            continue
        ws.append([header(c, lang, names) for c in columns])
        for cell, c in zip(ws[1], columns, strict=True):
            cell.font = Font(bold=True)
            if lang != "en":
                cell.comment = Comment(c, "corridor")
        for r in rows:
            ws.append([_xlsx_value(r.get(c)) for c in columns])
        ws.freeze_panes = "A2"
        for i, c in enumerate(columns, 1):
            width = max([len(header(c, lang, names)) * (2 if lang != "en" else 1)])
            width = max([width, *(len(str(r.get(c) or "")) for r in rows[:200])])
            ws.column_dimensions[ws.cell(1, i).column_letter].width = min(60, width + 2)
    wb.save(path)


def _xlsx_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def write_parquet(path: Path, tables: Tables) -> list[Path]:
    """Write each table as a Parquet file: the main table to ``path``, each other table to
    ``<stem>.<table>.parquet`` beside it. Returns the files written."""
    import pyarrow.parquet as pq

    written = []
    for name, rows in tables.tables.items():
        target = path if name == tables.main else path.with_name(f"{path.stem}.{name}.parquet")
        pq.write_table(_arrow(rows), target)
        written.append(target)
    return written


def _arrow(rows: Sequence[Row]) -> Any:
    import pyarrow as pa

    columns = list(dict.fromkeys(k for r in rows for k in r))
    return pa.table(_uniform({c: [_parquet_value(r.get(c)) for r in rows] for c in columns}))


def _parquet_value(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def _uniform(arrays: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Columns of one type each: numbers stay numbers (ints widened to float if mixed); a
    column mixing text and numbers is text."""
    out: dict[str, list[Any]] = {}
    for c, values in arrays.items():
        kinds = {type(v) for v in values if v is not None}
        if kinds <= {int, float} and float in kinds:
            out[c] = [None if v is None else float(v) for v in values]
        elif len(kinds) > 1:
            out[c] = [None if v is None else str(v) for v in values]
        else:
            out[c] = values
    return out


def export(
    result: Any,
    fmt: str,
    output: Path | None,
    net: Network,
    kind: str | None = None,
    lang: str = "en",
) -> tuple[str | None, list[Path]]:
    """Export a result in ``fmt``: CSV text (main table) to return, or files written.

    Parameters
    ----------
    result : object
        See :func:`tables_of`.
    fmt : str
        ``csv``, ``xlsx`` or ``parquet``.
    output : Path or None
        File to write; required for xlsx and parquet. CSV without it is returned as text.
    net : Network
        For the sources sheet.
    kind : str, optional
        Name of the result.
    lang : str
        Language of the XLSX sheet names and route column (``"en"`` or ``"ja"``).

    Returns
    -------
    tuple
        CSV text (or None) and the files written.

    Raises
    ------
    RequestError
        For an unknown format, a binary format without ``--output``, or a file that cannot be
        written.
    """
    if fmt not in FORMATS:
        raise RequestError(f"format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    if fmt in BINARY and output is None:
        raise RequestError(f"format {fmt} writes a binary file: give an output file (FILE.{fmt})")
    tables = tables_of(result, kind)
    try:
        if fmt == "csv":
            main = localised_tables(tables, net, lang)[tables.main]
            text = to_csv(main, lang, _names(net, lang) if lang != "en" else None)
            if output is None:
                return text, []
            output.write_text(text, encoding="utf-8")
            return None, [output]
        assert output is not None
        if fmt == "xlsx":
            write_xlsx(output, tables, net, lang)
            return None, [output]
        return None, write_parquet(output, tables)
    except OSError as exc:
        raise RequestError(f"cannot write {output}: {exc.strerror or exc}") from None


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


def export_bytes(
    result: Any,
    fmt: str,
    net: Network,
    kind: str | None = None,
    table: str | None = None,
    lang: str = "en",
) -> tuple[bytes, str]:
    """A result as the bytes of one file, for a download: the whole workbook for XLSX, one
    table (the main one unless ``table`` names another) for CSV and Parquet; XLSX and CSV
    in ``lang`` (see :func:`localised_tables`), Parquet keeps the column ids.

    Returns
    -------
    tuple
        The bytes and the file name to offer ("compare.xlsx", "plan.flows.csv").

    Raises
    ------
    RequestError
        For an unknown format or table.
    """
    if fmt not in FORMATS:
        raise RequestError(f"format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    tables = tables_of(result, kind)
    name = table or tables.main
    if name not in tables.tables:
        raise RequestError(f"table must be one of {', '.join(tables.tables)}, not '{name}'")
    stem = tables.kind if name == tables.main else f"{tables.kind}.{name}"
    if fmt == "xlsx":
        buf = io.BytesIO()
        write_xlsx(buf, tables, net, lang)
        return buf.getvalue(), f"{tables.kind}.xlsx"
    if fmt == "csv":
        rows = localised_tables(tables, net, lang)[name]
        text = to_csv(rows, lang, _names(net, lang) if lang != "en" else None)
        return text.encode("utf-8"), f"{stem}.csv"
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(_arrow(tables.tables[name]), buf)
    return buf.getvalue(), f"{stem}.parquet"
