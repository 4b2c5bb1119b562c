from __future__ import annotations

import csv
from pathlib import Path

HEADER = ["table", "record", "column", "low", "high", "distribution", "factor", "method", "sources"]


def write_ranges(folder: Path, rows: list[list[str]]) -> Path:
    """Write a ranges.csv into ``folder`` (method 'test', source 'hand' unless given)."""
    path = folder / "ranges.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        for r in rows:
            w.writerow([*r, *["", "", "test", "hand"][len(r) - 5 :]])
    return path
