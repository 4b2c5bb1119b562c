"""The run store: round trips, hashes, diffs, and a writer killed in the middle of a run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

import corridor.web
from corridor.cli import app
from corridor.contracts.model import Contract
from corridor.errors import RequestError
from corridor.optimize.maxflow import max_flow
from corridor.optimize.plan_result import PlanResult
from corridor.optimize.planning import plan
from corridor.store import (
    STORE_ENV,
    data_version,
    get_run,
    import_kept,
    inputs_hash,
    list_runs,
    save_run,
    store_path,
)
from corridor.store.diff import diff_runs
from tests.optimize.test_maxflow import two_routes

ROOT = Path(__file__).parents[2]


def two_route_plan(cap: float = 600.0) -> PlanResult:
    return plan([Contract("c1", "ore", ("O",), ("D",), 1000.0)], network=two_routes(cap))


def test_a_plan_round_trips(tmp_path):
    store = tmp_path / "runs.duckdb"
    result = two_route_plan()
    run_id = save_run(result, store=store)
    assert run_id.startswith("plan-")
    (listed,) = list_runs(store=store)
    assert (listed.id, listed.kind, listed.status) == (run_id, "plan", "complete")
    assert listed.headline["total_cost_usd_per_year"] == pytest.approx(120_000)
    run = get_run(run_id[:9], store=store)  # a unique prefix is enough
    assert run.parameters == json.loads(json.dumps(result.parameters))
    assert run.result["summary"]["total_cost_usd_per_year"] == 120_000
    assert run.data_version == data_version(result.network)
    (util,) = run.tables["utilisation"]
    assert util["capacity"] == "OA" and util["shadow_price"] == pytest.approx(50)
    flows = {r["family"]: r["t_per_year"] for r in run.tables["route_flows"]}
    assert flows == pytest.approx({"china": 600, "trans_caspian": 400})
    assert run.tables["shortfalls"] == []


def test_a_capacity_run_round_trips(tmp_path, tiny):
    store = tmp_path / "runs.duckdb"
    run_id = save_run(max_flow("uoc", "MINE", "DEST", network=tiny), store=store)
    run = get_run(run_id, store=store)
    assert run.kind == "capacity" and run.headline == {"max_t_per_year": 500000.0}
    assert {r["link"] for r in run.tables["link_flows"]} == {"L1", "L2", "L3", "L4"}


def test_hashes_follow_inputs_and_data():
    a, b = two_route_plan(600), two_route_plan(600)
    assert data_version(a.network) == data_version(b.network)
    assert inputs_hash("plan", a.parameters, a.data_version) == inputs_hash(
        "plan", b.parameters, b.data_version
    )
    c = two_route_plan(700)  # one capacity figure changed
    assert c.data_version != a.data_version
    assert inputs_hash("plan", a.parameters, c.data_version) != inputs_hash(
        "plan", a.parameters, a.data_version
    )


def test_diff_shows_parameters_headline_and_capacity_use(tmp_path):
    store = tmp_path / "runs.duckdb"
    a = save_run(two_route_plan(600), store=store)
    b = save_run(two_route_plan(700), store=store)
    d = diff_runs(a, b, store=store)
    assert set(d.parameters) == {"data_version"}
    cost = d.headline["total_cost_usd_per_year"]
    assert cost[2] == pytest.approx(-100 * 50)  # 100 t more on the route 50 USD/t cheaper
    (oa,) = d.utilisation
    assert oa["capacity"] == "OA" and oa["change_t_per_year"] == pytest.approx(100)


def test_bad_ids_and_bad_files_are_named(tmp_path):
    store = tmp_path / "runs.duckdb"
    save_run(two_route_plan(), store=store)
    save_run(two_route_plan(), store=store)
    with pytest.raises(RequestError, match="no run 'nope'"):
        get_run("nope", store=store)
    with pytest.raises(RequestError, match="matches several runs"):
        get_run("plan-", store=store)
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(RequestError, match="cannot open the run store"):
        list_runs(store=junk)


def test_store_location(monkeypatch, tmp_path):
    monkeypatch.delenv(STORE_ENV, raising=False)
    assert store_path().name == "runs.duckdb" and "corridor" in str(store_path())
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "env.duckdb"))
    assert store_path() == tmp_path / "env.duckdb"
    assert store_path(tmp_path / "option.duckdb") == tmp_path / "option.duckdb"


KILLED_WRITER = """
import sys, time
import corridor.store as store
from corridor.contracts import Contract
from corridor.optimize import plan
from tests.optimize.test_maxflow import two_routes

result = plan([Contract("c1", "ore", ("O",), ("D",), 1000.0)], network=two_routes())
write_tables = store._write_tables

def slow(*args):
    write_tables(*args)  # the result rows are written, the transaction is still open
    print("inside the transaction", flush=True)
    time.sleep(120)

store._write_tables = slow
store.save_run(result, store=sys.argv[1])
"""


def test_a_run_killed_mid_write_never_appears_complete(tmp_path):
    store = tmp_path / "runs.duckdb"
    before = save_run(two_route_plan(), store=store)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(store)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "inside the transaction"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    runs = {r.id: r for r in list_runs(store=store)}  # the file opens fine
    assert runs[before].status == "complete"
    killed = [r for r in runs.values() if r.id != before]
    assert [r.status for r in killed] == ["interrupted"]
    assert get_run(killed[0].id, store=store).tables == {
        "route_flows": [],
        "link_flows": [],
        "utilisation": [],
        "shortfalls": [],
    }
    with pytest.raises(RequestError, match="interrupted, not complete"):
        diff_runs(before, killed[0].id, store=store)
    assert get_run(save_run(two_route_plan(), store=store), store=store).status == "complete"


def test_runs_cli(tmp_path):
    store = tmp_path / "runs.duckdb"
    a = save_run(two_route_plan(600), store=store)
    b = save_run(two_route_plan(700), store=store)
    runner = CliRunner()
    res = runner.invoke(app, ["runs", "list", "--store", str(store)])
    assert res.exit_code == 0 and a in res.stdout and "complete" in res.stdout
    res = runner.invoke(app, ["runs", "show", a, "--store", str(store), "--format", "json"])
    assert json.loads(res.stdout)["tables"]["utilisation"][0]["capacity"] == "OA"
    res = runner.invoke(app, ["runs", "show", a, "--store", str(store)])
    assert "route_flows" in res.stdout and "utilisation" in res.stdout
    res = runner.invoke(app, ["runs", "diff", a, b, "--store", str(store)])
    assert res.exit_code == 0 and "OA" in res.stdout and "-5,000" in res.stdout


def test_runs_list_labels_kinds_and_headlines_as_the_web_page_does(tmp_path):
    from corridor.cli.plan import _headline
    from corridor.i18n import catalogue
    from corridor.store import list_runs

    store = tmp_path / "runs.duckdb"
    save_run(two_route_plan(600), store=store)
    head = list_runs(store=store)[0].headline
    runner = CliRunner()
    en = runner.invoke(app, ["runs", "list", "--store", str(store), "--lang", "en"])
    ja = runner.invoke(app, ["runs", "list", "--store", str(store), "--lang", "ja"])
    assert en.exit_code == ja.exit_code == 0
    flat = {lang: " ".join(res.stdout.split()) for lang, res in (("en", en), ("ja", ja))}
    for key in head:  # labels, not field names
        assert key not in flat["en"] and key not in flat["ja"]
        for lang in ("en", "ja"):
            assert catalogue(lang)[f"runs_head_{key}"] in _headline(head, lang)
    assert "完了" in flat["ja"] and "complete" not in flat["ja"]
    # one set of labels: the CLI's are the web page's
    static = Path(corridor.web.__file__).parent / "static" / "i18n"
    for lang in ("en", "ja"):
        page = json.loads((static / f"{lang}.json").read_text(encoding="utf-8"))
        for key, text in page.items():
            if key.startswith(("head_", "kind_")):
                assert catalogue(lang)[f"runs_{key}"] == text, key


HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # another process writing: the file is locked
print("holding", flush=True)
time.sleep(60)
"""


def test_a_result_kept_while_the_store_was_busy_imports_as_it_would_have_been_saved(tmp_path):
    store = tmp_path / "runs.duckdb"
    result = two_route_plan()
    other = tmp_path / "direct.duckdb"
    direct = get_run(save_run(result, store=other), store=other)
    save_run(two_route_plan(700), store=store)  # the store has a run already
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(RequestError, match="corridor runs import") as busy:
            save_run(result, store=store, wait=0.3)
    finally:
        holder.kill()
        holder.wait()
    kept = list((tmp_path / "unsaved-runs").glob("*.json"))
    assert len(kept) == 1 and str(kept[0]) in str(busy.value)
    runner = CliRunner()
    res = runner.invoke(app, ["runs", "import", str(kept[0].parent), "--store", str(store)])
    assert res.exit_code == 0, res.output
    run_id = kept[0].stem
    assert f"stored {run_id}" in res.stdout
    back = get_run(run_id, store=store)
    assert back.status == "complete" and back.kind == "plan"
    assert back.inputs_hash == direct.inputs_hash  # the same inputs hash as a direct save
    assert (back.parameters, back.headline, back.result) == (
        direct.parameters,
        direct.headline,
        direct.result,
    )
    assert back.tables == direct.tables
    assert len(list_runs(store=store)) == 2
    again = runner.invoke(app, ["runs", "import", str(kept[0]), "--store", str(store)])
    assert again.exit_code == 0 and "already in the store" in again.stdout
    assert len(list_runs(store=store)) == 2  # importing twice adds nothing


def test_import_names_the_bad_file_and_field_and_writes_nothing(tmp_path):
    store = tmp_path / "runs.duckdb"
    folder = tmp_path / "unsaved-runs"
    folder.mkdir()
    (folder / "plan-0000aaaa.json").write_text(
        json.dumps({"id": "plan-0000aaaa", "kind": "plan", "tables": {}}), encoding="utf-8"
    )
    with pytest.raises(RequestError, match=r"plan-0000aaaa.json: field 'data_version'"):
        import_kept(folder, store=store)
    (folder / "plan-0000aaaa.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RequestError, match="not a kept run"):
        import_kept(folder, store=store)
    with pytest.raises(RequestError, match="no such file"):
        import_kept(tmp_path / "nowhere", store=store)
    (tmp_path / "empty").mkdir()
    with pytest.raises(RequestError, match="no kept run"):
        import_kept(tmp_path / "empty", store=store)
    assert list_runs(store=store) == []


def test_threads_of_one_process_share_the_store_without_a_lock_of_their_own(tmp_path):
    """What the web server does: many request threads saving and listing runs at once on
    a new store (DuckDB refuses two connections creating its tables at once in a process;
    the store's own lock serialises them, so the web layer needs none)."""
    store = tmp_path / "runs.duckdb"
    results = [two_route_plan(500 + 10 * i) for i in range(6)]
    errors: list[BaseException] = []
    saved: list[str] = []

    def write(r: PlanResult) -> None:
        try:
            saved.append(save_run(r, store=store, wait=20))
            list_runs(store=store)
        except BaseException as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(r,)) for r in results]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r.id for r in list_runs(store=store)) == sorted(saved) and len(saved) == 6
    assert all(r.status == "complete" for r in list_runs(store=store))
