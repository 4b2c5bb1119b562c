"""The ranges table: every estimate has one, and a range that cannot hold is refused."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from corridor.errors import DataError
from corridor.network import load_network

from .conftest import write_ranges


def test_every_estimated_figure_of_the_bundled_tables_has_a_range():
    net = load_network()
    kind = {s.id: s.kind for s in net.sources}
    missing = [
        (table, r.id, col)
        for table in (
            "emission_factors",
            "exposures",
            "commodities",
            "nodes",
            "links",
            "events",
            "regimes",
            "capacities",
        )
        for r in getattr(net, table)
        for col, ids in r.sources.items()
        if any(kind[s] == "estimated" for s in ids)
        for key in _figures(table, r, col)
        if key not in net.ranges
    ]
    assert not missing, f"{len(missing)} estimated figures without a range, e.g. {missing[:5]}"
    for r in net.ranges.values():
        assert r.method and r.sources, r.key


def _figures(table, record, column):
    """The figure keys of one cell: one, or one per entry of a KEY=number list."""
    value = getattr(record, column, None)
    if isinstance(value, Mapping):
        return [(table, record.id, f"{column}:{k}") for k in value]
    return [(table, record.id, column)]


def test_ranges_are_typed_and_contain_their_figure(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100", "triangular", "sea"]])
    net = load_network(tiny_copy)
    r = net.ranges[("links", "L6", "tariff_usd_per_t")]
    assert (r.low, r.high, r.distribution, r.factor, r.sources) == (
        20.0,
        100.0,
        "triangular",
        "sea",
        ("hand",),
    )
    assert r.low <= net.link("L6").tariff_usd_per_t <= r.high


def test_the_data_version_changes_with_the_ranges(tiny_copy: Path):
    from corridor.store import inputs_hash

    bare = load_network(tiny_copy).data_version
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "100"]])
    wide = load_network(tiny_copy).data_version
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "30", "100"]])
    narrower = load_network(tiny_copy).data_version
    assert len({bare, wide, narrower}) == 3
    assert load_network(tiny_copy).data_version == narrower  # same tables, same version
    # a stored run's inputs hash follows: a band computed on other ranges is another run
    assert inputs_hash("capacity", {}, wide) != inputs_hash("capacity", {}, narrower)


def test_a_folder_without_ranges_loads_with_none(tiny):
    assert dict(tiny.ranges) == {}


def test_bad_ranges_are_refused_with_file_row_and_column(tiny_copy: Path):
    write_ranges(
        tiny_copy,
        [
            ["links", "L6", "tariff_usd_per_t", "50", "100"],  # does not contain 40
            ["links", "NOPE", "tariff_usd_per_t", "1", "2"],
            ["links", "L6", "mode", "1", "2"],
            ["links", "L5", "tariff_usd_per_tkm", "0.03", "0.01"],  # low > high
            ["links", "L6", "tariff_usd_per_t", "10", "60"],  # second range of one figure
            ["exposures", "SUEZ", "capacity_loss", "0.5", "1.5"],  # above the column's 0..1
            ["places", "L6", "distance_km", "1", "2"],
        ],
    )
    with pytest.raises(DataError) as info:
        load_network(tiny_copy)
    problems = {(Path(p.file).name, p.row, p.column) for p in info.value.problems}
    text = str(info.value)
    assert ("ranges.csv", 2, "low") in problems
    assert "range 50..100 does not contain the figure 40 of links.csv row L6" in text
    assert ("ranges.csv", 3, "record") in problems
    assert "'NOPE' is not an id in links.csv" in text
    assert ("ranges.csv", 4, "column") in problems
    assert "'mode' is not a figure of links.csv" in text
    assert ("ranges.csv", 5, "high") in problems
    assert "high 0.01 is below low 0.03" in text
    assert ("ranges.csv", 6, "column") in problems
    assert "a second range for links/L6/tariff_usd_per_t (also on row 2)" in text
    assert ("ranges.csv", 7, "high") in problems
    assert ("ranges.csv", 8, "table") in problems


def test_unknown_source_and_blank_figure_are_refused(tiny_copy: Path):
    write_ranges(
        tiny_copy,
        [
            ["links", "L6", "tariff_usd_per_t", "20", "60", "uniform", "", "m", "nobody"],
            ["links", "L6", "capacity_t_per_year", "1", "2"],  # the cell is blank
        ],
    )
    with pytest.raises(DataError) as info:
        load_network(tiny_copy)
    text = str(info.value)
    assert "'nobody' is not an id in sources.csv" in text
    assert "has no capacity_t_per_year figure to range" in text


def test_an_overlay_replaces_a_range_by_its_figure(tiny_copy: Path, tmp_path: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "20", "60"]])
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    write_ranges(overlay, [["links", "L6", "tariff_usd_per_t", "30", "45"]])
    net = load_network(tiny_copy, overlay)
    assert len(net.ranges) == 1
    assert net.ranges[("links", "L6", "tariff_usd_per_t")].high == 45.0


def test_validate_command_exits_2_on_a_bad_range(tiny_copy: Path):
    write_ranges(tiny_copy, [["links", "L6", "tariff_usd_per_t", "50", "100"]])
    p = subprocess.run(
        [sys.executable, "-m", "corridor", "network", "validate", str(tiny_copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2
    assert "ranges.csv, row 2, column low" in p.stderr
    assert "Traceback" not in p.stderr
