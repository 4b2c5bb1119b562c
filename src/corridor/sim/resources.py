"""The simulated resources: berths and yards (SimPy resources with statistics), the wagon
queue at a ferry port, the sea's open/closed state and the class 7 consolidation at Poti.

Statistics are kept over a measurement window (after the warm-up, to the end of the
horizon) so that the empty start does not bias queue lengths and utilisation.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import simpy


@dataclass(frozen=True)
class Window:
    """The measurement window ``[start_h, end_h)`` in simulation hours."""

    start_h: float
    end_h: float

    @property
    def hours(self) -> float:
        return self.end_h - self.start_h

    def overlap(self, a: float, b: float) -> float:
        """Hours of ``[a, b)`` inside the window."""
        return max(0.0, min(b, self.end_h) - max(a, self.start_h))

    def contains(self, t: float) -> bool:
        return self.start_h <= t < self.end_h


class TimeAverage:
    """A piecewise-constant level (a queue length, servers busy) and its time average."""

    def __init__(self, env: simpy.Environment, window: Window) -> None:
        self.env, self.window = env, window
        self.level = 0.0
        self.peak = 0.0
        self._last = env.now
        self._area = 0.0

    def add(self, delta: float) -> None:
        now = self.env.now
        self._area += self.level * self.window.overlap(self._last, now)
        self._last = now
        self.level += delta
        if self.window.contains(now):
            self.peak = max(self.peak, self.level)

    def mean(self) -> float:
        """Time-average level over the window (call at or after its end)."""
        tail = self.level * self.window.overlap(self._last, self.window.end_h)
        return (self._area + tail) / self.window.hours


class Berth:
    """``count`` identical servers in FIFO order (a :class:`simpy.Resource`) with statistics.

    Used for ferry berths and gauge-change yards. ``waits`` holds the wait of every request
    made inside the window.
    """

    def __init__(self, env: simpy.Environment, count: int, window: Window, name: str) -> None:
        self.env, self.name, self.count, self.window = env, name, count, window
        self.resource = simpy.Resource(env, capacity=count)
        self.queue = TimeAverage(env, window)
        self.busy = TimeAverage(env, window)
        self.waits: list[float] = []

    def acquire(self) -> Generator[simpy.Event, Any, simpy.Resource]:
        """Wait for a server (``req = yield from berth.acquire()``)."""
        t0 = self.env.now
        req = self.resource.request()
        self.queue.add(1)
        yield req
        self.queue.add(-1)
        self.busy.add(1)
        if self.window.contains(t0):
            self.waits.append(self.env.now - t0)
        return req  # type: ignore[return-value]

    def release(self, req: Any) -> None:
        self.resource.release(req)
        self.busy.add(-1)

    def serve(self, hours: float) -> Generator[simpy.Event, Any, None]:
        """Wait for a server, hold it ``hours``, release it."""
        req = yield from self.acquire()
        yield self.env.timeout(hours)
        self.release(req)

    def utilisation(self) -> float:
        return self.busy.mean() / self.count


@dataclass(eq=False)
class Consignment:
    """A train (or a class 7 lot) moving through the model; the traced cargo is one of them."""

    id: int
    kind: str
    wagons: int
    tonnes: float
    start_h: float
    stages: list[tuple[str, str, float, float]] = field(default_factory=list)
    """(stage label, node or link id, start hour, end hour)."""
    remaining: int = 0
    units: int = 0
    """Wagons (rail ferry) or TEU (feeder) it takes up in the fleet's queue."""
    last_sailing_h: float = 0.0
    end_h: float = 0.0
    done: simpy.Event | None = None

    def record(self, label: str, where: str, start_h: float, end_h: float) -> None:
        self.stages.append((label, where, start_h, end_h))


class FerryPort:
    """Wagons (or TEU, for the feeders) waiting at a port for a sailing, the port's berths
    and its throughput."""

    def __init__(
        self,
        env: simpy.Environment,
        node: str,
        berths: int,
        window: Window,
        share: float,
        name: str | None = None,
    ) -> None:
        self.env, self.node, self.window, self.share = env, node, window, share
        self.berth = Berth(env, berths, window, name or f"{node} ferry berths")
        self.yard: deque[list[Any]] = deque()
        self.waiting = TimeAverage(env, window)
        self.inbound = 0
        self.loaded_t = 0.0
        self._signal = env.event()

    def join(self, c: Consignment, units: int | None = None) -> None:
        """A train enters the queue as ``units`` wagons or TEU (default its wagons); every
        one must sail before it can go on."""
        n = c.wagons if units is None else units
        c.remaining = c.units = n
        c.done = self.env.event()
        self.yard.append([c, n])
        self.waiting.add(n)
        if not self._signal.triggered:
            self._signal.succeed()

    def arrival(self) -> simpy.Event:
        """An event that fires at the next arrival of wagons."""
        if self._signal.triggered:
            self._signal = self.env.event()
        return self._signal

    def take(self, room: int) -> list[tuple[Consignment, int]]:
        """Load up to ``room`` wagons, oldest first (a train may be split across ferries)."""
        out: list[tuple[Consignment, int]] = []
        while room > 0 and self.yard:
            entry = self.yard[0]
            n = min(room, entry[1])
            out.append((entry[0], n))
            entry[1] -= n
            room -= n
            if entry[1] == 0:
                self.yard.popleft()
        taken = sum(n for _, n in out)
        if taken:
            self.waiting.add(-taken)
        return out

    @property
    def queued_wagons(self) -> int:
        return int(self.waiting.level)


class Sea:
    """Open or closed by storms: sorted, non-overlapping closure intervals in hours."""

    def __init__(self, closures: list[tuple[float, float]]) -> None:
        merged: list[tuple[float, float]] = []
        for a, b in sorted(closures):
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        self.closures = merged
        self._starts = [a for a, _ in merged]

    def closed_until(self, t: float) -> float | None:
        """End of the closure ``t`` falls in, or None when the sea is open."""
        i = bisect.bisect_right(self._starts, t) - 1
        if i >= 0 and t < self.closures[i][1]:
            return self.closures[i][1]
        return None

    def closed_hours(self, window: Window) -> float:
        return sum(window.overlap(a, b) for a, b in self.closures)


class Consolidation:
    """Class 7 cargo waiting at Poti until a charter lot is complete."""

    def __init__(self, env: simpy.Environment, lot_t: float, window: Window) -> None:
        self.env, self.lot_t, self.window = env, lot_t, window
        self.pending: list[simpy.Event] = []
        self.pending_t = 0.0
        self.charters = 0
        self.waits: list[float] = []

    def join(self, tonnes: float) -> simpy.Event:
        """Wait for the charter; it sails once the waiting cargo reaches the lot size."""
        event = self.env.event()
        t0 = self.env.now
        event.callbacks.append(lambda _e: self._wait(t0))
        self.pending.append(event)
        self.pending_t += tonnes
        if self.pending_t >= self.lot_t:
            if self.window.contains(self.env.now):
                self.charters += 1
            for e in self.pending:
                e.succeed()
            self.pending, self.pending_t = [], 0.0
        return event

    def _wait(self, t0: float) -> None:
        if self.window.contains(t0):
            self.waits.append(self.env.now - t0)


class LinerBerth:
    """Container berths at a port of call: the liner and other vessels queue for them. The
    gate closes at the liner's scheduled call: the cargo waiting then leaves with it once it
    has got a berth and its handling is done, so a berth queue delays the cargo aboard (and
    cargo arriving while the liner waits at anchor takes the next call)."""

    def __init__(self, env: simpy.Environment, berths: int, window: Window, name: str) -> None:
        self.env, self.window = env, window
        self.berth = Berth(env, berths, window, name)
        self.waiting: list[simpy.Event] = []
        self.calls = 0
        self.berth_waits: list[float] = []

    def board(self) -> simpy.Event:
        """Wait for the next liner that berths after now; fires when it leaves."""
        event = self.env.event()
        self.waiting.append(event)
        return event

    def call(self, hours: float) -> Generator[simpy.Event, Any, None]:
        """One call of the liner: close the gate, queue for a berth, load ``hours``, leave."""
        t0 = self.env.now
        aboard, self.waiting = self.waiting, []
        req = yield from self.berth.acquire()
        if self.window.contains(t0):
            self.calls += 1
            self.berth_waits.append(self.env.now - t0)
        yield self.env.timeout(hours)
        self.berth.release(req)
        for e in aboard:
            e.succeed()
