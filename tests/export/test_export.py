"""Exports a memo can attach: CSV, XLSX (read back with openpyxl) and Parquet (pyarrow), from
the command line and the API, for every kind of result."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest

import corridor
from corridor.analysis.queries import default_network
from corridor.errors import RequestError
from corridor.export import export, export_bytes, header, localised_tables, tables_of, unit_of
from corridor.network.names import place_name

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = str(ROOT / "examples" / "contracts.yaml")
UOC = ["--commodity", "uranium_ore_concentrate", "--origin", "KZ_NORTH_KHARASAN"]
YOK = ["--destination", "JP_YOKOHAMA"]


def cli(*args: str, store: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CORRIDOR_DATA"}
    if store is not None:
        env["CORRIDOR_STORE"] = str(store)
    return subprocess.run(
        [sys.executable, "-m", "corridor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


def test_units_from_column_names():
    assert unit_of("cost_usd_per_t") == "USD/t"
    assert unit_of("premium_usd_per_year") == "USD/yr"
    assert unit_of("totals.days_p95") == "days"
    assert unit_of("capacity_t_per_year") == "t/yr"
    assert unit_of("family") == ""


def test_compare_xlsx_from_the_cli_reads_back(tmp_path: Path):
    out = tmp_path / "uoc.xlsx"
    p = cli("compare", *UOC, *YOK, "--volume", "1000", "--format", "xlsx", "--output", str(out))
    assert p.returncode == 0, p.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["routes", "premium", "summary", "sources"]
    head = [c.value for c in wb["routes"][1]]
    assert "cost_usd_per_t [USD/t]" in head and "days_p95 [days]" in head
    rows = [dict(zip(head, (c.value for c in r), strict=True)) for r in wb["routes"].iter_rows(2)]
    result = corridor.compare(
        "uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", volume=1000
    )
    assert [r["route"] for r in rows] == [r.label for r in result.routes]
    assert rows[0]["cost_usd_per_t [USD/t]"] == round(result.routes[0].cost_usd_per_t, 2)
    assert rows[0]["gateways"] == "|".join(result.routes[0].gateways)  # ids in a column
    assert "approval" in next(r["conditions"] for r in rows if r["family"] == "china")
    cited = {s for r in result.routes for s in r.sources}
    sources = [r[0].value for r in wb["sources"].iter_rows(2)]
    assert set(sources) == cited  # the sheet lists exactly the sources the result cites
    premium = {r[0].value: r for r in wb["premium"].iter_rows(2)}
    assert set(premium) == {"avoid China", "avoid Russia", "avoid China and Russia"}


def test_binary_format_without_output_is_refused_before_work():
    p = cli("compare", *UOC, *YOK, "--format", "xlsx")
    assert p.returncode == 2
    assert "give an output file FILE.xlsx" in p.stderr and "Traceback" not in p.stderr
    assert p.stdout == ""  # nothing computed or printed


def test_stress_csv_works(tmp_path: Path):
    p = cli("stress", CONTRACTS, "--years", "500", "--format", "csv", "--no-store")
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(io.StringIO(p.stdout)))
    assert {r["id"] for r in rows} >= {"reo_sareco", "uoc_kharasan"}
    assert all(0 <= float(r["delivered_share"]) <= 1 for r in rows)


def test_plan_parquet_tables_equal_the_json(tmp_path: Path):
    out = tmp_path / "plan.parquet"
    p = cli("plan", CONTRACTS, "--format", "parquet", "--output", str(out), "--no-store")
    assert p.returncode == 0, p.stderr
    j = cli("plan", CONTRACTS, "--format", "json", "--no-store")
    data = json.loads(j.stdout)
    contracts = pq.read_table(out).to_pylist()
    assert [c["contract"] for c in contracts] == [c["contract"] for c in data["contracts"]]
    flows = pq.read_table(tmp_path / "plan.flows.parquet").to_pylist()
    assert sum(f["t_per_year"] for f in flows) == pytest.approx(
        sum(f["t_per_year"] for f in data["flows"])
    )


def test_every_result_kind_cuts_into_tables(tmp_path: Path):
    net = default_network()
    rs = corridor.routes("rare_earth_concentrate", "KZ_ZHANA_KZ", "JP_YOKOHAMA", k=3)
    t = tables_of(rs)
    assert t.main == "routes" and len(t.tables["routes"]) == 3
    assert [r["route"] for r in t.tables["routes"]] == [r.row()["route"] for r in rs.routes]
    # the JSON as the API returns it gives the same tables as the result object
    assert tables_of(rs.to_dict()).tables["routes"] == t.tables["routes"]
    text, files = export(rs, "csv", None, net)
    assert text is not None and text.splitlines()[0].startswith("route,route_ja,gateways")
    assert files == []
    body, name = export_bytes(rs, "parquet", net, "routes")
    assert name == "routes.parquet" and pq.read_table(io.BytesIO(body)).num_rows == 3
    with pytest.raises(RequestError, match="table must be one of"):
        export_bytes(rs, "csv", net, "routes", table="nope")
    with pytest.raises(RequestError, match="give an output file"):
        export(rs, "xlsx", None, net)


def test_runs_list_exports(tmp_path: Path):
    store = tmp_path / "runs.duckdb"
    assert cli("capacity", *UOC, *YOK, "--family", "china", store=store).returncode == 0
    out = tmp_path / "runs.xlsx"
    p = cli("runs", "list", "--format", "xlsx", "--output", str(out), store=store)
    assert p.returncode == 0, p.stderr
    ws = openpyxl.load_workbook(out)["runs"]
    head = [c.value for c in ws[1]]
    (row,) = list(ws.iter_rows(2, values_only=True))
    run = dict(zip(head, row, strict=True))
    assert run["kind"] == "capacity" and run["id"].startswith("capacity-")
    from corridor.optimize.maxflow import max_flow

    expected = max_flow(
        "uranium_ore_concentrate",
        ["KZ_NORTH_KHARASAN"],
        ["JP_YOKOHAMA"],
        families=["china"],
        network=default_network(),
    )
    assert run["headline.max_t_per_year [t/yr]"] == pytest.approx(expected.max_t_per_year)


def test_japanese_workbook_names_sheets_and_routes_in_japanese(tmp_path: Path):
    out = tmp_path / "uoc-ja.xlsx"
    p = cli("compare", *UOC, *YOK, "--lang", "ja", "--format", "xlsx", "--output", str(out))
    assert p.returncode == 0, p.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["経路", "回避プレミアム", "概要", "出典"]
    ws = wb["経路"]
    head = [c.value for c in ws[1]]
    assert head[:2] == ["経路", "経路（英語）"]
    assert "費用 [USD/t]" in head and "日数（p95） [日]" in head and "途絶日数 [日/年]" in head
    assert [c.comment.text for c in ws[1]][:5] == [
        "route",
        "route_en",
        "gateways",
        "family",
        "cost_usd_per_t",
    ]  # the column ids on hover
    result = corridor.compare("uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA")
    rows = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert [r["経路"] for r in rows] == [r.label_ja for r in result.routes]
    assert [r["費用 [USD/t]"] for r in rows] == [
        pytest.approx(r.cost_usd_per_t, abs=0.01) for r in result.routes
    ]
    assert rows[0]["通過国"] == "カザフスタン|中国|日本" and rows[0]["経路系統"] == "中国経由"
    assert "承認" in rows[0]["条件"] and "approval" in rows[0]["条件（英語）"]
    premium = list(wb["回避プレミアム"].iter_rows(values_only=True))
    assert premium[1][0] == "中国回避" and premium[1][2] == result.routes[1].label_ja
    assert premium[3][1] == "中国|ロシア"  # the avoided countries by name
    sources = [c.value for c in wb["出典"][1]]
    assert sources == ["ID", "種別", "年", "出典", "URL", "方法"]
    summary = dict(wb["概要"].iter_rows(min_row=2, values_only=True))
    origin = place_name(default_network().node("KZ_NORTH_KHARASAN"), "ja")
    assert summary["条件 / 出発地"] == f"{origin} (KZ_NORTH_KHARASAN)" and "ハラサン" in origin
    csv_ja = cli("compare", *UOC, *YOK, "--lang", "ja", "--format", "csv")
    assert csv_ja.returncode == 0, csv_ja.stderr
    first = next(csv.reader(io.StringIO(csv_ja.stdout)))
    assert first[:2] == ["経路", "経路（英語）"] and "費用 [USD/t]" in first
    assert cli("compare", *UOC, *YOK, "--lang", "fr").returncode == 2


KANA_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.mark.parametrize(
    "golden", ["compare_ree", "routes_ree", "capacity_tc", "plan", "stress", "frontier", "whatif"]
)
def test_every_japanese_header_is_named(golden: str):
    """Each column of each result kind (as recorded by the goldens) has a Japanese name; only
    numeric path parts (quantiles) and acronyms may stay Latin."""
    text = (ROOT / "tests" / "golden" / f"{golden}.txt").read_text(encoding="utf-8")
    data = json.loads(text[text.index("{") :])
    tables = tables_of(data)
    net = default_network()
    names = {c.id: c.name_ja for c in net.commodities}
    unnamed = set()
    for rows in localised_tables(tables, None, "ja").values():
        for column in dict.fromkeys(k for r in rows for k in r):
            parts = header(column, "ja", names).split(" [")[0].split(" / ")
            unnamed |= {
                f"{column}:{p}" for p in parts if not KANA_KANJI.search(p) and not p[0].isdigit()
            }
    acronym = re.compile(r"^(C?VaR \d+%|ID|URL|P\d+)$")
    assert {u for u in unnamed if not acronym.match(u.split(":")[1])} == set(), sorted(unnamed)


def test_an_empty_runs_list_exports_an_empty_sheet(tmp_path: Path):
    """No run stored yet: the XLSX still opens, with an empty runs sheet (it used to fail
    on the header of a table without columns; found by schemathesis)."""
    out = tmp_path / "runs.xlsx"
    p = cli(
        "runs",
        "list",
        "--format",
        "xlsx",
        "--output",
        str(out),
        store=tmp_path / "r.duckdb",
    )
    assert p.returncode == 0, p.stderr
    wb = openpyxl.load_workbook(out)
    assert all(ws.max_row <= 1 and ws["A1"].value is None for ws in wb.worksheets[:1])


def test_compare_routes_sheet_carries_each_routes_risk_measures():
    """The comparison measures (docs/risk.md) sit on each route's row, not as a count of
    routes in the summary; the English sheets leave the API's Japanese reasons out."""
    from corridor.risk.measures import compare_measures

    net = default_network()
    result = corridor.compare(
        "uranium_ore_concentrate", "KZ_NORTH_KHARASAN", "JP_YOKOHAMA", network=net
    )
    m = compare_measures(net, result.routes)
    tables = tables_of(result)
    rows = tables.tables["routes"]
    for row, mine in zip(rows, m.routes, strict=True):
        assert row["expected_stockout_days"] == round(mine.stockout_days, 3)
        assert row["risk_events"] == "|".join(mine.events)
    fields = {r["field"] for r in tables.tables["summary"]}
    assert "risk_measures.routes" not in fields and "risk_measures.stock_days" in fields
    en = localised_tables(tables, net, "en")
    assert all("reason_ja" not in r for r in en["premium"])
    ja = localised_tables(tables, net, "ja")
    first = ja["routes"][0]["risk_events"].split("|")
    assert first == [net.event(e).name_ja for e in m.routes[0].events]


def test_japanese_plan_flows_name_routes_commodities_and_places():
    net = default_network()
    result = corridor.plan(ROOT / "examples" / "contracts.yaml", network=net)
    ja = localised_tables(tables_of(result), net, "ja")
    flow = ja["flows"][0]
    first = result.flows[0]
    assert flow["route"] == first.route.label_ja and flow["route_en"] == first.route.label
    assert flow["commodity"] == net.commodity(first.route.commodity).name_ja
    assert flow["origin"] == place_name(net.node(first.route.origin), "ja")


def _sheet(wb: openpyxl.Workbook, title: str) -> list[dict[str, object]]:
    rows = list(wb[title].iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(c is not None for c in r)]


def test_japanese_plan_workbook_names_capacities_in_japanese(tmp_path: Path):
    from corridor.optimize.capacity import capacities
    from corridor.report.plan import capacity_name

    net = default_network()
    result = corridor.plan(ROOT / "examples" / "contracts.yaml", network=net)
    data, _ = export_bytes(result, "xlsx", net, lang="ja")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    caps = capacities(net)
    used = {r["ID"]: r for r in _sheet(wb, "能力使用")}
    assert set(used) == {u.capacity.id for u in result.utilisation}
    for cap_id, row in used.items():  # the id in the ID column, the name in Japanese beside it
        assert row["名称"] == capacity_name(net, caps[cap_id], "ja") != caps[cap_id].name
    # nodes by place name, links by their ends, groups by the group's name (capacities.csv)
    assert used["CAP_AKTAU_DRY"]["名称"] == "アクタウ港" and used["CAP_AKTAU_DRY"]["種別"] == "地点"
    assert used["L_DOSTYK_ALASHANKOU"]["名称"] == "ドスティク国境駅 – 阿拉山口"
    assert used["L_DOSTYK_ALASHANKOU"]["種別"] == "区間"
    assert used["caspian_rail_ferry_fleet"]["名称"] == "カスピ海鉄道フェリー船隊"
    assert used["caspian_rail_ferry_fleet"]["種別"] == "区間群"
    # the tonnes per link: the link by its ends, its id in the ID column
    flows = {r["ID"]: r for r in _sheet(wb, "区間別輸送量")}
    assert set(flows) == set(result.link_flows)
    assert flows["L_DOSTYK_ALASHANKOU"]["区間"] == "ドスティク国境駅 – 阿拉山口"
    bindings = _sheet(wb, "制約")
    assert len(bindings) == len(result.bindings) > 0
    assert {r["種別"] for r in bindings} <= {"規則", "輸送能力"}
    assert {r["単位"] for r in bindings} <= {"USD/年（1ポイント当たり）", "USD/年（1 t/年当たり）"}
    # English keeps the capacities' own names and the words of the JSON
    en = openpyxl.load_workbook(io.BytesIO(export_bytes(result, "xlsx", net)[0]))
    rows = list(en["utilisation"].iter_rows(values_only=True))
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["CAP_AKTAU_DRY"][1:3] == ("node", caps["CAP_AKTAU_DRY"].name)
    assert {r[0] for r in list(en["binding_constraints"].iter_rows(values_only=True))[1:]} <= {
        "rule",
        "capacity",
    }


def test_stress_and_whatif_workbooks_follow_lang(tmp_path: Path):
    # the CLI passes --lang to the export: Japanese sheets, headers, kinds and units
    stress, whatif = tmp_path / "s.xlsx", tmp_path / "w.xlsx"
    scenario = str(ROOT / "examples" / "scenarios" / "dostyk_closed_60_days.yaml")
    for args, out in (
        (["stress", CONTRACTS, "--years", "20", "--no-store"], stress),
        (["whatif", scenario, "--contracts", CONTRACTS], whatif),
    ):
        p = cli(*args, "--lang", "ja", "--format", "xlsx", "--output", str(out), store=tmp_path)
        assert p.returncode == 0, p.stderr
    wb = openpyxl.load_workbook(stress)
    assert {"契約", "系統", "要因", "概要"} <= set(wb.sheetnames)
    contracts = _sheet(wb, "契約")
    assert {r["種別"] for r in contracts} == {"契約"}
    assert "reo_sareco" in {r["ID"] for r in contracts}  # the user's ids stay
    families = _sheet(wb, "系統")
    assert {r["種別"] for r in families} == {"系統"}
    assert {r["ID"]: r["名称"] for r in families}["trans_caspian"] == "カスピ海横断"
    deltas = _sheet(openpyxl.load_workbook(whatif), "差分")
    units = {r["数値"]: r["単位"] for r in deltas}
    assert units["費用"] == "USD/年" and units["輸送量"] == "t/年", units
    assert not {"USD/yr", "t/yr", "days"} & set(units.values())


def test_exposure_exports_xlsx_with_japanese_headers_and_names(tmp_path: Path):
    """The exposure index exports like every result (xlsx, parquet), and in Japanese its
    columns are named and its elements carry their Japanese names."""
    from corridor.cli.risk import _allocation
    from corridor.risk.exposure import exposure_index

    net = default_network()
    path = ROOT / "examples" / "splits" / "ree_5000_all_china.yaml"
    result = exposure_index(_allocation(path, net, False))
    ja = localised_tables(tables_of(result), net, "ja")
    unnamed = set()
    for rows in ja.values():
        for column in dict.fromkeys(k for r in rows for k in r):
            parts = header(column, "ja").split(" [")[0].split(" / ")
            unnamed |= {p for p in parts if not KANA_KANJI.search(p) and not p[0].isdigit()}
    assert unnamed <= {"ID", "URL", "TTR", "TTS"}, sorted(unnamed)
    first = ja["rows"][0]
    assert first["name"] == result.to_dict()["rows"][0]["name_ja"] and "name_ja" not in first
    res = cli("exposure", str(path), "--format", "xlsx", "--output", str(tmp_path / "x.xlsx"),
              "--lang", "ja", "--no-store")  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "に書き出しました" in res.stderr and "written" not in res.stderr  # in Japanese
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    assert wb.sheetnames[0] == "リスク露出指数" and wb.sheetnames[-1] == "出典"
