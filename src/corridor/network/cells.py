"""One cell of a network table, parsed by the type ``schema.csv`` declares for its column.

Shared by the table loader and the scenario reader; each function raises ``ValueError`` with
a message for the user (the caller adds file, row and column).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from corridor import validate
from corridor.network._countries import ISO_ALPHA2
from corridor.network.model import ID_PATTERN
from corridor.network.schema import Column


def parse_cell(col: Column, cell: str) -> Any:
    """Parse one cell by its declared type; raise ValueError with a user-facing message."""
    if cell == "":
        if col.required:
            raise ValueError("is empty but required")
        cell = col.default
        if cell == "":
            return None
    kind = col.type
    if kind == "id":
        if not ID_PATTERN.match(cell):
            raise ValueError(f"'{cell}' is not a valid id (letters, digits, '_' and '-')")
        return cell
    if kind in ("str", "provenance"):
        return cell
    if kind == "country":
        return parse_country(cell)
    if kind == "countries":
        return tuple(parse_country(c) for c in split_cell(cell))
    if kind == "enum":
        if cell not in col.choices:
            raise ValueError(f"'{cell}' is not one of {', '.join(col.choices)}")
        return cell
    if kind in ("float", "int"):
        return parse_number(col, cell)
    if kind == "bool":
        low = cell.lower()
        if low in ("yes", "true", "1"):
            return True
        if low in ("no", "false", "0"):
            return False
        raise ValueError(f"'{cell}' is not yes or no")
    if kind == "list":
        items = tuple(split_cell(cell))
        if col.choices:
            for item in items:
                if item not in col.choices:
                    raise ValueError(f"'{item}' is not one of {', '.join(col.choices)}")
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
            raise ValueError(f"'{cell}' is not a date (YYYY-MM-DD)") from None
    raise ValueError(f"schema declares unknown type '{kind}'")


def split_cell(cell: str) -> list[str]:
    return [p.strip() for p in cell.split("|") if p.strip()]


def parse_country(code: str) -> str:
    if code not in ISO_ALPHA2:
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return code


def parse_number(col: Column, cell: str) -> float | int:
    value = validate.number(cell, "")  # ASCII digits, finite
    lo, hi = col.bounds
    if lo is not None and value < lo:
        raise ValueError(f"{cell} is below the minimum {lo:g}")
    if hi is not None and value > hi:
        raise ValueError(f"{cell} is above the maximum {hi:g}")
    if col.type == "int":
        if value != int(value):
            raise ValueError(f"'{cell}' is not a whole number")
        if col.choices and cell not in col.choices:
            raise ValueError(f"'{cell}' is not one of {', '.join(col.choices)}")
        return int(value)
    return value


def parse_geometry(cell: str) -> tuple[tuple[float, float], ...]:
    points = []
    for part in cell.split(";"):
        bits = part.split()
        if len(bits) != 2:
            raise ValueError(f"geometry point '{part.strip()}' is not 'lon lat'")
        try:
            lon, lat = float(bits[0]), float(bits[1])
        except ValueError:
            raise ValueError(f"geometry point '{part.strip()}' is not numeric") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"geometry point '{part.strip()}' is out of range")
        points.append((lon, lat))
    if len(points) < 2:
        raise ValueError("geometry needs at least two points")
    return tuple(points)


def parse_season(text: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for part in split_cell(text):
        try:
            month_text, factor_text = part.split(":")
            month, factor = int(month_text), float(factor_text)
        except ValueError:
            raise ValueError(f"'{part}' is not 'month:factor'") from None
        if not 1 <= month <= 12 or not 0 <= factor <= 1:
            raise ValueError(f"'{part}': month must be 1-12 and factor 0-1")
        out[month] = factor
    return out
