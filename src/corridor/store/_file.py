"""The store's file: where it is, its tables, and a connection that waits while another
process holds it (see :mod:`corridor.store`)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import platformdirs

from corridor.errors import RequestError

STORE_ENV = "CORRIDOR_STORE"
WAIT_ENV = "CORRIDOR_STORE_WAIT_S"
DEFAULT_WAIT_S = 30.0
"""Seconds a writer or reader waits for a store another process is using."""

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
PROCESS_LOCK = threading.RLock()


@contextmanager
def connect(
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
    with PROCESS_LOCK:
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


def run_status(status: str, recorded_owner: str | None) -> str:
    """The status a reader shows: a 'running' run whose process has gone is interrupted."""
    if status == "running" and not owner_alive(recorded_owner):
        return "interrupted"
    return status
