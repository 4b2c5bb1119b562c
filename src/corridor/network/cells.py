"""One cell of a network table, parsed by the type ``schema.csv`` declares for its column.

Shared by the table loader and the scenario reader; each function raises ``ValueError`` with
a message for the user (the caller adds file, row and column).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from corridor import validate
from corridor.i18n import Message
from corridor.network._countries import ISO_ALPHA2
from corridor.network.model import ID_PATTERN
from corridor.network.schema import Column


def parse_cell(col: Column, cell: str) -> Any:
    """Parse one cell by its declared type; raise ValueError with a user-facing message."""
    if cell == "":
        if col.required:
            raise ValueError(Message("prob_empty_required"))
        cell = col.default
        if cell == "":
            return None
    kind = col.type
    if kind == "id":
        if not ID_PATTERN.match(cell):
            raise ValueError(Message("prob_not_valid_id", id=cell))
        return cell
    if kind in ("str", "provenance"):
        return cell
    if kind == "country":
        return parse_country(cell)
    if kind == "countries":
        return tuple(parse_country(c) for c in split_cell(cell))
    if kind == "enum":
        if cell not in col.choices:
            raise ValueError(Message("prob_not_one_of", value=cell, allowed=", ".join(col.choices)))
        return cell
    if kind in ("float", "int"):
        return parse_number(col, cell)
    if kind == "bool":
        low = cell.lower()
        if low in ("yes", "true", "1"):
            return True
        if low in ("no", "false", "0"):
            return False
        raise ValueError(Message("prob_not_yes_no", value=cell))
    if kind == "list":
        items = tuple(split_cell(cell))
        if col.choices:
            for item in items:
                if item not in col.choices:
                    allowed = ", ".join(col.choices)
                    raise ValueError(Message("prob_not_one_of", value=item, allowed=allowed))
        return items
    if kind.startswith("ref:"):
        return cell
    if kind.startswith("refs:"):
        return tuple(split_cell(cell))
    if kind == "geometry":
        return parse_geometry(cell)
    if kind == "date":
        try:
            return dt.date.fromisoformat(cell)
        except ValueError:
            raise ValueError(Message("prob_not_date", value=cell)) from None
    raise ValueError(f"schema declares unknown type '{kind}'")


def split_cell(cell: str) -> list[str]:
    return [p.strip() for p in cell.split("|") if p.strip()]


def parse_country(code: str) -> str:
    if code not in ISO_ALPHA2:
        raise ValueError(Message("prob_not_country", code=code))
    return code


def parse_number(col: Column, cell: str) -> float | int:
    value = validate.number(cell, "")  # ASCII digits, finite
    lo, hi = col.bounds
    if lo is not None and value < lo:
        raise ValueError(Message("prob_below_minimum", value=cell, minimum=f"{lo:g}"))
    if hi is not None and value > hi:
        raise ValueError(Message("prob_above_maximum", value=cell, maximum=f"{hi:g}"))
    if col.type == "int":
        if value != int(value):
            raise ValueError(Message("prob_not_whole", value=cell))
        if col.choices and cell not in col.choices:
            raise ValueError(Message("prob_not_one_of", value=cell, allowed=", ".join(col.choices)))
        return int(value)
    return value


def parse_geometry(cell: str) -> tuple[tuple[float, float], ...]:
    points = []
    for part in cell.split(";"):
        bits = part.split()
        if len(bits) != 2:
            raise ValueError(Message("prob_point_not_lon_lat", point=part.strip()))
        try:
            lon, lat = float(bits[0]), float(bits[1])
        except ValueError:
            raise ValueError(Message("prob_point_not_numeric", point=part.strip())) from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(Message("prob_point_out_of_range", point=part.strip()))
        points.append((lon, lat))
    if len(points) < 2:
        raise ValueError(Message("prob_geometry_two_points"))
    return tuple(points)


def parse_season(text: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for part in split_cell(text):
        try:
            month_text, factor_text = part.split(":")
            month, factor = int(month_text), float(factor_text)
        except ValueError:
            raise ValueError(Message("prob_not_month_factor", part=part)) from None
        if not 1 <= month <= 12 or not 0 <= factor <= 1:
            raise ValueError(Message("prob_month_factor_range", part=part))
        out[month] = factor
    return out
