"""Bounded resources and values checked where they enter: YAML limits, the shared
validators, the store's readers and its fallback file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from corridor import lined_yaml, validate
from corridor.cli import app
from corridor.store import begin_run, list_runs, store_path

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "tiny"


def _bomb(levels: int) -> str:
    """The "billion laughs": each level nine aliases of the one before (9**levels values)."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_fails_fast_and_small() -> None:
    text = _bomb(10)  # about 1 KB, 3.5 billion values expanded
    assert len(text) < 1500
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(yaml.YAMLError) as exc:
        lined_yaml.load(text)
    seconds = time.perf_counter() - started
    peak_bytes = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert seconds < 1.0 and peak_bytes < 100e6
    line, message = lined_yaml.where_wrong(exc.value)
    assert "aliases are expanded" in message and line is not None


def test_deep_nesting_is_a_message_not_a_recursion_error() -> None:
    with pytest.raises(yaml.YAMLError) as exc:
        lined_yaml.load("[" * 5000 + "]" * 5000)
    assert "nested more than 64 levels" in lined_yaml.where_wrong(exc.value)[1]
    with pytest.raises(yaml.YAMLError, match="larger than"):
        lined_yaml.load("a: 1\n" * 500_000)
    with pytest.raises(yaml.YAMLError):
        lined_yaml.load("a: &a [*a]")
    shared = lined_yaml.load("base: &b {max_share: 0.5}\nrules: [*b, *b]\n")
    assert shared["rules"] == [{"max_share": 0.5}] * 2  # ordinary aliases still work


def test_a_bomb_in_a_contracts_file_is_exit_2_at_its_line(tmp_path: Path) -> None:
    file = tmp_path / "contracts.yaml"
    file.write_text(_bomb(10))
    started = time.perf_counter()
    res = CliRunner().invoke(app, ["plan", str(file), "--no-store", "--data", str(TINY)])
    assert time.perf_counter() - started < 2.0
    assert "aliases are expanded" in str(res.exception) and "line" in str(res.exception)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nan", "must be a number"),
        ("inf", "must be a number"),
        ("1e400", "finite"),
        ("١٢٣", "ASCII"),
        ("-1", "at least 0"),
        ("", "must be a number"),
        (float("nan"), "finite"),
        (True, "must be a number"),
    ],
)
def test_non_negative_names_the_field(value: object, message: str) -> None:
    with pytest.raises(validate.InvalidValue, match=message) as exc:
        validate.non_negative(value, "--carbon-price")
    assert str(exc.value).startswith("--carbon-price: ")


def test_validators_accept_what_they_should() -> None:
    assert validate.non_negative("  2.5e3 ", "x") == 2500.0
    assert validate.positive(7, "x") == 7.0
    assert validate.integer("+12", "x", minimum=1, maximum=12) == 12
    assert validate.boolean("Yes", "x") is True and validate.boolean(False, "x") is False
    assert validate.choice("json", "x", ("table", "json")) == "json"
    assert validate.text(" L3 ", "x") == "L3"
    for bad in ("maybe", "2", "", None, 1):
        with pytest.raises(validate.InvalidValue, match="true or false"):
            validate.boolean(bad, "illustrative")
    for bad in ("١٢", "2.0", "1e3", "", True):
        with pytest.raises(validate.InvalidValue, match="whole number"):
            validate.integer(bad, "--limit")
    with pytest.raises(validate.InvalidValue, match="at most 10,000,000"):
        validate.integer("10000000000000", "--years", maximum=10_000_000)
    with pytest.raises(validate.InvalidValue, match="empty"):
        validate.text("  ", "close")
    with pytest.raises(validate.InvalidValue, match="more than 0"):
        validate.positive("0", "--volume")


def test_readers_never_write(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    run_id = begin_run("stress", {"years": 5}, "v", store=store)
    # A run whose process is gone: fake its owner as a process that has exited.
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()
    import socket

    import duckdb

    with duckdb.connect(str(store)) as con:
        con.execute(
            "UPDATE runs SET owner = ? WHERE id = ?", [f"{socket.gethostname()}:{gone}", run_id]
        )
    before = store.read_bytes()
    for _ in range(3):
        (run,) = list_runs(store=store)
        assert run.status == "interrupted"  # shown so, without writing it
    assert store.read_bytes() == before
    assert (
        list_runs(store=tmp_path / "none.duckdb") == [] and not (tmp_path / "none.duckdb").exists()
    )


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_busy_store_keeps_the_result_in_a_named_file(tmp_path: Path) -> None:
    store = tmp_path / "runs.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        code = "import sys; from corridor.cli import main; sys.argv[0] = 'corridor'; main()"
        res = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                "capacity",
                "--commodity",
                "ore",
                "--origin",
                "MINE",
                "--destination",
                "DEST",
                "--family",
                "china",
                "--data",
                str(TINY),
                "--store",
                str(store),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "CORRIDOR_STORE_WAIT_S": "1", "PYTHONPATH": str(ROOT / "src")},
        )
    finally:
        holder.kill()
        holder.wait()
    assert res.returncode == 75, res.stderr
    assert "500,000 t/yr" in res.stdout  # the answer was printed
    kept = list((store_path(store).parent / "unsaved-runs").glob("capacity-*.json"))
    assert len(kept) == 1 and kept[0].name in res.stderr.replace("\n", "")
    saved = json.loads(kept[0].read_text())
    assert saved["kind"] == "capacity" and saved["result"]["max_t_per_year"] == 500_000
