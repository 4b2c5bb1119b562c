"""Background jobs: submit, follow progress, cancel, and fetch the result by id.

A job is a function of a :class:`JobContext` run on a worker thread. It reports progress
with :meth:`JobContext.progress`, which also raises :class:`JobCancelled` once cancellation
was asked for, so cancelling takes effect at the job's next progress report (a job that has
not started yet is cancelled at once). At most ``max_active`` jobs are queued or running at
once; one more is refused with :class:`TooManyJobs`. Finished jobs are kept for fetching,
the oldest forgotten first beyond ``max_kept``.

With ``persist``, every job also lives in the run store's ``jobs`` table (written when it is
submitted, starts, reports progress — at most every :data:`PROGRESS_EVERY_S` seconds — and
ends), so a restarted server lists the jobs it had, serves their results, and shows a job
that was running when the server stopped as ``interrupted``, with its parameters.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import CorridorError
from corridor.store import StoreBusyError
from corridor.store.jobs import delete_job, load_jobs, save_job

log = logging.getLogger("corridor.web.jobs")

ACTIVE = ("queued", "running")
PROGRESS_EVERY_S = 2.0
"""Least time between two progress writes of one job to the store."""

JobFunction = Callable[["JobContext"], dict[str, Any]]


class JobCancelled(Exception):
    """Raised inside a job when its cancellation was asked for."""


class TooManyJobs(Exception):
    """The concurrent-job limit is reached."""


class UnknownJob(KeyError):
    """No job has this id (never existed, or forgotten)."""


@dataclass
class Job:
    """One background job and everything known about it so far."""

    id: str
    kind: str
    params: dict[str, Any]
    created: float
    status: str = "queued"
    progress: float = 0.0
    started: float | None = None
    finished: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    saved_at: float = field(default=0.0, repr=False)

    def snapshot(self, with_result: bool) -> dict[str, Any]:
        """The job as plain data (the ``JobOut`` shape); the result only if asked."""
        return {
            "id": self.id,
            "kind": self.kind,
            "params": self.params,
            "status": self.status,
            "progress": self.progress,
            "cancel_requested": self.cancel.is_set(),
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "error": self.error,
            "result": self.result if with_result else None,
        }


class JobContext:
    """What a running job may do: report progress and notice cancellation."""

    def __init__(
        self, job: Job, lock: threading.Lock, saved: Callable[[Job, bool], None] | None = None
    ) -> None:
        self._job = job
        self._lock = lock
        self._saved = saved

    def progress(self, fraction: float) -> None:
        """Record progress (0..1) and stop the job here if it was cancelled.

        Raises
        ------
        JobCancelled
            If cancellation was asked for.
        """
        self.check()
        with self._lock:
            self._job.progress = min(max(float(fraction), self._job.progress), 1.0)
        if self._saved is not None:
            self._saved(self._job, False)

    def check(self) -> None:
        """Raise :class:`JobCancelled` if cancellation was asked for."""
        if self._job.cancel.is_set():
            raise JobCancelled


class JobManager:
    """Runs jobs on a bounded pool of worker threads and keeps their state.

    Parameters
    ----------
    max_active : int
        Jobs queued or running at once; also the number of worker threads.
    max_kept : int
        Finished jobs remembered (the oldest are forgotten first).
    store : path, optional
        Run store file holding the jobs (default: as for runs).
    persist : bool
        Keep jobs in the store, and start with the jobs it holds.
    """

    def __init__(
        self,
        max_active: int = 4,
        max_kept: int = 100,
        *,
        store: str | os.PathLike[str] | None = None,
        persist: bool = False,
    ) -> None:
        self.max_active = max_active
        self.max_kept = max_kept
        self.store = store
        self.persist = persist
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._persist_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=max_active, thread_name_prefix="corridor-job")
        if persist:
            self._restore()

    def _restore(self) -> None:
        """The jobs the store holds, oldest first; those whose server stopped are
        recorded as interrupted for good."""
        try:
            kept = load_jobs(store=self.store, limit=self.max_kept)
        except CorridorError as exc:
            log.warning("jobs of an earlier server not restored: %s", exc)
            return
        for row in reversed(kept):
            job = Job(row["id"], row["kind"], row["params"], row["created"], row["status"])
            job.progress, job.started, job.finished = (
                row["progress"],
                row["started"],
                row["finished"],
            )
            job.result, job.error = row["result"], row["error"]
            if job.status == "interrupted" and job.finished is None:
                job.finished = time.time()
                self._save(job, True)
            self._jobs[job.id] = job

    def _save(self, job: Job, final: bool) -> None:
        """Write a job's state to the store (progress at most every few seconds, and never
        holding the job up long: a busy store skips a progress write, not a final one)."""
        if not self.persist:
            return
        now = time.monotonic()
        if not final and now - job.saved_at < PROGRESS_EVERY_S:
            return
        with self._persist_lock:
            with self._lock:
                snapshot = job.snapshot(with_result=True)
                if not final and snapshot["status"] not in ACTIVE:
                    return
            job.saved_at = now
            try:
                save_job(snapshot, store=self.store, wait=None if final else 0.5)
            except StoreBusyError:
                if final:
                    log.warning("job %s not saved in the run store: it is busy", job.id)
            except CorridorError as exc:
                log.warning("job %s not saved in the run store: %s", job.id, exc)

    def _unsave(self, job_ids: list[str]) -> None:
        if not self.persist:
            return
        for job_id in job_ids:
            try:
                delete_job(job_id, store=self.store)
            except CorridorError as exc:
                log.warning("job %s not removed from the run store: %s", job_id, exc)

    def submit(self, kind: str, params: dict[str, Any], run: JobFunction) -> dict[str, Any]:
        """Queue ``run`` as a new job and return its snapshot.

        Raises
        ------
        TooManyJobs
            If ``max_active`` jobs are already queued or running.
        """
        with self._lock:
            if sum(j.status in ACTIVE for j in self._jobs.values()) >= self.max_active:
                raise TooManyJobs
            job = Job(secrets.token_hex(16), kind, params, time.time())
            self._jobs[job.id] = job
            forgotten = self._forget_old()
            snapshot = job.snapshot(with_result=False)
        self._save(job, True)
        self._unsave(forgotten)
        self._pool.submit(self._run, job, run)
        return snapshot

    def get(self, job_id: str) -> dict[str, Any]:
        """Snapshot of one job, with its result once done."""
        with self._lock:
            return self._find(job_id).snapshot(with_result=True)

    def snapshots(self) -> list[dict[str, Any]]:
        """Snapshots of every job kept, newest first, without results."""
        with self._lock:
            return [j.snapshot(with_result=False) for j in reversed(self._jobs.values())]

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a queued or running job; forget a finished one. Returns its snapshot."""
        with self._lock:
            job = self._find(job_id)
            forget = job.status not in ACTIVE
            if not forget:
                job.cancel.set()
                if job.status == "queued":
                    self._finish(job, "cancelled", None, None)
            else:
                del self._jobs[job_id]
            snapshot = job.snapshot(with_result=False)
        if forget:
            self._unsave([job_id])
        elif snapshot["status"] == "cancelled":
            self._save(job, True)
        return snapshot

    def shutdown(self) -> None:
        """Cancel every active job and stop the worker threads."""
        with self._lock:
            for job in self._jobs.values():
                job.cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _find(self, job_id: str) -> Job:
        try:
            return self._jobs[job_id]
        except KeyError:
            raise UnknownJob(job_id) from None

    def _forget_old(self) -> list[str]:
        finished = [j.id for j in self._jobs.values() if j.status not in ACTIVE]
        forgotten = finished[: max(len(finished) - self.max_kept, 0)]
        for job_id in forgotten:
            del self._jobs[job_id]
        return forgotten

    def _run(self, job: Job, run: JobFunction) -> None:
        with self._lock:
            if job.status != "queued":
                return
            job.status, job.started = "running", time.time()
        self._save(job, True)
        outcome = _outcome(job, run, JobContext(job, self._lock, self._save))
        with self._lock:
            self._finish(job, *outcome)
            forgotten = self._forget_old()
        self._save(job, True)
        self._unsave(forgotten)

    @staticmethod
    def _finish(job: Job, status: str, result: dict[str, Any] | None, error: str | None) -> None:
        job.status, job.result, job.error = status, result, error
        job.finished = time.time()
        if status == "done":
            job.progress = 1.0


def _outcome(
    job: Job, run: JobFunction, ctx: JobContext
) -> tuple[str, dict[str, Any] | None, str | None]:
    """Run a job to its end: (status, result, error)."""
    try:
        result = run(ctx)
        ctx.check()
    except JobCancelled:
        return "cancelled", None, None
    except StoreBusyError as exc:
        return "failed", None, exc.public  # the message with the store's path is for the log
    except CorridorError as exc:
        return "failed", None, str(exc)
    except Exception:
        log.exception("job %s (%s) failed", job.id, job.kind)
        return "failed", None, "internal error (the server log has the details)"
    return "done", result, None
