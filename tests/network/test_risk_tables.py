"""``risk_ttr.csv`` and ``risk_recovery.csv`` are network tables: declared in the schema,
overlaid, source-checked, in the data version, and a bad row is named by file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.errors import DataError
from corridor.network.load import load_network
from corridor.network.schema import schema
from corridor.risk.exposure import Element, time_to_recover, ttr_table_of
from corridor.risk.recovery import recovery_of

DOCS = Path(__file__).resolve().parents[2] / "docs" / "data.md"
TTR_HEAD = "id,element,kind,value,low,high,unit,sources,note\n"
REC_HEAD = "id,kind,key,to,value,low,high,unit,sources,note\n"


@pytest.fixture(scope="module")
def bundled():
    return load_network()


def _problems(overlay: Path) -> set[tuple[str, int | None, str | None]]:
    with pytest.raises(DataError) as info:
        load_network(overlay=overlay)
    return {(Path(p.file).name, p.row, p.column) for p in info.value.problems}


def test_bundled_tables_load_with_their_sources(bundled):
    assert {c.name for c in schema()["risk_ttr"]} >= {"element", "kind", "value", "sources"}
    rail = next(r for r in bundled.risk_ttr if (r.element, r.kind) == ("link", "rail"))
    assert rail.low <= rail.value <= rail.high and rail.sources["value"]
    rec = recovery_of(bundled)
    assert rec.lead_days("general", "china") == 7 and rec.spot_premium.value == 0.2
    assert rec.background["caspian_rail_ferry_fleet"].used_t_per_year.value == 3_500_000
    text = DOCS.read_text(encoding="utf-8")
    assert "### `risk_ttr.csv`" in text and "### `risk_recovery.csv`" in text


def test_an_overlay_replaces_a_row_and_changes_the_data_version(tmp_path, bundled):
    (tmp_path / "risk_ttr.csv").write_text(
        TTR_HEAD + "TTR_LINK_RAIL,link,rail,25,5,60,d,est_time_to_recover,longer\n",
        encoding="utf-8",
    )
    (tmp_path / "risk_recovery.csv").write_text(
        REC_HEAD + "RC_SPOT_PREMIUM,spot_premium,*,*,0.5,0.3,0.8,share,est_spot_premium,\n",
        encoding="utf-8",
    )
    net = load_network(overlay=tmp_path)
    assert len(net.risk_ttr) == len(bundled.risk_ttr)  # replaced, not added
    rail = time_to_recover(net, Element("L_X", "link", "rail", "x"), ttr_table_of(net))
    assert (rail.days, rail.low, rail.high) == (25.0, 5.0, 60.0)
    assert recovery_of(net).spot_premium.value == 0.5
    assert net.data_version != bundled.data_version


def test_bad_rows_are_named_by_file_row_and_field(tmp_path):
    (tmp_path / "risk_ttr.csv").write_text(
        TTR_HEAD
        + "TTR_A,node,*,x,1,2,d,est_time_to_recover,\n"  # row 2: not a number
        + "TTR_B,node,strange,5,6,7,d,est_time_to_recover,\n"  # row 3: kind, low > value
        + "TTR_C,link,rail,5,1,7,d,nobody,\n"  # row 4: unknown source
        + "TTR_D,link,rail,5,1,7,d,est_time_to_recover,\n",  # row 5: second link rail
        encoding="utf-8",
    )
    (tmp_path / "risk_recovery.csv").write_text(
        REC_HEAD
        + "RC_X,lead_time,bulk,moon,5,1,9,d,est_switch_lead_time,\n"  # row 2: key, to
        + "RC_Y,background,L_NOWHERE,,5,1,9,t/yr,est_background_traffic,\n"  # row 3: key
        + "RC_Z,spot_premium,*,*,0.2,0.1,0.4,d,est_spot_premium,\n",  # row 4: unit
        encoding="utf-8",
    )
    found = _problems(tmp_path)
    expected = {
        ("risk_ttr.csv", 2, "value"),
        ("risk_ttr.csv", 3, "kind"),
        ("risk_ttr.csv", 3, "low"),
        ("risk_ttr.csv", 4, "sources"),
        ("risk_recovery.csv", 2, "key"),
        ("risk_recovery.csv", 2, "to"),
        ("risk_recovery.csv", 3, "key"),
        ("risk_recovery.csv", 4, "unit"),
    }
    assert expected <= found, expected - found


def test_cli_names_the_file_row_and_field(tmp_path):
    from typer.testing import CliRunner

    from corridor.cli import app

    (tmp_path / "risk_ttr.csv").write_text(
        TTR_HEAD + "TTR_A,node,*,5,1,2,d,est_time_to_recover,\n", encoding="utf-8"
    )
    args = ["exposure", "examples/splits/ree_5000_all_china.yaml", "--overlay", str(tmp_path)]
    res = CliRunner().invoke(app, [*args, "--no-store"])
    message = str(res.exception)  # the entry point prints it and exits 2
    assert isinstance(res.exception, DataError)
    assert "risk_ttr.csv, row 2, column high: high 2 is below value 5" in message, message
    assert "a second row for node * (also risk_ttr.csv row 11)" in message
