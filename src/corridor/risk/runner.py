"""Running many years: in chunks, locally or on Dask, reduced in order (same seed, same numbers)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from corridor.errors import InvalidParameterError, RequestError

if TYPE_CHECKING:
    from distributed import Client

from corridor.risk import _common
from corridor.risk._common import DEFAULT_YEARS, THRESHOLDS, FloatArray
from corridor.risk.model import RiskModel
from corridor.risk.sampling import sample_shares
from corridor.risk.tally import Tally, chunk_tally


def sample_years(model: RiskModel, seed: int, years: int) -> FloatArray:
    """The event shares of the first ``years`` years of a seeded run (events, years)."""
    blocks = []
    for chunk, n in enumerate(_chunk_sizes(years)):
        blocks.append(
            sample_shares(model.events, _common.CHUNK_YEARS, seed, chunk, model.timing)[:, :n]
        )
    return np.hstack(blocks)


def _chunk_sizes(years: int) -> Iterator[int]:
    """The years of each chunk, one at a time (planned lazily: nothing grows with years)."""
    full, rest = divmod(years, _common.CHUNK_YEARS)
    for _ in range(full):
        yield _common.CHUNK_YEARS
    if rest:
        yield rest


# --------------------------------------------------------------------------- running


Progress = Callable[[int], None]
"""Called with the number of years done so far."""

ChunkTask = Callable[..., Any]
"""``task(shared, seed, chunk, years, *args)``: the tally of chunk ``chunk`` (its first
``years`` years), an object with ``merge``. A module-level function, so that Dask ships it
by name."""


def run_chunks(
    task: ChunkTask,
    shared: Any,
    seed: int,
    years: int,
    args: tuple[Any, ...],
    progress: Progress,
    client: Client | None,
) -> Any:
    """The tallies of every chunk of ``years`` years, folded in chunk order, in this process
    (``client`` None) or on Dask. ``shared`` (the compiled model) goes to each worker once."""
    if client is not None:
        return _run_dask(task, shared, seed, years, args, progress, client)
    reducer, done = _InOrder(), 0
    for chunk, n in enumerate(_chunk_sizes(years)):
        reducer.add(chunk, task(shared, seed, chunk, n, *args))
        done += n
        progress(done)
    return reducer.result()


class _InOrder:
    """Folds tallies in chunk order, whatever order they arrive in."""

    def __init__(self) -> None:
        self.total: Any = None
        self.next = 0
        self.waiting: dict[int, Any] = {}

    def add(self, chunk: int, part: Any) -> None:
        self.waiting[chunk] = part
        while self.next in self.waiting:
            ready = self.waiting.pop(self.next)
            self.total = ready if self.total is None else self.total.merge(ready)
            self.next += 1

    def result(self) -> Any:
        assert self.total is not None and not self.waiting
        return self.total


def _run_dask(
    task: ChunkTask,
    shared: Any,
    seed: int,
    years: int,
    args: tuple[Any, ...],
    progress: Progress,
    client: Client,
) -> Any:
    """Chunks as Dask tasks, a few per worker in flight, folded in chunk order.

    ``shared`` is scattered to every worker once (tasks get a reference to it); each task
    returns its chunk's tally only. Chunks are submitted in order and at most ``window``
    are held (running or waiting for an earlier one), so memory stays bounded however many
    years are asked for.
    """
    from distributed import as_completed

    ref = client.scatter(shared, broadcast=True)  # type: ignore[no-untyped-call]
    window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    pending = iter(enumerate(_chunk_sizes(years)))
    futures: dict[Any, tuple[int, int]] = {}
    finished = as_completed()  # type: ignore[no-untyped-call]
    reducer, done = _InOrder(), 0

    def submit() -> None:
        while len(futures) + len(reducer.waiting) < window:
            item = next(pending, None)
            if item is None:
                return
            fut = client.submit(task, ref, seed, item[0], item[1], *args)
            futures[fut] = item
            finished.add(fut)  # type: ignore[no-untyped-call]

    try:
        submit()
        for fut in finished:
            chunk, n = futures.pop(fut)
            reducer.add(chunk, fut.result())
            done += n
            progress(done)
            submit()
    finally:
        client.cancel(list(futures))  # type: ignore[no-untyped-call]
    return reducer.result()


DASHBOARD_HOST = "127.0.0.1"
"""Dask's dashboard, when asked for, listens on loopback only (on a free port)."""

Announce = Callable[[str], None]
"""Called with the address of the dashboard once it listens."""


@contextmanager
def dask_client(
    workers: int | None,
    scheduler: str | None,
    client: Client | None,
    dashboard: Announce | None = None,
) -> Iterator[Client | None]:
    """The client to run on: the one given, one for ``scheduler``, a local cluster, or None."""
    if dashboard is not None and (client is not None or scheduler is not None or not workers):
        raise RequestError(
            "the dashboard shows the local Dask cluster started with a number of workers; "
            "a scheduler given by address serves its own dashboard"
        )
    if client is not None or (scheduler is None and not workers):
        yield client
        return
    try:
        from distributed import Client
    except ImportError:
        raise RequestError(
            "running on several workers or a scheduler needs Dask, which is not installed: "
            'pip install "corridor[risk]"'
        ) from None

    if scheduler is not None:
        with Client(scheduler) as remote:  # type: ignore[no-untyped-call]
            yield remote
        return
    assert workers is not None
    cluster = local_cluster(workers, dashboard)
    with cluster, Client(cluster) as local:  # type: ignore[no-untyped-call]
        yield local


_dask = dask_client


def local_cluster(workers: int, dashboard: Announce | None = None) -> Any:
    """A local Dask cluster of ``workers`` single-threaded processes that ignore Ctrl+C.

    Its dashboard is off unless ``dashboard`` is given; then it listens on 127.0.0.1 only,
    on a free port, and ``dashboard`` is called with its address.

    Raises
    ------
    RequestError
        Dask is not installed, or the dashboard is asked for without Bokeh.
    """
    import logging

    try:
        from distributed import LocalCluster
    except ImportError:
        raise RequestError(
            "running on several workers needs Dask, which is not installed: "
            'pip install "corridor[risk]"'
        ) from None
    if dashboard is not None:
        import importlib.util

        if importlib.util.find_spec("bokeh") is None:
            raise RequestError(
                '--dashboard needs Bokeh, which is not installed: pip install "corridor[dashboard]"'
            )
    import dask

    # The scheduler always starts an HTTP server; dashboard_address=None alone leaves it on
    # port 8787 serving /health, /metrics and /info. Off means no routes and a free
    # loopback port; on means the dashboard's routes, still on loopback only.
    routes: dict[str, list[str]] = (
        {} if dashboard is not None else {"distributed.scheduler.http.routes": []}
    )
    with _workers_ignore_sigint(), dask.config.set(routes):
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=f"{DASHBOARD_HOST}:0",
            scheduler_kwargs={"dashboard": dashboard is not None},
            silence_logs=logging.CRITICAL,
        )
    if dashboard is not None:
        dashboard(cluster.dashboard_link)
    return cluster


@contextmanager
def _workers_ignore_sigint() -> Iterator[None]:
    """Start worker processes with Ctrl+C ignored (an ignored signal stays ignored in a
    child), so that Ctrl+C stops the run in this process only and the cluster is closed
    quietly, instead of every worker printing its own KeyboardInterrupt traceback."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run(
    model: RiskModel,
    *,
    years: int = DEFAULT_YEARS,
    seed: int = 0,
    thresholds: Sequence[float] = THRESHOLDS,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Client | None = None,
    progress: Progress | None = None,
    dashboard: Announce | None = None,
) -> Tally:
    """Simulate ``years`` years of a compiled model, in one process or on Dask.

    Parameters
    ----------
    model : RiskModel
        From :func:`compile_model`.
    years, seed : int
        How many years, and the seed (same seed, same numbers, however the work is spread).
    thresholds : sequence of float
        Shares of volume for the exceedance counts.
    workers : int, optional
        Run on a local Dask cluster of this many single-threaded processes.
    scheduler : str, optional
        Run on the Dask cluster whose scheduler has this address.
    client : distributed.Client, optional
        Run on this Dask client (e.g. an in-process cluster).
    progress : callable, optional
        Called with the number of years done after each chunk.
    dashboard : callable, optional
        With ``workers``: start Dask's dashboard on 127.0.0.1 (a free port) and call this
        with its address. Off by default.
    """
    if not 1 <= years <= _common.MAX_YEARS:
        raise InvalidParameterError(
            "years",
            years,
            f"from 1 to {_common.MAX_YEARS:,}",
            f"the number of years must be from 1 to {_common.MAX_YEARS:,} (the cap), not {years:,}",
        )
    if seed < 0:
        raise InvalidParameterError(
            "seed",
            seed,
            "a non-negative integer",
            f"the seed must be a non-negative integer, not {seed}",
        )
    check_workers(workers)
    report = progress or (lambda done: None)
    with dask_client(workers, scheduler, client, dashboard) as on:
        args = (tuple(thresholds),)
        tally: Tally = run_chunks(chunk_tally, model, seed, years, args, report, on)
        return tally


def check_workers(workers: int | None) -> None:
    """A number of workers, when given, is at least 1."""
    if workers is not None and workers < 1:
        raise InvalidParameterError(
            "workers",
            workers,
            "at least 1",
            f"the number of workers must be at least 1, not {workers}",
        )


# --------------------------------------------------------------------------- results
