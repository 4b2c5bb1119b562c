"""The web server's background jobs, kept in the run store's ``jobs`` table so that a
restarted server still lists them."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from corridor._json import canonical_json
from corridor.store._file import connect, owner, owner_alive

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
    with connect(store, wait=wait) as con:
        assert con is not None
        con.execute("INSERT OR REPLACE INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def load_jobs(
    *, store: str | os.PathLike[str] | None = None, limit: int = 1_000
) -> list[dict[str, Any]]:
    """The jobs kept, newest first, with their results; a job still queued or running
    whose server has gone reads ``interrupted``."""
    with connect(store, read_only=True) as con:
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
    with connect(store) as con:
        assert con is not None
        con.execute("DELETE FROM jobs WHERE id = ?", [job_id])
