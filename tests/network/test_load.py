"""Loading and validating network tables: good data loads, bad data fails with every problem."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import DataError
from corridor.network.load import load_network, parse_provenance
from corridor.network.schema import EXTRA_TABLES, TABLES, schema
from tests.conftest import TINY


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _set(folder: Path, table: str, row_id: str, column: str, value: str) -> None:
    rows = _rows(folder / f"{table}.csv")
    for r in rows:
        if r["id"] == row_id:
            r[column] = value
    _write(folder / f"{table}.csv", rows)


def test_tiny_network_loads(tiny):
    assert [n.id for n in tiny.nodes][:2] == ["MINE", "HUB"]
    link = tiny.link("L3")
    assert (link.from_, link.to, link.mode, link.gauge_mm) == ("BORDER_A", "PORT_C", "rail", 1435)
    assert link.capacity_t_per_year == 500_000
    assert link.countries == ("KZ", "CN")
    assert tiny.node("BORDER_A").handling_usd_per_t["class7"] == 20
    assert tiny.node("DEST").name_ja == "目的港"
    # geometry defaults to the straight line between the end nodes (lon, lat)
    assert link.geometry == ((82.0, 45.0), (119.0, 34.0))


def test_exposure_probability_and_days(tiny):
    cn = tiny.exposure("CN")
    assert cn.annual_probability == pytest.approx(1 - 2.718281828459045**-0.2)
    assert cn.disrupted_days_per_year == pytest.approx(0.2 * 10 * 1)


def test_provenance_expansion():
    prov = parse_provenance("a|b=s1+s2;s3", ["a", "b", "c"])
    assert prov == {"a": ("s1", "s2"), "b": ("s1", "s2"), "c": ("s3",)}
    with pytest.raises(ValueError, match="not a sourced column"):
        parse_provenance("zz=s1", ["a"])


def test_every_problem_is_listed_with_file_row_and_column(tiny_copy):
    _set(tiny_copy, "nodes", "HUB", "lat", "95")
    _set(tiny_copy, "links", "L2", "distance_km", "-3")
    _set(tiny_copy, "links", "L4", "mode", "zeppelin")
    _set(tiny_copy, "links", "L5", "to", "NOWHERE")
    _set(tiny_copy, "nodes", "PORT_C", "country", "XX")
    with pytest.raises(DataError) as info:
        load_network(tiny_copy)
    text = str(info.value)
    problems = {(Path(p.file).name, p.row, p.column) for p in info.value.problems}
    assert ("nodes.csv", 3, "lat") in problems
    assert ("links.csv", 3, "distance_km") in problems
    assert ("links.csv", 5, "mode") in problems
    assert ("links.csv", 6, "to") in problems
    assert ("nodes.csv", 5, "country") in problems
    assert "95 is above the maximum 90" in text
    assert "'zeppelin' is not one of rail" in text
    assert "'NOWHERE' is not an id in nodes.csv" in text


def test_figure_without_source_is_rejected(tiny_copy):
    rows = _rows(tiny_copy / "links.csv")
    rows[0]["sources"] = "transit_days=hand"  # distance_km etc. now have no source
    _write(tiny_copy / "links.csv", rows)
    with pytest.raises(DataError, match="figure has no source"):
        load_network(tiny_copy)


def test_unknown_source_id_and_estimate_without_method(tiny_copy):
    _set(tiny_copy, "links", "L1", "sources", "nobody")
    _set(tiny_copy, "sources", "hand", "method", "")
    with pytest.raises(DataError) as info:
        load_network(tiny_copy)
    text = str(info.value)
    assert "'nobody' is not an id in sources.csv" in text
    assert "estimated sources need a method" in text


def test_duplicate_ids_missing_and_unknown_columns(tiny_copy):
    rows = _rows(tiny_copy / "links.csv")
    rows.append(dict(rows[0]))
    _write(tiny_copy / "links.csv", rows)
    text = (tiny_copy / "nodes.csv").read_text().replace("name_ja", "nickname", 1)
    (tiny_copy / "nodes.csv").write_text(text)
    with pytest.raises(DataError) as info:
        load_network(tiny_copy)
    msg = str(info.value)
    assert "duplicate id 'L1' (also on row 2)" in msg
    assert "nickname: unknown column" in msg


def test_malformed_csv_and_missing_file(tiny_copy):
    (tiny_copy / "exposures.csv").write_text('id,kind\n"KZ,country\n')
    (tiny_copy / "sources.csv").unlink()
    with pytest.raises(DataError) as info:
        load_network(tiny_copy)
    msg = str(info.value)
    assert "sources.csv: file is missing" in msg
    assert "exposures.csv" in msg


def test_rail_gauge_rules(tiny_copy):
    _set(tiny_copy, "links", "L2", "gauge_mm", "")
    _set(tiny_copy, "links", "L3", "gauge_mm", "1520")  # PORT_C has only 1435 mm track
    with pytest.raises(DataError) as info:
        load_network(tiny_copy)
    msg = str(info.value)
    assert "rail links need a gauge" in msg
    assert "node PORT_C has no 1520 mm track" in msg


def test_overlay_adds_and_replaces_rows(tiny_copy, tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    rows = _rows(tiny_copy / "links.csv")
    faster = dict(rows[2], transit_days="2", transit_days_p95="3")
    _write(overlay / "links.csv", [faster])
    net = load_network(TINY, overlay)
    assert net.link("L3").transit_days == 2
    assert len(net.links) == len(rows)
    assert "overlay" in net.origin


def test_overlay_problems_name_the_overlay_file(tmp_path):
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "nodes.csv").write_text(
        "id,name_en,country,kind,lat,lon,cargo_classes,sources\n"
        "NEW,New,KZ,seaport,100,50,container,hand\n"
    )
    with pytest.raises(DataError) as info:
        load_network(TINY, overlay)
    assert any(
        p.file.endswith("overlay/nodes.csv") and p.row == 2 and p.column == "lat"
        for p in info.value.problems
    )


def test_schema_covers_every_table():
    cols = schema()
    assert set(cols) == {*TABLES, *EXTRA_TABLES}
    for table, columns in cols.items():
        # the record tables lead with their id; the ranges table is keyed by its figure
        assert columns[0].name == ("id" if table in TABLES else "table"), table
        assert all(c.description for c in columns)


NUMERIC = [
    (c.table, c.name)
    for t in ("nodes", "links")
    for c in schema()[t]
    if c.type == "float" and c.bounds[0] == 0
]
GARBAGE = st.one_of(
    st.sampled_from(["-1", "abc", "nan", "inf", "1e999", "--", "1,5", "NaN"]),
    st.floats(max_value=-1e-6, allow_nan=False, allow_infinity=False).map(repr),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(target=st.sampled_from(NUMERIC), value=GARBAGE, row=st.integers(0, 4))
def test_broken_numbers_are_reported_at_their_cell(tiny_copy, target, value, row):
    table, column = target
    path = tiny_copy / f"{table}.csv"
    original = path.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(original)))
    rows[row][column] = value
    _write(path, rows)
    try:
        with pytest.raises(DataError) as info:
            load_network(tiny_copy)
        assert any(
            p.row == row + 2 and p.column == column and p.file == str(path)
            for p in info.value.problems
        ), str(info.value)
    finally:
        path.write_text(original, encoding="utf-8")


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.sampled_from('ab,"\n\r;|=1x'), max_size=60))
def test_arbitrary_text_never_escapes_as_a_crash(tiny_copy, text):
    path = tiny_copy / "commodities.csv"
    original = path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    try:
        with pytest.raises(DataError):
            load_network(tiny_copy)
    finally:
        path.write_text(original, encoding="utf-8")


def test_docs_follow_the_schema():
    from corridor.network.schema import schema_markdown

    docs = Path(__file__).parents[2] / "docs" / "data.md"
    assert docs.read_text(encoding="utf-8") == schema_markdown(), (
        "docs/data.md is stale: run `corridor network schema > docs/data.md`"
    )
