#!/usr/bin/env python3
"""Build the offline country-outline asset ``src/corridor/report/assets/countries.json``.

The outlines come from Natural Earth (public domain) via the npm package
``world-atlas`` (TopoJSON, ISC-licensed packaging by Mike Bostock). They are used to
draw SVG maps in the HTML reports and the web page without a CDN or a tile server.

How to obtain the input (needs only ``npm`` and ``tar``; nothing is installed)::

    cd /tmp && npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    # -> /tmp/package/countries-110m.json, countries-50m.json, package.json

How to regenerate the asset (pure Python standard library)::

    python scripts/make_outlines.py /tmp/package/countries-110m.json

The shipped asset was built from world-atlas 2.0.2 (Natural Earth 4.1.0), 1:110m
countries: the 1:50m file gives 548,626 bytes here, over the 400 KB budget
(the 110m result is about 65 KB).

What the script does:

* decodes the TopoJSON topology: quantized, delta-encoded arcs are turned back into
  lon/lat with the topology ``transform``; a negative arc index ``~i`` means arc ``i``
  reversed; the arcs of a ring are joined, dropping each following arc's first point
  (it repeats the previous arc's last point);
* keeps only the polygons (outer ring plus holes, whole and unclipped) that intersect
  the bounding box lon 20..150, lat -5..70 (Black Sea to Japan, plus the Red Sea /
  Indian Ocean sea path); countries left with no polygon are dropped;
* makes rings that cross the antimeridian continuous (Russia's Chukotka gets
  longitudes 180..~190 instead of -180..-169) so a flat projection draws no streak;
  longitudes in the output can therefore exceed 180;
* rounds coordinates to 2 decimals, drops consecutive duplicate points and rings with
  fewer than 4 points (a closed ring needs 4); a polygon whose outer ring is dropped is
  dropped whole;
* writes compact JSON::

    {"source": "Natural Earth via world-atlas <version> (public domain)",
     "bbox": [lon_min, lat_min, lon_max, lat_max],
     "countries": [{"id": "<ISO 3166-1 numeric or null>", "iso2": "<alpha-2 or null>",
                    "name": "<name>", "rings": [[[lon, lat], ...], ...]}, ...]}

  ``rings`` is a flat list of all rings (outer rings and holes) of the country; draw
  each country as one SVG path with ``fill-rule="evenodd"`` so holes stay holes.
  Countries are sorted by name. A few Natural Earth units have no ISO code in the
  source (e.g. Kosovo, N. Cyprus, Somaliland); they keep ``"id": null`` and
  ``"iso2": null``. Names are Natural Earth's (e.g. "Turkey", not "Türkiye").

The world-atlas version is read from ``package.json`` next to the input file, or given
with ``--version``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]

DEFAULT_BBOX = (20.0, -5.0, 150.0, 70.0)  # lon_min, lat_min, lon_max, lat_max
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "src" / "corridor" / "report" / "assets" / "countries.json"
SIZE_BUDGET = 400 * 1024

# ISO 3166-1 numeric -> alpha-2, for the countries that can touch the default bbox
# (and their neighbours, so a slightly wider bbox still maps). Unknown ids -> null.
ISO_NUMERIC_TO_ALPHA2: dict[str, str] = {
    "004": "AF",  # Afghanistan
    "008": "AL",  # Albania
    "031": "AZ",  # Azerbaijan
    "036": "AU",  # Australia
    "048": "BH",  # Bahrain
    "050": "BD",  # Bangladesh
    "051": "AM",  # Armenia
    "064": "BT",  # Bhutan
    "070": "BA",  # Bosnia and Herzegovina
    "096": "BN",  # Brunei
    "100": "BG",  # Bulgaria
    "104": "MM",  # Myanmar
    "108": "BI",  # Burundi
    "112": "BY",  # Belarus
    "116": "KH",  # Cambodia
    "140": "CF",  # Central African Republic
    "144": "LK",  # Sri Lanka
    "148": "TD",  # Chad
    "156": "CN",  # China
    "158": "TW",  # Taiwan
    "174": "KM",  # Comoros
    "178": "CG",  # Congo
    "180": "CD",  # DR Congo
    "191": "HR",  # Croatia
    "196": "CY",  # Cyprus
    "203": "CZ",  # Czechia
    "208": "DK",  # Denmark
    "231": "ET",  # Ethiopia
    "232": "ER",  # Eritrea
    "233": "EE",  # Estonia
    "246": "FI",  # Finland
    "248": "AX",  # Åland Islands
    "262": "DJ",  # Djibouti
    "268": "GE",  # Georgia
    "275": "PS",  # Palestine
    "276": "DE",  # Germany
    "300": "GR",  # Greece
    "316": "GU",  # Guam
    "344": "HK",  # Hong Kong
    "348": "HU",  # Hungary
    "356": "IN",  # India
    "360": "ID",  # Indonesia
    "364": "IR",  # Iran
    "368": "IQ",  # Iraq
    "376": "IL",  # Israel
    "392": "JP",  # Japan
    "398": "KZ",  # Kazakhstan
    "400": "JO",  # Jordan
    "404": "KE",  # Kenya
    "408": "KP",  # North Korea
    "410": "KR",  # South Korea
    "414": "KW",  # Kuwait
    "417": "KG",  # Kyrgyzstan
    "418": "LA",  # Laos
    "422": "LB",  # Lebanon
    "428": "LV",  # Latvia
    "434": "LY",  # Libya
    "440": "LT",  # Lithuania
    "446": "MO",  # Macao
    "458": "MY",  # Malaysia
    "462": "MV",  # Maldives
    "496": "MN",  # Mongolia
    "498": "MD",  # Moldova
    "499": "ME",  # Montenegro
    "512": "OM",  # Oman
    "524": "NP",  # Nepal
    "566": "NG",  # Nigeria
    "578": "NO",  # Norway
    "580": "MP",  # Northern Mariana Islands
    "583": "FM",  # Micronesia
    "585": "PW",  # Palau
    "586": "PK",  # Pakistan
    "598": "PG",  # Papua New Guinea
    "608": "PH",  # Philippines
    "616": "PL",  # Poland
    "626": "TL",  # Timor-Leste
    "634": "QA",  # Qatar
    "642": "RO",  # Romania
    "643": "RU",  # Russia
    "646": "RW",  # Rwanda
    "682": "SA",  # Saudi Arabia
    "688": "RS",  # Serbia
    "690": "SC",  # Seychelles
    "702": "SG",  # Singapore
    "703": "SK",  # Slovakia
    "704": "VN",  # Vietnam
    "706": "SO",  # Somalia
    "728": "SS",  # South Sudan
    "729": "SD",  # Sudan
    "752": "SE",  # Sweden
    "760": "SY",  # Syria
    "762": "TJ",  # Tajikistan
    "764": "TH",  # Thailand
    "784": "AE",  # United Arab Emirates
    "792": "TR",  # Turkey / Türkiye
    "795": "TM",  # Turkmenistan
    "800": "UG",  # Uganda
    "804": "UA",  # Ukraine
    "807": "MK",  # North Macedonia
    "818": "EG",  # Egypt
    "834": "TZ",  # Tanzania
    "860": "UZ",  # Uzbekistan
    "887": "YE",  # Yemen
    "894": "ZM",  # Zambia
}


# --------------------------------------------------------------------------- decoding


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Absolute lon/lat arcs from (possibly quantized, delta-encoded) TopoJSON arcs."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        sx, sy = transform["scale"]
        tx, ty = transform["translate"]
        x = y = 0
        pts: list[Point] = []
        for p in arc:
            x += p[0]
            y += p[1]
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def build_ring(arc_indexes: list[int], arcs: list[list[Point]]) -> Ring:
    """Join arcs into one ring; ``~i`` (i.e. ``-i - 1``) is arc ``i`` reversed."""
    ring: Ring = []
    for k in arc_indexes:
        pts = arcs[~k][::-1] if k < 0 else arcs[k]
        ring.extend(pts[1:] if ring else pts)
    return ring


def unwrap_ring(ring: Ring) -> Ring:
    """Make a ring that crosses the antimeridian continuous for flat projections.

    TopoJSON rings are spherical: Russia's mainland ring jumps from +179.99 to -180 at
    Chukotka, which an equirectangular SVG path would draw as a streak across the
    map. Shift points by 360 degrees so consecutive points never differ by more than
    180 degrees, then bring the ring back so it starts inside [-180, 180] (Chukotka
    ends up at lon 180..~190.2, east of Kamchatka, where it belongs on this map).
    """
    if not ring:
        return ring
    out: Ring = [ring[0]]
    offset = 0.0
    for (x0, _), (x1, y1) in itertools.pairwise(ring):
        step = x1 - x0
        if step > 180.0:
            offset -= 360.0
        elif step < -180.0:
            offset += 360.0
        out.append((x1 + offset, y1))
    lo = min(p[0] for p in out)
    if lo < -180.0:
        out = [(x + 360.0, y) for x, y in out]
    elif lo > 180.0:
        out = [(x - 360.0, y) for x, y in out]
    return out


def geometry_polygons(geom: dict[str, Any], arcs: list[list[Point]]) -> list[Polygon]:
    kind = geom.get("type")
    if kind == "Polygon":
        polys = [geom["arcs"]]
    elif kind == "MultiPolygon":
        polys = geom["arcs"]
    else:
        return []  # null geometry or non-areal types: nothing to draw
    return [[unwrap_ring(build_ring(r, arcs)) for r in poly] for poly in polys]


# ----------------------------------------------------------------------- bbox test


def _point_in_bbox(p: Point, bbox: tuple[float, float, float, float]) -> bool:
    return bbox[0] <= p[0] <= bbox[2] and bbox[1] <= p[1] <= bbox[3]


def _segment_hits_bbox(a: Point, b: Point, bbox: tuple[float, float, float, float]) -> bool:
    """Liang-Barsky: does segment a-b touch the rectangle?"""
    x0, y0 = a
    dx, dy = b[0] - x0, b[1] - y0
    t0, t1 = 0.0, 1.0
    for p, q in (
        (-dx, x0 - bbox[0]),
        (dx, bbox[2] - x0),
        (-dy, y0 - bbox[1]),
        (dy, bbox[3] - y0),
    ):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _point_in_ring(p: Point, ring: Ring) -> bool:
    x, y = p
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def polygon_intersects_bbox(poly: Polygon, bbox: tuple[float, float, float, float]) -> bool:
    outer = poly[0] if poly else []
    if not outer:
        return False
    xs = [p[0] for p in outer]
    ys = [p[1] for p in outer]
    if max(xs) < bbox[0] or min(xs) > bbox[2] or max(ys) < bbox[1] or min(ys) > bbox[3]:
        return False
    if any(_point_in_bbox(p, bbox) for p in outer):
        return True
    if any(_segment_hits_bbox(outer[i], outer[i + 1], bbox) for i in range(len(outer) - 1)):
        return True
    # No vertex inside, no edge crossing: either disjoint or the bbox lies inside.
    return _point_in_ring((bbox[0], bbox[1]), outer)


# ------------------------------------------------------------------------- output


def clean_ring(ring: Ring, ndigits: int) -> list[list[float]] | None:
    out: list[list[float]] = []
    for lon, lat in ring:
        pt = [round(lon, ndigits) + 0.0, round(lat, ndigits) + 0.0]  # +0.0: no "-0.0"
        if not out or out[-1] != pt:
            out.append(pt)
    if out and out[0] != out[-1]:
        out.append(list(out[0]))
    return out if len(out) >= 4 else None


def build(
    topology: dict[str, Any],
    version: str,
    bbox: tuple[float, float, float, float],
    ndigits: int = 2,
    object_name: str = "countries",
) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    countries: list[dict[str, Any]] = []
    for geom in topology["objects"][object_name]["geometries"]:
        rings: list[list[list[float]]] = []
        for poly in geometry_polygons(geom, arcs):
            if not polygon_intersects_bbox(poly, bbox):
                continue
            outer = clean_ring(poly[0], ndigits)
            if outer is None:
                continue
            rings.append(outer)
            for hole in poly[1:]:
                cleaned = clean_ring(hole, ndigits)
                if cleaned is not None:
                    rings.append(cleaned)
        if not rings:
            continue
        raw_id = geom.get("id")
        iso_num = str(raw_id).zfill(3) if raw_id is not None and str(raw_id).isdigit() else None
        countries.append(
            {
                "id": iso_num,
                "iso2": ISO_NUMERIC_TO_ALPHA2.get(iso_num) if iso_num else None,
                "name": (geom.get("properties") or {}).get("name"),
                "rings": rings,
            }
        )
    countries.sort(key=lambda c: (c["name"] or "", c["id"] or ""))
    return {
        "source": f"Natural Earth via world-atlas {version} (public domain)",
        "bbox": list(bbox),
        "countries": countries,
    }


def read_version(input_path: Path) -> str | None:
    pkg = input_path.parent / "package.json"
    if pkg.is_file():
        data = json.loads(pkg.read_text(encoding="utf-8"))
        if data.get("name") == "world-atlas":
            return str(data.get("version"))
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", type=Path, help="world-atlas countries-110m.json / countries-50m.json")
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    ap.add_argument(
        "--version", help="world-atlas version (default: from package.json beside input)"
    )
    ap.add_argument(
        "--bbox",
        type=float,
        nargs=4,
        metavar=("LON_MIN", "LAT_MIN", "LON_MAX", "LAT_MAX"),
        default=DEFAULT_BBOX,
    )
    ap.add_argument("--digits", type=int, default=2, help="decimal places kept (default 2)")
    args = ap.parse_args(argv)

    version = args.version or read_version(args.input)
    if not version:
        ap.error("cannot find world-atlas package.json next to the input; pass --version")
    topology = json.loads(args.input.read_text(encoding="utf-8"))
    result = build(topology, version, tuple(args.bbox), args.digits)

    text = json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    size = args.output.stat().st_size
    n_rings = sum(len(c["rings"]) for c in result["countries"])
    n_pts = sum(len(r) for c in result["countries"] for r in c["rings"])
    print(
        f"{args.output}: {size} bytes ({size / 1024:.1f} KiB), "
        f"{len(result['countries'])} countries, {n_rings} rings, {n_pts} points; "
        f"{result['source']}"
    )
    missing = sorted(c["name"] for c in result["countries"] if c["id"] and not c["iso2"])
    if missing:
        print(f"note: no alpha-2 mapping for: {', '.join(missing)}", file=sys.stderr)
    if size > SIZE_BUDGET:
        print(
            f"warning: {size} bytes exceeds the {SIZE_BUDGET}-byte budget; use 110m",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
