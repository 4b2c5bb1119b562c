"""Fuzzing of command-line options: every value either works (exit 0) or is a clear usage
error (exit 2), never an internal error, a traceback or a hang (each case has a deadline).

Whether a value is valid is decided here independently of :mod:`corridor.validate`: ASCII
digits, a finite value within the option's documented range.
"""

from __future__ import annotations

import math
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reliability.conftest import TINY, expect, invoke

ROUTE = ["--commodity", "ore", "--origin", "MINE", "--destination", "DEST", "--data", str(TINY)]
FUZZ = settings(
    max_examples=300,
    deadline=5000,  # a hang fails the case
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
NASTY = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "-1e400",
    "1e-400",
    "-0",
    "+5",
    "1_000",
    "١٢٣",
    "٣.٥",
    "１２",
    "0x10",
    "5 ",
    "1,5",
    "maybe",
    "None",
    "true",
    "9" * 40,
    "-1",
    "0",
    "1e10",
    "1e11",
    "10000",
    "10001",
]
NUMBERS = st.one_of(
    st.sampled_from(NASTY),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-1e12, max_value=1e12).map(lambda v: f"{v:g}"),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.text(alphabet=string.digits + "+-.eE٠١٢٣٤٥٦٧٨٩", max_size=8),
    st.text(max_size=6),
)


def number_in(text: str, low: float, high: float, *, above_low: bool = False) -> bool:
    """Whether ``text`` is an ASCII decimal number, finite, within [low, high]."""
    body = text.strip()
    if not body or any(c not in "0123456789+-.eE" for c in body):
        return False
    try:
        value = float(body)
    except ValueError:
        return False
    if not math.isfinite(value):
        return False
    return (value > low if above_low else value >= low) and value <= high


def whole_in(text: str, low: int, high: int) -> bool:
    body = text.strip()
    digits = body[1:] if body[:1] in "+-" else body
    if not digits or any(c not in string.digits for c in digits) or len(body) > 30:
        return False
    return low <= int(body) <= high


@FUZZ
@given(value=NUMBERS)
def test_carbon_price(value: str) -> None:
    out = invoke(["compare", *ROUTE, f"--carbon-price={value}"], "--carbon-price")
    expect(out, number_in(value, 0, 1e4))


@FUZZ
@given(value=NUMBERS)
def test_volume(value: str) -> None:
    out = invoke(["compare", *ROUTE, f"--volume={value}"], "--volume")
    expect(out, number_in(value, 0, 1e10, above_low=True))


@FUZZ
@given(value=NUMBERS, exposure=st.sampled_from(["CN", "SUEZ", "", "XX"]))
def test_penalise(value: str, exposure: str) -> None:
    out = invoke(["compare", *ROUTE, f"--penalise={exposure}={value}"], "--penalise")
    bad_value = "," in value  # a comma splits the option into two items
    valid = exposure in ("CN", "SUEZ") and not bad_value and number_in(value, 0, 1e6)
    expect(out, valid)


@FUZZ
@given(value=NUMBERS)
def test_k(value: str) -> None:
    out = invoke(["routes", *ROUTE, f"--k={value}"], "--k")
    expect(out, whole_in(value, 1, 50))


@FUZZ
@given(value=NUMBERS)
def test_runs_list_limit(value: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path_factory.getbasetemp() / "fuzz-runs.duckdb"
    out = invoke(["runs", "list", "--store", str(store), f"--limit={value}"], "runs --limit")
    expect(out, whole_in(value, 1, 10_000))


@FUZZ
@given(value=NUMBERS)
def test_stress_years(value: str) -> None:
    # Only the cap is checked here: valid years would run a simulation; --format xml makes
    # every run stop at the format check after its options are parsed.
    out = invoke(["stress", "x.yaml", f"--years={value}", "--format=xml", "--no-store"], "--years")
    expect(out, False)
    if whole_in(value, 1, 10_000_000):
        assert "--format" in out.stdout + out.stderr or "format" in out.stdout + out.stderr


@settings(FUZZ, max_examples=150)
@given(
    fmt=st.one_of(
        st.sampled_from(["table", "json", "xml", "", "JSON", "csv", "geojson", "xlsx", "parquet"]),
        st.text(max_size=6),
    ),
    command=st.sampled_from(["network show", "compare", "capacity"]),
)
def test_formats(fmt: str, command: str) -> None:
    args = {
        "network show": ["network", "show", "--data", str(TINY)],
        "compare": ["compare", *ROUTE],
        "capacity": ["capacity", *ROUTE, "--no-store"],
    }[command]
    out = invoke([*args, f"--format={fmt}"], f"{command} --format")
    allowed = {
        "network show": ("table", "json"),
        "compare": ("table", "json", "csv", "geojson"),
        # xlsx and parquet are files: without --output they are refused (exit 2).
        "capacity": ("table", "json", "csv"),
    }[command]
    expect(out, fmt in allowed)


@settings(FUZZ, max_examples=150)
@given(
    family=st.one_of(
        st.sampled_from(["", " ", ",", "china", "trans_caspian", "china,", "nope"]),
        st.text(max_size=8),
    )
)
def test_capacity_family(family: str) -> None:
    out = invoke(["capacity", *ROUTE, "--no-store", f"--family={family}"], "--family")
    ids = [p.strip() for p in family.split(",")]
    known = {"china", "trans_caspian", "russia", "iran", "domestic"}
    valid = all(ids) and all(i in known for i in ids)
    expect(out, None if valid else False)
