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
    :func:`load_jobs`, in :mod:`corridor.store.jobs`). What differs between two runs:
    :mod:`corridor.store.diff`.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import duckdb

from corridor import validate
from corridor._json import canonical_json
from corridor.errors import RequestError
from corridor.i18n import Message
from corridor.network.model import Network
from corridor.store._file import (
    DEFAULT_WAIT_S,
    PROCESS_LOCK,
    RESULT_TABLES,
    STORE_ENV,
    WAIT_ENV,
    StoreBusyError,
    connect,
    owner,
    owner_alive,
    run_status,
    store_path,
    wait_s,
)

__all__ = [
    "DEFAULT_WAIT_S",
    "MAX_LIST",
    "RESULT_TABLES",
    "STORE_ENV",
    "WAIT_ENV",
    "StoreBusyError",
    "owner",
    "owner_alive",
    "store_path",
    "wait_s",
]

MAX_LIST = 10_000
"""Most runs one listing returns."""


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


# --------------------------------------------------------------------------- hashing


def data_version(net: Network) -> str:
    """SHA-256 of the network's tables (see :attr:`Network.data_version`)."""
    return net.data_version


def inputs_hash(kind: str, parameters: Mapping[str, Any], version: str) -> str:
    """SHA-256 of what determines a run's answer: its kind, parameters and data."""
    text = canonical_json({"kind": kind, "parameters": parameters, "data_version": version})
    return hashlib.sha256(text.encode()).hexdigest()


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
    with connect(store, wait=wait) as con:
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
    with connect(store, wait=2.0) as con:
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
        with connect(store, wait=wait) as con:
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
            raise RequestError(Message("runs_no_kept", where=str(where)))
    elif where.is_file():
        files = [where]
    else:
        raise RequestError(Message("runs_no_such_path", where=str(where)))
    kept = [read_kept(f) for f in files]
    done: list[tuple[Path, str, bool]] = []
    with connect(store, wait=wait) as con:
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
    with connect(store) as con:
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
    with PROCESS_LOCK:
        cached = _LISTINGS.get(key)
        if cached is not None and cached[0] == stamp:
            rows = cached[1]
        else:
            with connect(store, read_only=True) as con:
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
        status=run_status(row[6], owner_),
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
    with connect(store, read_only=True) as con:
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
            raise RequestError(Message("runs_no_run", run=run_id))
        if len(rows) > 1:
            ids = ", ".join(r[0] for r in rows[:5])
            raise RequestError(Message("runs_several", run=run_id, ids=ids))
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
