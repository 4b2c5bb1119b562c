"""The schema table: every column of every bundled table, with type, unit, default and meaning.

Validation (:mod:`corridor.network`) and the data documentation both derive from
``data/schema.csv``; nothing about the tables' columns is written down anywhere else.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

TABLES = (
    "sources",
    "emission_factors",
    "exposures",
    "commodities",
    "nodes",
    "links",
    "events",
    "regimes",
    "buyers",
    "capacities",
    "states",
    "services",
    "terms",
    "risk_ttr",
    "risk_recovery",
    "projects",
)
"""Tables in load order: each may refer only to tables before it (links refer to nodes...)."""

OPTIONAL_TABLES = frozenset(
    {
        "events",
        "regimes",
        "buyers",
        "ranges",
        "capacities",
        "states",
        "services",
        "terms",
        "risk_ttr",
        "risk_recovery",
        "projects",
    }
)
"""Tables a data folder may leave out (then empty)."""

EXTRA_TABLES = ("ranges",)
"""Tables about the figures of the others (read after them, not records of the network)."""


@dataclass(frozen=True)
class Column:
    """One column of one table, as declared in ``schema.csv``."""

    table: str
    name: str
    type: str
    unit: str
    default: str
    required: bool
    sourced: bool
    allowed: str
    description: str

    @property
    def choices(self) -> tuple[str, ...]:
        """Allowed values of an enum or list column (empty when free or a range)."""
        if not self.allowed or ".." in self.allowed:
            return ()
        return tuple(self.allowed.split("|"))

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """Inclusive numeric range ``lo..hi`` (either end may be open)."""
        if ".." not in self.allowed:
            return (None, None)
        lo, hi = self.allowed.split("..")
        return (float(lo) if lo else None, float(hi) if hi else None)


def bundled_data_dir() -> Path:
    """Folder of the tables shipped inside the package."""
    return Path(str(resources.files("corridor").joinpath("data")))


@cache
def schema() -> dict[str, tuple[Column, ...]]:
    """Columns of every table, in file order, read from the bundled ``schema.csv``."""
    text = resources.files("corridor").joinpath("data/schema.csv").read_text(encoding="utf-8")
    out: dict[str, list[Column]] = {t: [] for t in (*TABLES, *EXTRA_TABLES)}
    for row in csv.DictReader(text.splitlines()):
        out[row["table"]].append(
            Column(
                table=row["table"],
                name=row["column"],
                type=row["type"],
                unit=row["unit"],
                default=row["default"],
                required=row["required"] == "yes",
                sourced=row["sourced"] == "yes",
                allowed=row["allowed"],
                description=row["description"],
            )
        )
    return {t: tuple(cols) for t, cols in out.items()}


def schema_markdown() -> str:
    """The schema as Markdown tables, one per data table (for the docs and ``--help``)."""
    parts: list[str] = [
        "# The network tables\n",
        "Generated from `src/corridor/data/schema.csv` by `corridor network schema`; a test "
        "keeps this file in step with it. Lists are separated by `|`; `sourced` columns need a "
        "source for every figure (see the `sources` column of each table).\n",
    ]
    for table, cols in schema().items():
        parts.append(f"### `{table}.csv`\n")
        parts.append("| column | type | unit | default | required | sourced | meaning |")
        parts.append("|---|---|---|---|---|---|---|")
        for c in cols:
            req = "yes" if c.required else ""
            src = "yes" if c.sourced else ""
            allowed = f" ({c.allowed})" if c.allowed else ""
            parts.append(
                f"| {c.name} | {c.type}{allowed} | {c.unit} | {c.default} | {req} | {src} "
                f"| {c.description} |"
            )
        parts.append("")
    return "\n".join(parts)


def vocabulary(table: str, column: str) -> tuple[str, ...]:
    """The values ``schema.csv`` allows in one column (a vocabulary: families, modes, kinds)."""
    for col in schema()[table]:
        if col.name == column:
            return col.choices
    raise KeyError(f"{table}.{column} is not in schema.csv")


SHARED_FAMILIES = ("domestic", "japan")
"""Link families every route may use (inside Kazakhstan, and the last leg in Japan)."""
FAMILIES = tuple(f for f in vocabulary("links", "family") if f not in SHARED_FAMILIES)
"""Route families a route is classed by (china, trans_caspian, russia, south)."""
CARGO_CLASSES = vocabulary("nodes", "cargo_classes")
"""Cargo classes (container, bulk, liquid, gas, class7)."""
