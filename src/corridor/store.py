"""The run store: every capacity, plan, stress and frontier run, kept in an embedded DuckDB
file.

Where
    ``--store PATH``, else ``$CORRIDOR_STORE``, else ``runs.duckdb`` in the user's data
    folder (:func:`platformdirs.user_data_dir`).

What
    Table ``runs``: id, kind (``capacity``, ``plan``, ``stress``, ...), created_at (UTC),
    inputs_hash (SHA-256 of the canonical JSON of the parameters and the data version), parameters
    (JSON), data_version (SHA-256 of the network tables), status, headline numbers (JSON)
    and the whole result (JSON). Result tables keyed by ``run_id``: ``route_flows``,
    ``link_flows``, ``utilisation`` and ``shortfalls``.

Atomic
    A run is first recorded as ``running``; its result tables and the switch to
    ``complete`` are then written in **one** transaction. A process killed while writing
    leaves no result rows and a run that never reads ``complete``; the next process to
    open the store marks it ``interrupted`` (DuckDB lets one process at a time write a
    file, so a ``running`` run found on opening has no live writer). A long run stopped
    with Ctrl+C is recorded as ``interrupted`` with how far it got, and no result
    (:func:`record_interrupted`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import platformdirs

from corridor._json import canonical_json
from corridor.errors import RequestError
from corridor.network.model import Network

STORE_ENV = "CORRIDOR_STORE"

RESULT_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "route_flows": (
        ("contract", "VARCHAR"),
        ("commodity", "VARCHAR"),
        ("origin", "VARCHAR"),
        ("destination", "VARCHAR"),
        ("route", "VARCHAR"),
        ("family", "VARCHAR"),
        ("t_per_year", "DOUBLE"),
        ("cost_usd_per_t", "DOUBLE"),
    ),
    "link_flows": (("link", "VARCHAR"), ("commodity", "VARCHAR"), ("t_per_year", "DOUBLE")),
    "utilisation": (
        ("capacity", "VARCHAR"),
        ("name", "VARCHAR"),
        ("capacity_t_per_year", "DOUBLE"),
        ("used_t_per_year", "DOUBLE"),
        ("shadow_price", "DOUBLE"),
        ("shadow_unit", "VARCHAR"),
    ),
    "shortfalls": (
        ("contract", "VARCHAR"),
        ("volume_t_per_year", "DOUBLE"),
        ("short_t_per_year", "DOUBLE"),
        ("causes", "VARCHAR"),
    ),
}
"""Result tables and their columns (each also has ``run_id``)."""

_RUNS = """CREATE TABLE IF NOT EXISTS runs (
    id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
    inputs_hash VARCHAR NOT NULL, data_version VARCHAR NOT NULL, parameters VARCHAR NOT NULL,
    status VARCHAR NOT NULL, headline VARCHAR, result VARCHAR)"""


class StorableResult(Protocol):
    """What a result offers the store (``CapacityResult`` and ``PlanResult`` do)."""

    @property
    def kind(self) -> str: ...

    @property
    def data_version(self) -> str: ...

    @property
    def parameters(self) -> dict[str, Any]: ...

    def headline(self) -> Mapping[str, float | None]: ...

    def to_dict(self) -> dict[str, Any]: ...

    def tables(self) -> Mapping[str, list[dict[str, Any]]]: ...


@dataclass(frozen=True)
class RunRecord:
    """One stored run.

    ``result`` and ``tables`` are filled by :func:`get_run` only (empty in listings).
    """

    id: str
    kind: str
    created_at: datetime
    inputs_hash: str
    data_version: str
    parameters: dict[str, Any]
    status: str
    headline: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "created_at": self.created_at.isoformat() + "Z",
            "status": self.status,
            "inputs_hash": self.inputs_hash,
            "data_version": self.data_version,
            "parameters": self.parameters,
            "headline": self.headline,
            **({"result": self.result} if self.result else {}),
        }


@dataclass(frozen=True)
class RunDiff:
    """What differs between two runs.

    Attributes
    ----------
    parameters : dict
        Parameter name -> (value in a, value in b), for parameters that differ (the data
        version and the kind of run count as parameters here).
    headline : dict
        Headline number -> (a, b, b - a).
    utilisation : list of dict
        Per capacity in either run: used t/yr and shadow price in a and b, and the change
        of use; only capacities whose use or shadow price differ.
    """

    a: RunRecord
    b: RunRecord
    parameters: dict[str, tuple[Any, Any]]
    headline: dict[str, tuple[Any, Any, float | None]]
    utilisation: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a.id,
            "b": self.b.id,
            "parameters": {k: {"a": x, "b": y} for k, (x, y) in self.parameters.items()},
            "headline": {
                k: {"a": x, "b": y, "change": d} for k, (x, y, d) in self.headline.items()
            },
            "utilisation": self.utilisation,
        }


# --------------------------------------------------------------------------- hashing


def data_version(net: Network) -> str:
    """SHA-256 of the network's tables (see :attr:`Network.data_version`)."""
    return net.data_version


def inputs_hash(kind: str, parameters: Mapping[str, Any], version: str) -> str:
    """SHA-256 of what determines a run's answer: its kind, parameters and data."""
    text = canonical_json({"kind": kind, "parameters": parameters, "data_version": version})
    return hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------- the file


def store_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The store file: ``path``, else ``$CORRIDOR_STORE``, else the user data folder."""
    chosen = path or os.environ.get(STORE_ENV)
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_data_dir("corridor")) / "runs.duckdb"


@contextmanager
def _connect(path: str | os.PathLike[str] | None) -> Iterator[duckdb.DuckDBPyConnection]:
    file = store_path(path)
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(file))
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise RequestError(
                f"the run store {file} is in use by another corridor process; try again "
                "when it has finished, or use another run store file"
            ) from None
        raise RequestError(f"cannot open the run store {file}: {exc}") from None
    except (OSError, duckdb.Error) as exc:
        raise RequestError(f"cannot open the run store {file}: {exc}") from None
    try:
        _prepare(con)
        yield con
    finally:
        con.close()


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_RUNS)
    for name, cols in RESULT_TABLES.items():
        spec = ", ".join(f"{c} {t}" for c, t in cols)
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} (run_id VARCHAR NOT NULL, {spec})")
    # We hold the only write connection: a run still 'running' lost its writer.
    con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")


# --------------------------------------------------------------------------- API


def save_run(result: StorableResult, *, store: str | os.PathLike[str] | None = None) -> str:
    """Save a capacity or plan result; return its run id.

    Parameters
    ----------
    result : CapacityResult or PlanResult
        What to keep.
    store : path, optional
        Store file (default: see :func:`store_path`).

    Returns
    -------
    str
        The new run's id, e.g. ``plan-3f9a1c2e``.
    """
    run_id, row = _new_run(result.kind, result.parameters, result.data_version)
    with _connect(store) as con:
        con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, 'running', NULL, NULL)", row)
        con.execute("BEGIN TRANSACTION")
        try:
            _write_tables(con, run_id, result.tables())
            con.execute(
                "UPDATE runs SET status = 'complete', headline = ?, result = ? WHERE id = ?",
                [canonical_json(result.headline()), canonical_json(result.to_dict()), run_id],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            con.execute("UPDATE runs SET status = 'failed' WHERE id = ?", [run_id])
            raise
    return run_id


def record_interrupted(
    kind: str,
    parameters: Mapping[str, Any],
    version: str,
    progress: Mapping[str, Any],
    *,
    store: str | os.PathLike[str] | None = None,
) -> str:
    """Record a run stopped before it finished (Ctrl+C): what was asked and how far it got
    (``progress``, kept as its headline), with no result. Return its run id."""
    run_id, row = _new_run(kind, parameters, version)
    with _connect(store) as con:
        con.execute(
            "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, 'interrupted', ?, NULL)",
            [*row, canonical_json(progress)],
        )
    return run_id


def _new_run(kind: str, parameters: Mapping[str, Any], version: str) -> tuple[str, list[Any]]:
    """A fresh run id, and the first six columns of its ``runs`` row (id, kind, created_at,
    inputs_hash, data_version, parameters)."""
    run_id = f"{kind}-{secrets.token_hex(4)}"
    row = [
        run_id,
        kind,
        datetime.now(UTC).replace(tzinfo=None),
        inputs_hash(kind, parameters, version),
        version,
        canonical_json(parameters),
    ]
    return run_id, row


def _write_tables(
    con: duckdb.DuckDBPyConnection, run_id: str, tables: Mapping[str, list[dict[str, Any]]]
) -> None:
    for name, rows in tables.items():
        if not rows:
            continue
        cols = [c for c, _ in RESULT_TABLES[name]]
        marks = ", ".join("?" for _ in range(len(cols) + 1))
        con.executemany(
            f"INSERT INTO {name} VALUES ({marks})",
            [[run_id, *(r.get(c) for c in cols)] for r in rows],
        )


def list_runs(
    *, store: str | os.PathLike[str] | None = None, limit: int | None = None
) -> list[RunRecord]:
    """Stored runs, newest first (without their result tables)."""
    query = (
        "SELECT id, kind, created_at, inputs_hash, data_version, parameters, status, headline "
        "FROM runs ORDER BY created_at DESC, id"
    )
    with _connect(store) as con:
        rows = con.execute(query + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
    return [_record(r) for r in rows]


def _record(row: tuple[Any, ...], result: str | None = None) -> RunRecord:
    return RunRecord(
        id=row[0],
        kind=row[1],
        created_at=row[2],
        inputs_hash=row[3],
        data_version=row[4],
        parameters=json.loads(row[5]),
        status=row[6],
        headline=json.loads(row[7]) if row[7] else {},
        result=json.loads(result) if result else {},
    )


def get_run(run_id: str, *, store: str | os.PathLike[str] | None = None) -> RunRecord:
    """One run with its result and result tables; ``run_id`` may be a unique prefix.

    Raises
    ------
    RequestError
        No run, or several runs, match ``run_id``.
    """
    with _connect(store) as con:
        rows = con.execute(
            "SELECT id, kind, created_at, inputs_hash, data_version, parameters, status, "
            "headline, result FROM runs WHERE starts_with(id, ?) ORDER BY id",
            [run_id],
        ).fetchall()
        if not rows:
            raise RequestError(f"no run '{run_id}' in the store {store_path(store)}")
        if len(rows) > 1:
            ids = ", ".join(r[0] for r in rows[:5])
            raise RequestError(f"'{run_id}' matches several runs ({ids}); give more of the id")
        record = _record(rows[0][:8], rows[0][8])
        tables = {name: _table(con, name, record.id) for name in RESULT_TABLES}
    return RunRecord(**{**vars(record), "tables": tables})


def _table(con: duckdb.DuckDBPyConnection, name: str, run_id: str) -> list[dict[str, Any]]:
    cols = [c for c, _ in RESULT_TABLES[name]]
    rows = con.execute(
        f"SELECT {', '.join(cols)} FROM {name} WHERE run_id = ? ORDER BY ALL", [run_id]
    ).fetchall()
    return [dict(zip(cols, r, strict=True)) for r in rows]


def diff_runs(a: str, b: str, *, store: str | os.PathLike[str] | None = None) -> RunDiff:
    """Parameters, headline numbers and per-capacity utilisation that differ between runs.

    Raises
    ------
    RequestError
        Either run is missing or did not complete.
    """
    ra, rb = get_run(a, store=store), get_run(b, store=store)
    for r in (ra, rb):
        if r.status != "complete":
            raise RequestError(f"run {r.id} is {r.status}, not complete: it has no results")
    pa = {**ra.parameters, "data_version": ra.data_version, "kind": ra.kind}
    pb = {**rb.parameters, "data_version": rb.data_version, "kind": rb.kind}
    keys = list(dict.fromkeys([*pa, *pb]))
    params = {k: (pa.get(k), pb.get(k)) for k in keys if pa.get(k) != pb.get(k)}
    heads = list(dict.fromkeys([*ra.headline, *rb.headline]))
    headline = {k: _change(ra.headline.get(k), rb.headline.get(k)) for k in heads}
    return RunDiff(ra, rb, params, headline, _utilisation_diff(ra, rb))


def _change(x: Any, y: Any) -> tuple[Any, Any, float | None]:
    numbers = isinstance(x, int | float) and isinstance(y, int | float)
    return x, y, (y - x) if numbers else None


def _utilisation_diff(ra: RunRecord, rb: RunRecord) -> list[dict[str, Any]]:
    ua = {u["capacity"]: u for u in ra.tables.get("utilisation", [])}
    ub = {u["capacity"]: u for u in rb.tables.get("utilisation", [])}
    out = []
    for cap in sorted(set(ua) | set(ub)):
        x, y = ua.get(cap, {}), ub.get(cap, {})
        used = (x.get("used_t_per_year") or 0.0, y.get("used_t_per_year") or 0.0)
        price = (x.get("shadow_price") or 0.0, y.get("shadow_price") or 0.0)
        if abs(used[1] - used[0]) > 1e-6 or abs(price[1] - price[0]) > 1e-9:
            out.append(
                {
                    "capacity": cap,
                    "used_t_per_year": {"a": used[0], "b": used[1]},
                    "change_t_per_year": used[1] - used[0],
                    "shadow_price": {"a": price[0], "b": price[1]},
                }
            )
    return out
