"""Derived state kept with the immutable object it is derived from.

A :class:`Network` (or a commodity graph) owns one :class:`Derived` slot. Whatever is computed
from it — commodity graphs, capacities, its data version, search indexes — is built once per
key, kept with the object and dropped with it: no module-level cache keeps a scenario network
alive. Builds are serialised by a lock, so threads serving web jobs share one copy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Derived:
    """A get-or-build store of values derived from one immutable object.

    Parameters
    ----------
    limit : int
        Most values kept; the oldest goes first (graphs are the big ones).
    """

    def __init__(self, limit: int = 256) -> None:
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.RLock()
        self._limit = limit

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value under ``key``, built by ``build()`` the first time it is asked for."""
        try:
            value: T = self._values[key]
        except KeyError:
            with self._lock:
                if key not in self._values:
                    self._values[key] = build()
                    if len(self._values) > self._limit:
                        self._values.popitem(last=False)
                value = self._values[key]
        return value

    def drop(self, which: Callable[[Hashable], bool]) -> None:
        """Forget the values whose key ``which`` accepts (built again when next asked)."""
        with self._lock:
            for key in [k for k in self._values if which(k)]:
                del self._values[key]

    def peek(self, key: Hashable) -> Any | None:
        """The value under ``key`` if it was built, else None (never builds, never waits:
        an event loop can ask)."""
        return self._values.get(key)

    def __len__(self) -> int:
        return len(self._values)
