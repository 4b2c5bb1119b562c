"""Fuzzing of every kind of input file: contracts (YAML and CSV), scenarios (YAML), overlay
tables (CSV), saved plans (JSON) and arbitrary text in each. Every file is either accepted
(exit 0) or refused with a message naming the file (exit 2); a value known to be invalid is
always refused, at its line or row and field.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import TINY, expect, invoke

FUZZ = settings(
    max_examples=120,
    deadline=5000,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
DATA = ["--data", str(TINY)]
CONTRACT = {
    "id": "c1",
    "commodity": "ore",
    "origins": ["MINE"],
    "destinations": ["DEST"],
    "volume_t_per_year": 1000,
    "illustrative": False,
}
RULE = {"exposure": "CN", "max_share": 0.5, "scope": "each_contract"}
EDIT = {"close": "L3", "days": 30}
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", " ", "maybe", "١٢٣", "nan", ".inf", "1e400", "MINE", "L3", "CN"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
BAD_NUMBERS = st.one_of(
    st.sampled_from(["maybe", "١٢٣", "", "1,000", "ten"]),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.floats(allow_nan=True, allow_infinity=True).filter(lambda v: not math.isfinite(v)),
    st.floats(max_value=0.0, allow_nan=False),
)
BAD_BOOLEANS = st.one_of(
    st.sampled_from(["maybe", "", "2", "oui", "١"]), st.integers(2, 9), st.floats(0.1, 0.9)
)


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def _yaml(doc: Any) -> str:
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _names_the_place(stderr: str, file: Path) -> None:
    assert file.name in stderr, stderr


# --------------------------------------------------------------------------- contracts


@FUZZ
@given(field=st.sampled_from(sorted(CONTRACT)), value=VALUES)
def test_contracts_yaml_any_value(field: str, value: Any, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    doc = {"contracts": [{**CONTRACT, field: value}], "rules": [RULE]}
    file = _write(tmp_path_factory.mktemp("c"), "contracts.yaml", _yaml(doc))
    expect(invoke(["plan", str(file), "--no-store", *DATA], "contracts yaml"), None)


@FUZZ
@given(
    change=st.one_of(
        st.tuples(st.just("volume_t_per_year"), BAD_NUMBERS),
        st.tuples(st.just("illustrative"), BAD_BOOLEANS),
        st.tuples(st.sampled_from(["commodity", "id"]), st.sampled_from(["", " ", None])),
        st.tuples(st.sampled_from(["origins", "destinations"]), st.sampled_from([[""], ["X"]])),
        st.tuples(st.just("scope"), st.sampled_from(["", " ", "nobody"])),
        st.tuples(st.just("max_share"), BAD_NUMBERS.filter(lambda v: v != 0.0)),
    )
)
def test_contracts_yaml_bad_value_is_named(change: tuple[str, Any], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    field, value = change
    contract, rule = dict(CONTRACT), dict(RULE)
    (rule if field in ("scope", "max_share") else contract)[field] = value
    file = _write(
        tmp_path_factory.mktemp("c"),
        "contracts.yaml",
        _yaml({"contracts": [contract], "rules": [rule]}),
    )
    out = invoke(["plan", str(file), "--no-store", *DATA], "contracts yaml, bad value")
    expect(out, False)
    _names_the_place(out.stderr, file)
    assert "line" in out.stderr and field in out.stderr


def _csv(rows: list[dict[str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


CSV_ROW = {
    "id": "c1",
    "commodity": "ore",
    "origins": "MINE",
    "destinations": "DEST",
    "volume_t_per_year": "1000",
    "illustrative": "no",
    "family_max_share": "china=0.5",
}


@FUZZ
@given(field=st.sampled_from(sorted(CSV_ROW)), value=st.text(max_size=12))
def test_contracts_csv_any_cell(field: str, value: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    file = _write(tmp_path_factory.mktemp("c"), "contracts.csv", _csv([{**CSV_ROW, field: value}]))
    expect(invoke(["plan", str(file), "--no-store", *DATA], "contracts csv"), None)


@FUZZ
@given(
    change=st.one_of(
        st.tuples(
            st.just("volume_t_per_year"),
            st.sampled_from(["١٢٣", "nan", "inf", "-5", "0", "1e400", "maybe", "1_000"]),
        ),
        st.tuples(st.just("illustrative"), st.sampled_from(["maybe", "2", "oui", "١", "y"])),
        st.tuples(st.just("family_max_share"), st.sampled_from(["china=١", "china", "china=2"])),
    )
)
def test_contracts_csv_bad_cell_is_named(change: tuple[str, str], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    field, value = change
    file = _write(tmp_path_factory.mktemp("c"), "contracts.csv", _csv([{**CSV_ROW, field: value}]))
    out = invoke(["plan", str(file), "--no-store", *DATA], "contracts csv, bad cell")
    expect(out, False)
    _names_the_place(out.stderr, file)
    assert "row 2" in out.stderr and field in out.stderr


# --------------------------------------------------------------------------- scenarios

WHATIF = ["--commodity", "ore", "--origin", "MINE", "--destination", "DEST", *DATA]


@FUZZ
@given(
    action=st.sampled_from(["close", "derate", "delay", "tariff"]),
    target=VALUES,
    extra=st.dictionaries(
        st.sampled_from(["days", "percent", "usd_per_t", "factor", "note"]), VALUES, max_size=2
    ),
)
def test_scenario_any_edit(
    action: str, target: Any, extra: dict[str, Any], tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    doc = {"name": "fuzz", "edits": [{action: target, **extra}]}
    file = _write(tmp_path_factory.mktemp("s"), "scenario.yaml", _yaml(doc))
    print(file.read_text())  # shown if the case fails
    expect(invoke(["whatif", str(file), *WHATIF], "scenario yaml"), None)


@FUZZ
@given(
    action=st.sampled_from(["close", "derate", "delay", "tariff"]),
    target=st.one_of(st.sampled_from(["", " ", None, "NOWHERE"]), st.text(max_size=6)),
)
def test_scenario_empty_or_unmatched_target_is_named(
    action: str, target: Any, tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    ids = {"L1", "L2", "L3", "L4", "L5", "L6", "MINE", "HUB", "BORDER_A", "PORT_C", "PORT_W"}
    assume(target not in ids | {"DEST", "KZ", "CN", "GE", "JP", "SUEZ"})
    amounts = {"close": {"days": 30}, "derate": {"percent": 50}, "delay": {"days": 2}}
    edit = {action: target, **amounts.get(action, {"usd_per_t": 5})}
    file = _write(
        tmp_path_factory.mktemp("s"), "scenario.yaml", _yaml({"name": "x", "edits": [edit]})
    )
    out = invoke(["whatif", str(file), *WHATIF], "scenario yaml, bad target")
    expect(out, False)
    _names_the_place(out.stderr, file)
    assert "line 3" in out.stderr and action in out.stderr


# --------------------------------------------------------------------------- overlays

LINKS_HEADER = (TINY / "links.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
L3 = next(
    dict(zip(LINKS_HEADER, row, strict=True))
    for row in csv.reader((TINY / "links.csv").read_text(encoding="utf-8").splitlines()[1:])
    if row[0] == "L3"
)


@FUZZ
@given(
    column=st.sampled_from(
        [
            "distance_km",
            "transit_days",
            "capacity_t_per_year",
            "tariff_usd_per_tkm",
            "bidirectional",
        ]
    ),
    value=st.one_of(
        st.sampled_from(
            ["١٢٣", "nan", "inf", "-5", "1e400", "maybe", "1_000", "１２", "+5", "1e3"]
        ),
        st.text(
            alphabet=st.characters(
                exclude_characters=',"', exclude_categories=("Cc", "Cs", "Zl", "Zp")
            ),
            max_size=8,
        ),
        st.floats(min_value=0.5, max_value=1e5).map(lambda v: f"{v:.3f}"),
    ),
)
def test_overlay_cell(column: str, value: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("overlay")
    (folder / "links.csv").write_text(_csv([{**L3, column: value}]), encoding="utf-8")
    out = invoke(["network", "validate", str(TINY), "--overlay", str(folder)], "overlay csv")
    valid: bool | None
    if column == "bidirectional":
        valid = value.strip().lower() in ("yes", "no", "true", "false", "1", "0", "")
    elif not value.strip():
        valid = None  # an empty cell takes the column's default, or is a missing value
    elif not re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", value, re.ASCII):
        valid = False  # not written in ASCII decimal digits: never read as a number
    elif not math.isfinite(float(value)) or float(value) < 0:
        valid = False
    else:
        valid = None  # a number; whether it is in range is the schema's own check
    expect(out, valid)
    if valid is False:
        assert "links.csv" in out.stderr and column in out.stderr


# --------------------------------------------------------------------------- anything


@settings(FUZZ, max_examples=150)
@given(
    text=st.one_of(
        st.text(max_size=200),
        VALUES.map(_yaml),
        st.sampled_from(
            [
                "[" * 5000 + "]" * 5000,
                "a: &a [1, 2]\nb: [*a, *a]\n",
                "\n".join(
                    [f"a0: &a0 [{','.join(['x'] * 9)}]"]
                    + [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
                ),
                "a: &a [*a]",
                "contracts: !!python/object/apply:os.system ['true']",
                "\ufeffcontracts: []",
            ]
        ),
    ),
    kind=st.sampled_from(["contracts.yaml", "scenario.yaml", "plan.json", "contracts.csv"]),
)
def test_any_text_in_any_file(text: str, kind: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    file = _write(tmp_path_factory.mktemp("t"), kind, text)
    args = {
        "contracts.yaml": ["plan", str(file), "--no-store", *DATA],
        "contracts.csv": ["plan", str(file), "--no-store", *DATA],
        "scenario.yaml": ["whatif", str(file), *WHATIF],
        "plan.json": ["stress", str(file), "--years", "100", "--no-store", *DATA],
    }[kind]
    out = invoke(args, f"any text as {kind}")
    expect(out, None)
    if out.code == 2:
        assert "Traceback" not in out.stderr


@FUZZ
@given(doc=VALUES)
def test_any_json_as_a_saved_plan(doc: Any, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    file = _write(tmp_path_factory.mktemp("j"), "plan.json", json.dumps(doc))
    out = invoke(["stress", str(file), "--years", "100", "--no-store", *DATA], "plan json")
    expect(out, None)
