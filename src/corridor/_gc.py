"""Cyclic garbage collection paused while a big computation makes many objects.

A network of 100,000 links holds millions of objects; each full collection walks them all
again, and a plan (graphs, search tables, labels, routes: tuples and dicts by the million,
almost none in a cycle) set off enough collections to take about a tenth of its time.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Cyclic garbage collection off inside the block, as it was after the last one open
    (threads may nest blocks: the first in turns collection off, the last out restores it;
    a process that turned it off itself keeps it off). Reference counting still frees
    every object that is not in a cycle as soon as it is dropped."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
