#!/usr/bin/env python3
"""Regenerate the sea distances of the bundled network with searoute.

For every link of ``src/corridor/data/links.csv`` whose mode is ``sea`` or ``tanker`` and whose
``distance_km`` is backed by the source id ``searoute_2026``, compute with searoute 1.6.0:

* the length of the marine route between the two end nodes (km),
* the straits, canals and sea areas it crosses, as exposure ids,
* a simplified line for drawing (at most 60 points, 'lon lat;...' with 3 decimals),

and rewrite only the ``distance_km``, ``chokepoints`` and ``geometry`` cells of those rows. Every
other line of the file is kept byte for byte. Caspian legs are not computed here (searoute has no
Caspian network except through the Volga-Don canal, which sea-going cargo cannot use).

Usage (searoute is not a runtime dependency of corridor)::

    python3 -m venv /tmp/seavenv && /tmp/seavenv/bin/pip install searoute==1.6.0
    /tmp/seavenv/bin/python scripts/sea_legs.py [--check]

``--check`` computes everything and reports differences without writing (exit 1 if any).
Services whose ``service`` text contains "via Cape" are routed with Suez and Panama closed.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import warnings
from pathlib import Path

import searoute as sr

DATA = Path(__file__).resolve().parents[1] / "src" / "corridor" / "data"
SOURCE_ID = "searoute_2026"
MAX_POINTS = 60

# searoute passage name -> exposure id of exposures.csv
PASSAGES = {
    "suez": "SUEZ",
    "babalmandab": "BAB_EL_MANDEB",
    "bosporus": "BOSPORUS",
    "gibraltar": "GIBRALTAR",
    "malacca": "MALACCA",
    "ormuz": "HORMUZ",
    "sunda": "SUNDA",
    "south_africa": "CAPE_OF_GOOD_HOPE",
}
# passages a route may never use (refused rather than silently accepted)
FORBIDDEN_PASSAGES = {"panama", "northwest", "bering", "chili"}

# exposure id -> (lat_min, lat_max, lon_min, lon_max): crossings searoute does not name
BOXES = {
    "KOREA_STRAIT": (33.2, 35.4, 128.3, 130.6),
    "BOSPORUS": (40.0, 41.3, 26.0, 29.3),  # Dardanelles to Bosporus (Turkish Straits)
    "DANISH_STRAITS": (54.8, 56.6, 10.0, 13.0),
    "TAIWAN_STRAIT": (22.5, 25.6, 118.0, 120.4),
    "TSUGARU": (41.1, 41.9, 139.8, 141.6),
}
BLACK_SEA = "BLACK_SEA"
VOLGA_DON = (48.0, 49.5, 42.5, 45.5)
CASPIAN = (36.5, 47.5, 46.5, 55.5)


class SeaLegError(RuntimeError):
    """A sea leg could not be routed acceptably."""


def _in_box(lon: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    lat_min, lat_max, lon_min, lon_max = box
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def _in_black_sea(lon: float, lat: float) -> bool:
    # Black Sea proper, excluding the Sea of Marmara (south of ~41.05 N west of 29.3 E).
    if not (40.9 <= lat <= 46.8 and 27.3 <= lon <= 41.9):
        return False
    return lat > 41.25 or lon > 29.3


def _sources_for(cell: str, column: str) -> list[str]:
    """Source ids that back ``column`` according to a provenance cell."""
    default: list[str] = []
    for entry in filter(None, (e.strip() for e in cell.split(";"))):
        if "=" in entry:
            cols, ids = entry.split("=", 1)
            if column in cols.split("|"):
                return ids.split("+")
        else:
            default = entry.split("+")
    return default


def _perp_dist(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return float(((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5)


def _rdp(points: list[tuple[float, float]], eps: float) -> list[tuple[float, float]]:
    """Ramer-Douglas-Peucker line simplification (iterative, deterministic)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        best, idx = -1.0, -1
        for k in range(i + 1, j):
            d = _perp_dist(points[k], points[i], points[j])
            if d > best:
                best, idx = d, k
        if best > eps and idx > 0:
            keep[idx] = True
            stack.extend(((i, idx), (idx, j)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify(points: list[tuple[float, float]], max_points: int = MAX_POINTS) -> str:
    """Simplify a line to at most ``max_points`` points, formatted 'lon lat;...'."""
    eps = 0.01
    out = _rdp(points, eps)
    while len(out) > max_points:
        eps *= 1.5
        out = _rdp(points, eps)
    return ";".join(f"{_num(lon)} {_num(lat)}" for lon, lat in out)


def _num(x: float) -> str:
    """Three decimals, never '-0.000'."""
    s = f"{x:.3f}"
    return "0.000" if s == "-0.000" else s


def route(
    orig: tuple[float, float], dest: tuple[float, float], via_cape: bool
) -> tuple[float, list[str], str]:
    """Route one leg; return (km, exposure ids in order of first crossing, geometry)."""
    restrictions = ["northwest"] + (["suez", "panama"] if via_cape else [])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # searoute warns (and returns 0 km) when there is no route
        try:
            feat = sr.searoute(
                list(orig), list(dest), units="km", return_passages=True, restrictions=restrictions
            )
        except UserWarning as exc:
            raise SeaLegError(f"searoute found no route: {exc}") from exc
    props = feat["properties"]
    km = float(props["length"])
    if km <= 0:
        raise SeaLegError("searoute returned a zero-length route")
    passages = list(props.get("traversed_passages") or [])
    bad = FORBIDDEN_PASSAGES.intersection(passages)
    if bad:
        raise SeaLegError(f"route uses forbidden passages {sorted(bad)}")
    pts = [(float(c[0]), float(c[1])) for c in feat["geometry"]["coordinates"]]
    for lon, lat in pts:
        if _in_box(lon, lat, VOLGA_DON):
            raise SeaLegError("route passes the Volga-Don canal")
        if _in_box(lon, lat, CASPIAN) and not _in_box(lon, lat, (24.0, 30.5, 47.0, 57.5)):
            raise SeaLegError("route touches the Caspian Sea")
    named = {PASSAGES[p] for p in passages if p in PASSAGES}
    unknown = [p for p in passages if p not in PASSAGES and p not in FORBIDDEN_PASSAGES]
    if unknown:
        raise SeaLegError(f"unmapped searoute passages {unknown}")
    # order exposures by first appearance along the line; named passages are placed by their box
    # where one exists, otherwise kept in searoute's order after the geometric ones
    order: list[str] = []
    for lon, lat in pts:
        if _in_black_sea(lon, lat) and BLACK_SEA not in order:
            order.append(BLACK_SEA)
        for exp_id, box in BOXES.items():
            if _in_box(lon, lat, box) and exp_id not in order:
                order.append(exp_id)
        for exp_id, box in _PASSAGE_BOXES.items():
            if exp_id in named and exp_id not in order and _in_box(lon, lat, box):
                order.append(exp_id)
    order += [e for e in sorted(named) if e not in order]
    return km, order, simplify(pts)


# approximate boxes of the named passages, used only to order them along the route
_PASSAGE_BOXES = {
    "SUEZ": (29.5, 31.6, 31.9, 33.0),
    "BAB_EL_MANDEB": (11.5, 13.5, 42.5, 44.5),
    "GIBRALTAR": (35.6, 36.3, -6.5, -5.0),
    "MALACCA": (-0.5, 6.5, 95.0, 104.6),
    "HORMUZ": (25.5, 27.2, 55.5, 57.5),
    "SUNDA": (-7.5, -5.0, 104.0, 106.5),
    "CAPE_OF_GOOD_HOPE": (-40.0, -30.0, 15.0, 25.0),
}


def _serialise(row: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report differences, do not write")
    parser.add_argument("--data", type=Path, default=DATA, help="folder of the bundled tables")
    args = parser.parse_args(argv)

    with (args.data / "nodes.csv").open(encoding="utf-8", newline="") as f:
        coords = {r["id"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(f)}
    path = args.data / "links.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    col = {name: i for i, name in enumerate(header)}

    out = [lines[0]]
    changes: list[tuple[str, str, str, str, str]] = []
    errors: list[str] = []
    count = 0
    for line in lines[1:]:
        row = next(csv.reader([line]))
        mode = row[col["mode"]]
        if mode not in ("sea", "tanker") or SOURCE_ID not in _sources_for(
            row[col["sources"]], "distance_km"
        ):
            out.append(line)
            continue
        count += 1
        link_id = row[col["id"]]
        via_cape = "via cape" in row[col["service"]].lower()
        try:
            km, chokes, geom = route(coords[row[col["from"]]], coords[row[col["to"]]], via_cape)
        except (SeaLegError, KeyError) as exc:
            errors.append(f"{link_id}: {exc}")
            out.append(line)
            continue
        new = list(row)
        new[col["distance_km"]] = f"{km:.1f}"
        new[col["chokepoints"]] = "|".join(chokes)
        new[col["geometry"]] = geom
        if new == row:
            out.append(line)
            continue
        old_km, old_ch = row[col["distance_km"]], row[col["chokepoints"]]
        changes.append((link_id, old_km, new[col["distance_km"]], old_ch, new[col["chokepoints"]]))
        out.append(_serialise(new))

    print(f"{count} searoute legs, {len(changes)} changed, {len(errors)} errors")
    if changes:
        print(f"{'link':34} {'old km':>9} {'new km':>9}  chokepoints")
        for link_id, okm, nkm, och, nch in changes:
            ch = nch if och == nch else f"{och or '-'} -> {nch}"
            if okm == nkm and och == nch:
                ch += "  (geometry only)"
            print(f"{link_id:34} {okm:>9} {nkm:>9}  {ch}")
    for e in errors:
        print("ERROR", e, file=sys.stderr)
    if errors:
        return 2
    if args.check:
        return 1 if changes else 0
    if changes:
        path.write_text("".join(out), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
