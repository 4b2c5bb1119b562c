#!/usr/bin/env python3
"""Write ``src/corridor/data/ranges.csv``: a range for every figure resting on an estimate.

The rules below are the derivation: one per estimated source (and, where a source covers
figures of several kinds, per column), each giving the range relative to the figure (or in
absolute units for coordinates) with the reasoning and the reference it comes from. A figure
resting on several estimates gets their relative spreads added in quadrature (the errors are
taken as independent). Figures resting on one assumption (one tariff, one speed, one wait)
share a ``factor`` and are drawn together; a distance or coordinate estimated line by line
is its own factor.

Run it after changing the tables (``python scripts/make_ranges.py``); rows a user edited
by hand can be kept with ``--keep`` (rows already in the file win).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass

from corridor.network import Network, bundled_data_dir, load_network
from corridor.network.schema import schema

GAPS_RISK = "reference gaps_risk_rates_values.md"
KM_PER_DEG = 111.2


@dataclass(frozen=True)
class Rule:
    """A range relative to the figure: ``low = figure × lo``, ``high = figure × hi``."""

    lo: float
    hi: float
    why: str
    shared: bool = True
    distribution: str = "triangular"
    source: str = ""
    """The source the range rests on, where it is not the figure's estimated source."""


def rel(lo: float, hi: float, why: str, **kw: object) -> Rule:
    return Rule(lo, hi, why, **kw)  # type: ignore[arg-type]


# source id -> column prefix -> rule ("" matches any column)
RULES: dict[str, dict[str, Rule]] = {
    "est_rail_gc_circuity": {
        "": rel(
            0.8,
            1.25,
            "circuity 1.2–1.5 assumed per line: ±20–30 % stated in the source "
            "method, taken as −20 %/+25 %",
            shared=False,
        ),
    },
    "est_road_gc_circuity": {
        "": rel(
            0.7,
            1.3,
            "road circuity 1.3 assumed and railheads are placeholders: ±30 %",
            shared=False,
        ),
    },
    "est_pipe_gc_circuity": {
        "": rel(0.85, 1.15, "pipeline circuity 1.2–1.3 assumed: ±15 %", shared=False),
    },
    "est_tsr_kmposts": {
        "": rel(0.95, 1.05, "published km posts with a 150 km branch assumed: ±5 %", shared=False),
    },
    "est_osm_gap": {
        "": rel(
            0.97,
            1.03,
            "only the 101 km Izmit–Istanbul gap is estimated (±50 km of 1,688)",
            shared=False,
        ),
    },
    "est_kharasan_road": {
        "": rel(0.4, 2.0, "mine site not retrieved: 20–100 km to the railhead", shared=False),
    },
    "est_rail_transit": {
        "transit_days_p95": rel(0.8, 1.5, "p95 = 1.6 × mean assumed: 1.3–2.4 × mean"),
        "": rel(
            0.75,
            1.4,
            "service speeds 500–900 km/d assumed per network: ±25 % slower or "
            "faster trains, longer more likely (wagon shortages, congestion bans)",
        ),
    },
    "est_border_link_transit": {
        "": rel(0.5, 2.5, "0.1–0.5 d around the quoted 4 h 15 min processing"),
    },
    "est_road_transit": {
        "": rel(0.7, 1.5, "truck speed 500 km/d and loading 0.25 d assumed: −30 %/+50 %"),
    },
    "est_ferry_transit": {
        "transit_days_p95": rel(0.65, 1.35, "waits of 1–2 weeks reported: p95 7–15 d"),
        "": rel(
            0.6,
            1.7,
            "mean wait for a sailing 1.3–5.2 d around the reported 2–3 d "
            "(ships sail when full; storms)",
        ),
    },
    "est_feeder_transit": {
        "transit_days_p95": rel(0.6, 1.4, "storm holds of 3–5 d: p95 3–7 d"),
        "": rel(0.75, 1.5, "1.5–3 d: sailing ~1 d plus a wait at 3–7 departures a week"),
    },
    "est_caspian_tanker_transit": {
        "transit_days_p95": rel(0.67, 1.33, "storm holds of 3–5 d: p95 4–8 d"),
        "": rel(0.8, 1.6, "2–4 d: the quoted 2-day voyage plus 0–2 d berthing"),
    },
    "est_sea_transit": {
        "transit_days_p95": rel(0.85, 1.3, "p95 1.2–1.3 × mean ±10–20 % stated"),
        "": rel(
            0.85,
            1.3,
            "speeds 12–14 kn and waits for the service assumed: −15 %/+30 % "
            "(waits for a weekly call or a charter's consolidation run long)",
        ),
    },
    "est_pipeline_transit": {
        "": rel(0.75, 1.5, "flow velocity ~1.7 m/s assumed; batching not modelled: −25 %/+50 %"),
    },
    "est_handling_hours": {
        "handling_hours_p95": rel(0.67, 2.0, "p95 of one transfer assumed: ×0.67–2"),
        "": rel(
            0.5,
            1.5,
            "transfer times from one quoted operation (Dostyk 4 h 15 min, Kuryk 6–8 h): ±50 %",
        ),
    },
    "est_port_dwell": {
        "dwell_hours_p95": rel(0.6, 1.75, "p95 dwell assumed: ×0.6–1.75"),
        "": rel(
            0.5,
            1.75,
            "export clearance and yard dwell assumed: 0.5–1.75 × "
            "(CPMM lists Kuryk outbound among long delays)",
        ),
    },
    "est_jp_import": {
        "border_fee": rel(
            0.75, 1.5, "FESCO THC at 120–170 JPY/USD and 25–40 t per FEU: USD 6–12/t"
        ),
        "dwell_hours_p95": rel(0.6, 1.5, "assumed: 72–180 h"),
        "": rel(0.5, 2.0, "discharge and import clearance 24–96 h, assumed"),
    },
    "est_bcp_dwell_gauge": {
        "dwell_hours_p95": rel(0.72, 1.67, "p95 assumed 1.8 × mean: 52–120 h"),
        "": rel(
            0.6,
            1.3,
            "the reference's own range 24–52 h (gaps_emissions_tariffs §3: CPMM "
            "annual means 39.9–51.9 h, Dostyk processing alone 4.25 h)",
            distribution="uniform",
        ),
    },
    "est_bcp_dwell_same": {
        "dwell_hours_p95": rel(0.5, 2.0, "assumed: 12–48 h"),
        "": rel(
            0.5,
            3.0,
            "the reference's own range 4–24 h (gaps_emissions_tariffs §3)",
            distribution="uniform",
        ),
    },
    "est_bcp_dwell_az_ge": {
        "dwell_hours_p95": rel(0.5, 4.0, "assumed: 12–96 h (the mean may reach 55 h)"),
        "": rel(
            0.5,
            55 / 8,
            "4–55 h: the same-gauge low, up to the 54.9 h of the road crossing on the same "
            "border (Tsiteli Khidi, CPMM 2023)",
        ),
    },
    "est_bcp_fee": {
        "": rel(0.8, 1.6, "CPMM USD 178–215 per sample ÷ 12.5–25 t per consignment: USD 8.6–17/t"),
    },
    "est_handling_container": {
        "": rel(
            0.8,
            1.5,
            "THC USD 160–300/TEU ÷ 20 t: the brief's range 8–15 for 10 "
            "(gaps_emissions_tariffs §2: no THC figure found)",
        ),
    },
    "est_handling_bulk": {
        "": rel(0.6, 1.6, "stevedoring rates assumed, none retrieved: −40 %/+60 %"),
    },
    "est_handling_liquid": {
        "": rel(0.5, 1.75, "terminal rates assumed, none retrieved: −50 %/+75 %"),
    },
    "est_handling_class7": {
        "": rel(0.6, 1.8, "class 7 surveys and surcharges assumed: −40 %/+80 %"),
    },
    "est_rail_tariff_ktz": {
        "": rel(
            0.8,
            1.25,
            "the source's own range USD 0.016–0.025 per t-km (revenue ÷ t-km "
            "2023 to the 2022 grain tariff plus the 2025 rises)",
            distribution="uniform",
        ),
    },
    "est_rail_tariff_rzd": {
        "": rel(
            0.35,
            1.25,
            "USD 0.016–0.055 per t-km: container through rates on the "
            "Northern route imply 0.012–0.016 (EY/World Bank), KTZ's top 0.025 × 2.2 "
            "gives 0.055",
        ),
    },
    "est_rail_tariff_cr": {
        "": rel(
            0.6,
            1.6,
            "USD 0.015–0.040 per t-km: Argus China→Aktau 40HQ less the "
            "Kazakh share gives 0.035–0.040 westbound headhaul; eastbound backhaul "
            "at 40–100 % of it",
        ),
    },
    "est_rail_tariff_gr": {
        "": rel(
            0.7,
            1.5,
            "USD 123 per container over 250–450 km at 18–24 t (the "
            "distance and payload are assumed): ×0.7–1.5",
        ),
    },
    "est_rail_tariff_ady_tcdd": {
        "": rel(
            0.6,
            1.75,
            "no ADY or TCDD rate found, KTZ's estimate taken: widened to "
            "USD 0.012–0.035 per t-km (±40–75 %)",
        ),
    },
    "est_rail_tariff_tm_ir": {
        "": rel(
            0.5,
            1.5,
            "Iran's proposed USD 120/t fee over ~4,700 km, TRK's temporary 0.5 "
            "coefficient not applied: ±50 %",
        ),
    },
    "est_road_tariff": {
        "": rel(
            0.67,
            1.5,
            "USD 0.04–0.09 per t-km: truck rates of USD 0.8–1.8 per truck-km for 20 t (assumed)",
        ),
    },
    "est_ferry_tariff": {
        "": rel(
            0.7,
            1.3,
            "±30 % stated in the source method (Kuryk→Iran ro-ro USD "
            "1,600–1,700 per truck scaled by distance; no per-wagon rate found)",
        ),
    },
    "est_feeder_tariff": {
        "": rel(0.6, 1.4, "±40 % stated in the source method (no feeder rate found)"),
    },
    "est_caspian_tanker_tariff": {
        "": rel(
            0.8,
            1.4,
            "Black Sea coaster analogue USD 17–23/t widened for the Caspian's "
            "small fleet: USD 16–28/t",
        ),
    },
    "est_t_per_teu_20": {
        "capacity": rel(
            0.8,
            1.175,
            "a TEU capacity or use × 16–23.5 t net per TEU around the 20 t convention",
        ),
        "used": rel(
            0.8,
            1.175,
            "a TEU capacity or use × 16–23.5 t net per TEU around the 20 t convention",
        ),
        "": rel(
            0.85,
            1.25,
            "16–23.5 t net per TEU around the 20 t convention "
            "(per-tonne box costs scale inversely)",
        ),
    },
    "est_sea_cn_jp_ctr": {
        "": rel(
            0.75,
            1.35,
            "SCFI Shanghai→Japan moved by about ±30 % over 2024–25; Shanghai "
            "stands in for Lianyungang and Tianjin",
        ),
    },
    "est_sea_short_bulk": {
        "": rel(
            0.75,
            1.5,
            "analogues USD 15–30/t (Black Sea coaster 17–23, Kozmino→North China 15–30)",
            distribution="uniform",
        ),
    },
    "est_sea_med_jp_ctr": {
        "": rel(
            0.7,
            1.3,
            "the gaps sheet's own range USD 500–900/FEU via Suez (and 700–1,500 "
            "via the Cape) around the midpoint taken",
            distribution="uniform",
        ),
    },
    "est_sea_baltic_jp_ctr": {
        "": rel(
            0.6,
            1.4,
            "no quote found; Drewry WCI 475–677/FEU and a sanctions premium "
            "of ×1.2–2 assumed: ±40 %",
        ),
    },
    "est_sea_rufe_jp_ctr": {
        "": rel(
            0.6,
            1.4,
            "the gaps sheet's own range USD 300–700/TEU around 500",
            distribution="uniform",
        ),
    },
    "est_sea_bnd_jp_ctr": {
        "": rel(
            0.57,
            1.43,
            "the gaps sheet's own range USD 600–1,500/TEU around 1,050",
            distribution="uniform",
        ),
    },
    "est_tanker_cpc_jp": {
        "": rel(
            0.92,
            1.08,
            "the source's own range USD 6.4–7.5 m per 135 kt cargo",
            distribution="uniform",
        ),
    },
    "est_tanker_ceyhan_jp": {
        "": rel(
            0.9,
            1.1,
            "the gaps sheet's own range USD 45–55/t via Suez (60–65 via the Cape)",
            distribution="uniform",
        ),
    },
    "est_pipeline_tariff": {
        "": rel(
            0.5,
            2.0,
            "rule of thumb USD 1/bbl per ~500 km; CPC, KazTransOil and BTC "
            "tariffs not retrieved: ×0.5–2",
        ),
    },
    "est_emis_t_per_teu": {
        "": rel(
            0.5,
            1.1,
            "10 t per TEU convention; dense cargo at 12.5–20 t per TEU lowers "
            "the per-tonne intensity to 0.5–0.8 ×",
        ),
    },
    "est_pipeline_intensity": {
        "": rel(0.92, 1.08, "the source's own range 11–13 g/t-km", distribution="uniform"),
    },
    "est_u3o8_value": {
        "": rel(
            0.8,
            1.06,
            f"U3O8 USD 64–85/lb: the 2025 low (64.23, Mar) to the 2024 average "
            f"(~85) ({GAPS_RISK} §4)",
            distribution="uniform",
        ),
    },
    "est_reo_value": {
        "": rel(
            0.72,
            1.64,
            f"NdPr oxide USD 54–123/kg: the 2024 average to the Feb 2026 high ({GAPS_RISK} §4)",
            distribution="uniform",
        ),
    },
    "est_cpc_blend_value": {
        "": rel(
            0.8,
            1.17,
            "Brent USD 55–80/bbl: the 2026 EIA forecast to the 2024 average, "
            "less the CPC differential",
            distribution="uniform",
        ),
    },
    "est_gas_value": {
        "": rel(0.6, 1.5, "border price USD 5–12/MMBtu assumed"),
    },
    "est_cargo_value_generic": {
        "": rel(
            0.4,
            3.0,
            "generic metal products USD 2,000–15,000/t (ferroalloys far less, "
            "beryllium products far more)",
        ),
    },
    "est_kz_tariff_group": {
        "": rel(
            0.8,
            1.0,
            "the source's own range: ×2.5 (2025 proposal) to ×3.1 (April 2026 application) for "
            "non-ferrous ore, ×2.1–3.1 where the cargo group is an assignment (taken as "
            "−20 %/0 % of the multiple)",
            distribution="uniform",
        ),
    },
    "est_class7_permit_lead": {
        "": rel(
            0.47,
            2.0,
            "the source's own ranges: 14–60 d around 30 (Azerbaijan, Georgia), 30–120 d around "
            "60 (China)",
            shared=False,
        ),
    },
    "est_t_per_feu": {
        "": rel(
            0.95,
            1.1,
            "24–28 t per FEU around 26.5 (the source's range; per-tonne box rates scale inversely)",
        ),
    },
    "est_sea_poti_jp_ctr": {
        "": rel(
            0.68,
            1.32,
            "the source's own range USD 1,000–1,950/FEU around 1,475 (backhaul at 40–70 % of "
            "the Argus Shanghai→Poti headhaul)",
            distribution="uniform",
        ),
    },
    "est_bs_feeder": {
        "": rel(
            0.42,
            1.7,
            "the source's own range USD 300–1,200/FEU around 700",
            distribution="uniform",
        ),
    },
    "est_insurance": {
        "": rel(
            0.67,
            2.0,
            "the quoted range 0.10–0.30 % (0.3–0.5 % for class 7) around the rate taken",
            distribution="uniform",
        ),
    },
    "est_freight_factor_class7": {
        # class-7-only charter links store their computed cost ÷ 1.5 (bookkeeping, exact):
        # the uncertainty of that figure is the charter computation's
        "tariff": rel(
            0.85,
            1.5,
            "charter cost computed from a hire of USD 8–12k/day (the gaps sheet's range) and the "
            "sheet's USD 400–700/t Poti→Japan via the Cape, of which ≈470 is taken: −15 %/+50 %; "
            "the ÷ 1.5 of the stored figure is bookkeeping and exact",
            source="est_class7_charter",
        ),
        "": rel(
            0.8, 1.33, "the source's own range × 1.2–2.0 on class 7 tariffs", distribution="uniform"
        ),
    },
    "est_war_risk_cargo": {
        "": rel(
            0.5,
            1.5,
            "the gaps sheet's own range 0.05–0.15 % of CIF × 110 %",
            distribution="uniform",
        ),
    },
    "est_risk_sheet_1b": {
        "capacity_loss": rel(
            0.6, 1.4, "stated or estimated share of capacity lost: ±40 %", shared=False
        ),
        "": rel(
            0.5,
            2.0,
            "few events in a short window (the source method: ranges are wide): ×0.5–2",
            shared=False,
        ),
    },
    "est_risk_assumed": {
        "": rel(0.25, 3.0, "no event found, a low rate assumed: ×0.25–3", shared=False),
    },
    "est_event_spread": {
        "": rel(
            0.67,
            1.5,
            "p95 at the top of the reference's range or 3 × the median, assumed: ×0.67–1.5",
            shared=False,
        ),
    },
    "est_caspian_ferry_use": {
        "": rel(0.75, 1.5, "the source's own range 1.2–2.4 Mt around 1.6 Mt", shared=False),
    },
    "est_dostyk_use": {
        "": rel(0.81, 1.22, "the source's own range 12–18 Mt around 14.8 Mt", shared=False),
    },
    "est_khorgos_use": {
        "": rel(0.66, 1.6, "the source's own range 3.3–8 Mt around 5 Mt", shared=False),
    },
    "est_poti_capacity": {
        "": rel(
            0.914, 1.143, "the source's own range 640,000–800,000 TEU around 700,000", shared=False
        ),
    },
    "est_poti_expansion": {
        "": rel(0.85, 1.15, "the added 6 Mt/yr ±50 % (one berth pair's size is not stated)"),
    },
    "est_class7_capacity": {
        "": rel(0.5, 1.5, "the source's own range ±50 % (permits, carrier acceptance)"),
    },
    "est_event_compound": {
        "": rel(0.5, 2.0, "rates of the driving event, few occurrences: ×0.5–2", shared=False),
    },
}

# coordinates: absolute spreads in km, converted to degrees
COORD_KM = {
    "ref_coord_estimates": (
        50.0,
        "positions from stated distance and direction or a nearby "
        "town: ±10–50 km (source method), taken as ±50 km",
    ),
    "est_coords_analyst": (30.0, "analyst geography: ±10–30 km (source method), taken as ±30 km"),
    "est_chokepoint_markers": (100.0, "the centre of a strait or sea area: ±100 km"),
}


def _rule(source: str, column: str) -> Rule | None:
    rules = RULES.get(source)
    if rules is None:
        return None
    for prefix in sorted(rules, key=len, reverse=True):
        if column.startswith(prefix):
            return rules[prefix]
    return None


def _row(table: str, record: object, column: str, value: float, estimated: list[str]) -> list[str]:
    """One ranges row for a figure resting on the ``estimated`` sources."""
    col = next(c for c in schema()[table] if c.name == column.partition(":")[0])
    lo_b, hi_b = col.bounds
    if column in ("lat", "lon"):
        src = next(s for s in estimated if s in COORD_KM)
        km, why = COORD_KM[src]
        lat = float(getattr(record, "lat", 0.0) or 0.0)
        deg = km / KM_PER_DEG / (math.cos(math.radians(lat)) if column == "lon" else 1.0)
        low, high, dist, shared, whys, srcs = (
            value - deg,
            value + deg,
            "uniform",
            False,
            [why],
            [src],
        )
    else:
        rules = [(s, r) for s in estimated if (r := _rule(s, column)) is not None]
        if not rules:
            raise SystemExit(f"no rule for {table} {record.id} {column} ({estimated})")  # type: ignore[attr-defined]
        down = math.sqrt(sum((1 - r.lo) ** 2 for _, r in rules))
        up = math.sqrt(sum((r.hi - 1) ** 2 for _, r in rules))
        low, high = value * max(0.0, 1 - down), value * (1 + up)
        dist = rules[0][1].distribution if len(rules) == 1 else "triangular"
        shared = all(r.shared for _, r in rules)
        whys = [r.why for _, r in rules]
        srcs = [r.source or s for s, r in rules]
        if len(rules) > 1:
            whys.append("spreads added in quadrature")
    if lo_b is not None:
        low = max(low, lo_b)
    if hi_b is not None:
        high = min(high, hi_b)
    factor = f"{'+'.join(srcs)}:{column}" if shared else ""
    rid = record.id  # type: ignore[attr-defined]
    return [
        table,
        rid,
        column,
        _fmt(min(low, value)),
        _fmt(max(high, value)),
        dist,
        factor,
        "; ".join(whys),
        "|".join(srcs),
    ]


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep rows already in the file")
    args = parser.parse_args()
    path = bundled_data_dir() / "ranges.csv"
    kept: dict[tuple[str, str, str], list[str]] = {}
    if args.keep and path.exists():
        with path.open(encoding="utf-8") as f:
            for r in list(csv.reader(f))[1:]:
                kept[(r[0], r[1], r[2])] = r
    before = path.read_text(encoding="utf-8") if path.exists() else None
    path.unlink(missing_ok=True)  # the network loads without the ranges being remade
    try:
        out = _ranges(load_network(), kept)
    except BaseException:
        if before is not None:  # a missing rule leaves the file as it was
            path.write_text(before, encoding="utf-8")
        raise
    header = [
        "table",
        "record",
        "column",
        "low",
        "high",
        "distribution",
        "factor",
        "method",
        "sources",
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(out)
    print(f"wrote {len(out)} ranges to {path}", file=sys.stderr)
    return 0


def _ranges(net: Network, kept: dict[tuple[str, str, str], list[str]]) -> list[list[str]]:
    kind = {s.id: s.kind for s in net.sources}
    out: list[list[str]] = []
    for table in ("emission_factors", "exposures", "commodities", "nodes", "links", "events",
                  "regimes", "capacities"):  # fmt: skip
        for record in getattr(net, table):
            for column, ids in record.sources.items():
                estimated = [s for s in ids if kind[s] == "estimated"]
                if not estimated:
                    continue
                figures = getattr(record, column, None)
                entries = (
                    [(f"{column}:{k}", float(v)) for k, v in figures.items()]
                    if isinstance(figures, Mapping)
                    else [(column, _value(record, column))]
                )
                for name, value in entries:
                    key = (table, record.id, name)
                    out.append(kept.get(key) or _row(table, record, name, value, estimated))
    return out


def _value(record: object, column: str) -> float:
    """A figure as the table states it (handling costs are kept per cargo class)."""
    if column.startswith("handling_usd_per_t_"):
        return float(record.handling_usd_per_t[column.rsplit("_", 1)[1]])  # type: ignore[attr-defined]
    v = getattr(record, column)
    return float(v)


if __name__ == "__main__":
    raise SystemExit(main())
