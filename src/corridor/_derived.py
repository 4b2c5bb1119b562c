"""Derived state kept with the immutable object it is derived from.

A :class:`Network` (or a commodity graph) owns one :class:`Derived` slot. Whatever is computed
from it — commodity graphs, capacities, its data version, search indexes — is built once per
key, kept with the object and dropped with it: no module-level cache keeps a scenario network
alive. Builds are serialised by a lock, so threads serving web jobs share one copy.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


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


class Lazy(Mapping[str, T], Generic[R, T]):
    """Values by id, each made from its record by ``make`` when first read (a caller that
    reads few of many pays for those few). ``make`` should be a module-level function or a
    ``functools.partial`` of one, so that the mapping pickles."""

    def __init__(self, records: Mapping[str, R], make: Callable[[R], T]) -> None:
        self._records, self._make = records, make
        self._made: dict[str, T] = {}

    def __getitem__(self, key: str) -> T:
        try:
            return self._made[key]
        except KeyError:
            got = self._made[key] = self._make(self._records[key])
            return got

    def __contains__(self, key: object) -> bool:
        return key in self._records

    def __iter__(self) -> Iterator[str]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)
