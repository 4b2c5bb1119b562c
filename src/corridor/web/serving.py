"""How the application is served: uvicorn, on uvloop with the httptools parser when they are
installed (the ``web`` extra installs both; else asyncio's own loop and the h11 parser, which
served about a fifth of the requests per second on a 2-core machine), in one worker process.

One worker process, because a server's background jobs live in its process (a job submitted
to one worker would be unknown to the next request's) and the run store, one DuckDB file,
takes one writing process at a time. On 2 cores a second worker did not raise the median
rate either: the clients and the rest of the machine take the other core
(``benchmarks/bench_web.py --workers 2``).

On the event loop or in the thread pool: a routes or compare answer already sent for the
same body is sent again on the event loop (:mod:`corridor.web.answers`, tens of
microseconds); a new one is computed in the thread pool, like every other computing
endpoint, so that a search of milliseconds to seconds never holds up the answers the loop
is sending.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn


def loop_and_parser() -> tuple[str, str]:
    """The event loop and the HTTP parser uvicorn is given: ``("uvloop", "httptools")``
    when installed, else ``("asyncio", "h11")`` (each on its own)."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return loop, http


def server_options(**extra: Any) -> dict[str, Any]:
    """The uvicorn options the server runs with (``uvicorn.run`` or ``uvicorn.Config``
    keywords besides the application, host and port; ``extra`` added or overriding)."""
    loop, http = loop_and_parser()
    return {
        "loop": loop,
        "http": http,
        "log_level": "warning",
        "access_log": False,
        "server_header": False,
        **extra,
    }


def server_config(app: Any, host: str, port: int, **extra: Any) -> uvicorn.Config:
    """The uvicorn configuration of :func:`server_options` for ``app`` on ``host:port``
    (the benchmark's; ``workers`` in ``extra`` is only described, see :func:`describe`)."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, **server_options(**extra))


def describe(config: uvicorn.Config) -> str:
    """The worker count, event loop and parser of ``config``, in words."""
    count = f"{config.workers} worker process{'es' if config.workers > 1 else ''}"
    return f"{count}, each one event loop ({config.loop}) with the {config.http} HTTP parser"
