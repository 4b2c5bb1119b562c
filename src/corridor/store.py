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
    A run is first recorded as ``running`` with its owner (``host:pid``), when its work
    starts (:func:`begin_run`) or at the latest when its result is saved; its result tables
    and the switch to ``complete`` are then written in **one** transaction. A process killed
    at any point leaves no result rows and a run that never reads ``complete``: readers
    show a ``running`` run whose owner has gone as ``interrupted``, and the next writer
    records it so. A long run stopped with Ctrl+C is recorded as ``interrupted`` with how
    far it got, and no result (:func:`record_interrupted`).

Shared
    DuckDB lets one process write the file at a time. Writers and readers that find it in
    use wait and retry for up to ``$CORRIDOR_STORE_WAIT_S`` seconds (30 by default); a writer
    that still cannot get in raises :class:`StoreBusyError` and keeps the result as JSON in
    ``unsaved-runs/`` next to the store, naming the file. Readers open the file read-only and
    never change it.

Jobs
    Table ``jobs`` keeps the web server's background jobs (parameters, status, progress,
    result), so that a restarted server still lists them (:func:`save_job`,
    :func:`load_jobs`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb
import platformdirs

from corridor import validate
from corridor._json import canonical_json
from corridor.errors import RequestError
from corridor.network.model import Network

STORE_ENV = "CORRIDOR_STORE"
WAIT_ENV = "CORRIDOR_STORE_WAIT_S"
DEFAULT_WAIT_S = 30.0
"""Seconds a writer or reader waits for a store another process is using."""
MAX_LIST = 10_000
"""Most runs one listing returns."""

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
    status VARCHAR NOT NULL, headline VARCHAR, result VARCHAR, owner VARCHAR)"""
_JOBS = """CREATE TABLE IF NOT EXISTS jobs (
    id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, params VARCHAR NOT NULL,
    status VARCHAR NOT NULL, progress DOUBLE NOT NULL, created DOUBLE NOT NULL,
    started DOUBLE, finished DOUBLE, error VARCHAR, result VARCHAR, owner VARCHAR NOT NULL)"""


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


class StoreBusyError(RequestError):
    """The store stayed in use by another process for longer than the wait allowed.

    ``public`` says so without the file's path (for answers to web clients).
    """

    public = "the run store is in use by another corridor process; try again shortly"


def wait_s() -> float:
    """How long a process waits for the store another process is using: ``$CORRIDOR_STORE_WAIT_S``
    seconds (default :data:`DEFAULT_WAIT_S`)."""
    try:
        return max(float(os.environ.get(WAIT_ENV, DEFAULT_WAIT_S)), 0.0)
    except ValueError:
        return DEFAULT_WAIT_S


# DuckDB refuses two connections that create or change its tables at once within one process
# ("write-write conflict"), and the web server uses the store from many threads.
_PROCESS_LOCK = threading.RLock()


@contextmanager
def _connect(
    path: str | os.PathLike[str] | None, *, read_only: bool = False, wait: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A connection to the store; ``None`` for a reader when the file does not exist yet.

    DuckDB lets one process write a file at a time (or several read it); while another
    process holds it, this waits, retrying, for up to ``wait`` seconds (default
    :func:`wait_s`), then raises :class:`StoreBusyError`. Readers open read-only and never
    change the file.
    """
    file = store_path(path)
    if read_only and not file.exists():
        yield None
        return
    deadline = time.monotonic() + (wait_s() if wait is None else wait)
    pause = 0.02
    with _PROCESS_LOCK:
        while True:
            try:
                if not read_only:
                    file.parent.mkdir(parents=True, exist_ok=True)
                con = duckdb.connect(str(file), read_only=read_only)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise RequestError(f"cannot open the run store {file}: {exc}") from None
                if time.monotonic() >= deadline:
                    raise StoreBusyError(
                        f"the run store {file} stayed in use by another corridor process "
                        f"for {wait_s() if wait is None else wait:g} s (${WAIT_ENV} sets the "
                        "wait)"
                    ) from None
            except (OSError, duckdb.Error) as exc:
                raise RequestError(f"cannot open the run store {file}: {exc}") from None
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
        try:
            if not read_only:
                _prepare(con)
            yield con
        finally:
            con.close()


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_RUNS)
    con.execute("ALTER TABLE runs ADD COLUMN IF NOT EXISTS owner VARCHAR")
    for name, cols in RESULT_TABLES.items():
        spec = ", ".join(f"{c} {t}" for c, t in cols)
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} (run_id VARCHAR NOT NULL, {spec})")
    con.execute(_JOBS)
    # A run still 'running' whose process has gone was killed: say so once, for good.
    running = con.execute("SELECT id, owner FROM runs WHERE status = 'running'").fetchall()
    dead = [run_id for run_id, owner in running if not owner_alive(owner)]
    if dead:
        con.executemany("UPDATE runs SET status = 'interrupted' WHERE id = ?", [[d] for d in dead])


def owner() -> str:
    """This process, as recorded with the runs it writes: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(recorded: str | None) -> bool:
    """Whether the process recorded as a run's owner may still be running.

    A process on another host cannot be checked and counts as alive; a row without an
    owner (from a store written before owners were kept) counts as dead.
    """
    if not recorded:
        return False
    host, _, pid_text = recorded.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _status(status: str, recorded_owner: str | None) -> str:
    """The status a reader shows: a 'running' run whose process has gone is interrupted."""
    if status == "running" and not owner_alive(recorded_owner):
        return "interrupted"
    return status


# --------------------------------------------------------------------------- API


def begin_run(
    kind: str,
    parameters: Mapping[str, Any],
    version: str,
    *,
    store: str | os.PathLike[str] | None = None,
    wait: float | None = None,
) -> str:
    """Record a run as ``running`` before its work starts, so that a process killed
    (``kill -9``) leaves a row that reads ``interrupted``. Return its run id; give it to
    :func:`save_run` (``run_id=``) when the result is ready."""
    run_id, row = _new_run(kind, parameters, version)
    with _connect(store, wait=wait) as con:
        assert con is not None
        con.execute(
            "INSERT INTO runs (id, kind, created_at, inputs_hash, data_version, parameters, "
            "status, owner) VALUES (?, ?, ?, ?, ?, ?, 'running', ?)",
            [*row, owner()],
        )
    return run_id


def discard_run(run_id: str, *, store: str | os.PathLike[str] | None = None) -> None:
    """Remove a run still ``running`` that ended in an error before it had a result (bad
    input found once the work started): it was never a run."""
    with _connect(store, wait=2.0) as con:
        assert con is not None
        con.execute("DELETE FROM runs WHERE id = ? AND status = 'running'", [run_id])


def save_run(
    result: StorableResult,
    *,
    store: str | os.PathLike[str] | None = None,
    run_id: str | None = None,
    wait: float | None = None,
) -> str:
    """Save a result; return its run id.

    Parameters
    ----------
    result : CapacityResult, PlanResult, StressResult or FrontierResult
        What to keep.
    store : path, optional
        Store file (default: see :func:`store_path`).
    run_id : str, optional
        The id :func:`begin_run` gave; its row is completed (default: a new row).
    wait : float, optional
        Seconds to wait for a store another process is using (default :func:`wait_s`).

    Returns
    -------
    str
        The run's id, e.g. ``plan-3f9a1c2e``.

    Raises
    ------
    StoreBusyError
        The store stayed busy for ``wait`` seconds. The result is then written as JSON to
        :func:`unsaved_path`, which the message names, so it is not lost.
    """
    new_id, row = _new_run(result.kind, result.parameters, result.data_version)
    run_id = run_id or new_id
    row[0] = run_id
    try:
        with _connect(store, wait=wait) as con:
            assert con is not None
            _write_result(con, run_id, row, result)
    except RequestError as exc:
        kept = _keep_unsaved(store, run_id, result, row[2])
        raise StoreBusyError(
            f"{exc}; the result is kept in {kept} (corridor runs import {kept} stores it)"
        ) from None
    return run_id


def _write_result(
    con: duckdb.DuckDBPyConnection, run_id: str, row: list[Any], result: StorableResult
) -> None:
    con.execute(
        "INSERT INTO runs (id, kind, created_at, inputs_hash, data_version, parameters, status, "
        "owner) VALUES (?, ?, ?, ?, ?, ?, 'running', ?) ON CONFLICT (id) DO UPDATE SET "
        "inputs_hash = excluded.inputs_hash, parameters = excluded.parameters",
        [*row, owner()],
    )
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


def unsaved_path(store: str | os.PathLike[str] | None, run_id: str) -> Path:
    """Where a result that could not be stored is kept: ``unsaved-runs/RUN_ID.json`` next
    to the store file."""
    return store_path(store).parent / "unsaved-runs" / f"{run_id}.json"


def _keep_unsaved(
    store: str | os.PathLike[str] | None,
    run_id: str,
    result: StorableResult,
    created_at: datetime,
) -> Path:
    path = unsaved_path(store, run_id)
    payload = {
        "id": run_id,
        "created_at": created_at.isoformat(),
        "kind": result.kind,
        "data_version": result.data_version,
        "parameters": result.parameters,
        "headline": result.headline(),
        "result": result.to_dict(),
        "tables": result.tables(),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(canonical_json(payload), encoding="utf-8")
    except OSError as exc:
        raise StoreBusyError(
            f"the run store {store_path(store)} is in use and the result could not be kept "
            f"in {path} either: {exc.strerror or exc}"
        ) from None
    return path


@dataclass(frozen=True)
class KeptResult:
    """A result kept in ``unsaved-runs/`` (a :class:`StorableResult` read back from JSON)."""

    id: str
    created_at: datetime
    kind: str
    data_version: str
    parameters: dict[str, Any]
    headline_: dict[str, Any]
    result: dict[str, Any]
    tables_: dict[str, list[dict[str, Any]]]

    def headline(self) -> Mapping[str, Any]:
        return self.headline_

    def to_dict(self) -> dict[str, Any]:
        return self.result

    def tables(self) -> Mapping[str, list[dict[str, Any]]]:
        return self.tables_


def read_kept(file: Path) -> KeptResult:
    """A result file that :func:`save_run` kept when the store was busy.

    Raises
    ------
    RequestError
        The file cannot be read, is not JSON, or lacks a field (named in the message).
    """
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RequestError(f"{file}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(f"{file}: not a kept run (not JSON: {exc})") from None
    if not isinstance(data, dict):
        raise RequestError(f"{file}: not a kept run (a JSON object is expected)")

    def field_(name: str, kind: type) -> Any:
        value = data.get(name)
        if not isinstance(value, kind):
            raise RequestError(
                f"{file}: field '{name}' must be a {'string' if kind is str else 'JSON object'}"
                f"{'' if name in data else ' (missing)'}"
            )
        return value

    run_id, kind = field_("id", str), field_("kind", str)
    if not run_id.startswith(f"{kind}-") or not run_id[len(kind) + 1 :].isalnum():
        raise RequestError(f"{file}: field 'id' must be KIND-HEX for kind '{kind}', not '{run_id}'")
    tables = field_("tables", dict)
    for name, rows in tables.items():
        if name not in RESULT_TABLES:
            raise RequestError(
                f"{file}: field 'tables': unknown table '{name}' "
                f"(known: {', '.join(RESULT_TABLES)})"
            )
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise RequestError(f"{file}: field 'tables.{name}' must be a list of rows")
    try:
        created = datetime.fromisoformat(data["created_at"]) if "created_at" in data else None
    except (TypeError, ValueError):
        raise RequestError(f"{file}: field 'created_at' is not an ISO date and time") from None
    if created is None:  # kept before the time was written: the file's own time
        created = datetime.fromtimestamp(file.stat().st_mtime, UTC).replace(tzinfo=None)
    return KeptResult(
        run_id,
        created,
        kind,
        field_("data_version", str),
        field_("parameters", dict),
        field_("headline", dict),
        field_("result", dict),
        tables,
    )


def import_kept(
    path: str | os.PathLike[str],
    *,
    store: str | os.PathLike[str] | None = None,
    wait: float | None = None,
) -> list[tuple[Path, str, bool]]:
    """Store results kept in ``unsaved-runs/`` while the store was busy.

    Parameters
    ----------
    path : path
        One kept file, or a folder of them (``*.json``, e.g. the ``unsaved-runs`` folder).
    store : path, optional
        Store file (default: see :func:`store_path`).

    Returns
    -------
    list of (file, run id, stored)
        ``stored`` is False for a run already complete in the store (importing twice
        changes nothing). Each run keeps its id and creation time; a ``running`` or
        ``interrupted`` row of the same id (the run's start) is completed.

    Raises
    ------
    RequestError
        No such file or folder, no kept file in the folder, or a file that is not a kept
        run (every file is read before anything is written).
    """
    where = Path(path)
    if where.is_dir():
        files = sorted(where.glob("*.json"))
        if not files:
            raise RequestError(f"{where}: no kept run (*.json) in this folder")
    elif where.is_file():
        files = [where]
    else:
        raise RequestError(f"{where}: no such file or folder")
    kept = [read_kept(f) for f in files]
    done: list[tuple[Path, str, bool]] = []
    with _connect(store, wait=wait) as con:
        assert con is not None
        for file, k in zip(files, kept, strict=True):
            found = con.execute("SELECT status FROM runs WHERE id = ?", [k.id]).fetchone()
            if found is not None and found[0] == "complete":
                done.append((file, k.id, False))
                continue
            row = [
                k.id,
                k.kind,
                k.created_at,
                inputs_hash(k.kind, k.parameters, k.data_version),
                k.data_version,
                canonical_json(k.parameters),
            ]
            _write_result(con, k.id, row, k)
            done.append((file, k.id, True))
    return done


def record_interrupted(
    kind: str,
    parameters: Mapping[str, Any],
    version: str,
    progress: Mapping[str, Any],
    *,
    store: str | os.PathLike[str] | None = None,
    run_id: str | None = None,
) -> str:
    """Record a run stopped before it finished (Ctrl+C): what was asked and how far it got
    (``progress``, kept as its headline), with no result. Return its run id (``run_id``, the
    row :func:`begin_run` made, if given)."""
    new_id, row = _new_run(kind, parameters, version)
    with _connect(store) as con:
        assert con is not None
        if run_id is not None:
            con.execute(
                "UPDATE runs SET status = 'interrupted', headline = ? WHERE id = ?",
                [canonical_json(progress), run_id],
            )
            return run_id
        con.execute(
            "INSERT INTO runs (id, kind, created_at, inputs_hash, data_version, parameters, "
            "status, headline) VALUES (?, ?, ?, ?, ?, ?, 'interrupted', ?)",
            [*row, canonical_json(progress)],
        )
    return new_id


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
    if limit is not None:
        limit = validate.integer(limit, "limit", minimum=1, maximum=MAX_LIST)
    file = store_path(store)
    key = (str(file.absolute()), limit or MAX_LIST)
    stamp = _stamp(file)  # before reading: a write meanwhile makes the next call read again
    with _PROCESS_LOCK:
        cached = _LISTINGS.get(key)
        if cached is not None and cached[0] == stamp:
            rows = cached[1]
        else:
            with _connect(store, read_only=True) as con:
                if con is None:
                    return []
                rows = _select_runs(
                    con,
                    "id, kind, created_at, inputs_hash, data_version, parameters, status, headline",
                    "ORDER BY created_at DESC, id LIMIT ?",
                    [key[1]],
                )
            if len(_LISTINGS) > 64:
                _LISTINGS.clear()
            _LISTINGS[key] = (stamp, rows)
    return [_record(r[:8], owner_=r[8]) for r in rows]


# Listings by (file, limit), with the stat of the file and its write-ahead log when read:
# busy servers list the same runs many times between two writes, and opening the file costs
# tens of milliseconds. Every DuckDB commit changes the log or the file, hence the stamp.
_LISTINGS: dict[tuple[str, int], tuple[tuple[Any, ...], list[tuple[Any, ...]]]] = {}


def _stamp(file: Path) -> tuple[Any, ...]:
    parts: list[Any] = []
    for f in (file, file.with_name(file.name + ".wal")):
        try:
            st = f.stat()
        except OSError:
            parts.append(None)
            continue
        parts.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(parts)


def _select_runs(
    con: duckdb.DuckDBPyConnection, columns: str, tail: str, params: list[Any]
) -> list[tuple[Any, ...]]:
    """Rows of ``runs`` with ``columns`` and then the owner (NULL in a store written before
    owners were kept: read-only readers cannot add the column); none if no table yet."""
    for owner_column in ("owner", "NULL"):
        try:
            query = f"SELECT {columns}, {owner_column} FROM runs {tail}"
            return list(con.execute(query, params).fetchall())
        except duckdb.CatalogException:
            return []
        except duckdb.BinderException:
            if owner_column == "NULL":
                raise
    return []


def _record(
    row: tuple[Any, ...], result: str | None = None, owner_: str | None = None
) -> RunRecord:
    return RunRecord(
        id=row[0],
        kind=row[1],
        created_at=row[2],
        inputs_hash=row[3],
        data_version=row[4],
        parameters=json.loads(row[5]),
        status=_status(row[6], owner_),
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
    with _connect(store, read_only=True) as con:
        rows = []
        if con is not None:
            rows = _select_runs(
                con,
                "id, kind, created_at, inputs_hash, data_version, parameters, status, headline, "
                "result",
                "WHERE starts_with(id, ?) ORDER BY id LIMIT 6",
                [run_id],
            )
        if not rows:
            raise RequestError(f"no run '{run_id}' in the store")
        if len(rows) > 1:
            ids = ", ".join(r[0] for r in rows[:5])
            raise RequestError(f"'{run_id}' matches several runs ({ids}); give more of the id")
        assert con is not None
        record = _record(rows[0][:8], rows[0][8], rows[0][9])
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


# --------------------------------------------------------------------------- jobs

_JOB_COLUMNS = (
    "id",
    "kind",
    "params",
    "status",
    "progress",
    "created",
    "started",
    "finished",
    "error",
    "result",
)


def save_job(
    job: Mapping[str, Any],
    *,
    store: str | os.PathLike[str] | None = None,
    wait: float | None = None,
) -> None:
    """Insert or replace a web job's row (``job`` as ``JobOut``: id, kind, params, status,
    progress, created, started, finished, error, result)."""
    values = [
        job["id"],
        job["kind"],
        canonical_json(job["params"]),
        job["status"],
        float(job["progress"]),
        float(job["created"]),
        job.get("started"),
        job.get("finished"),
        job.get("error"),
        None if job.get("result") is None else canonical_json(job["result"]),
        owner(),
    ]
    with _connect(store, wait=wait) as con:
        assert con is not None
        con.execute("INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def load_jobs(
    *, store: str | os.PathLike[str] | None = None, limit: int = 1_000
) -> list[dict[str, Any]]:
    """The jobs kept, newest first, with their results; a job still queued or running
    whose server has gone reads ``interrupted``."""
    with _connect(store, read_only=True) as con:
        if con is None:
            return []
        found = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'jobs'"
        ).fetchone()
        if not found or not found[0]:
            return []
        rows = con.execute(
            f"SELECT {', '.join(_JOB_COLUMNS)}, owner FROM jobs ORDER BY created DESC LIMIT ?",
            [limit],
        ).fetchall()
    jobs = []
    for row in rows:
        job = dict(zip(_JOB_COLUMNS, row[:-1], strict=True))
        job["params"] = json.loads(job["params"])
        job["result"] = json.loads(job["result"]) if job["result"] else None
        if job["status"] in ("queued", "running") and not owner_alive(row[-1]):
            job["status"] = "interrupted"
            job["error"] = "the server stopped before this job finished"
        jobs.append(job)
    return jobs


def delete_job(job_id: str, *, store: str | os.PathLike[str] | None = None) -> None:
    """Forget a job's row."""
    with _connect(store) as con:
        assert con is not None
        con.execute("DELETE FROM jobs WHERE id = ?", [job_id])
