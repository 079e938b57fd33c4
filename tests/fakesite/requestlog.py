"""A thread-safe log of the requests a server answered, with timing for concurrency checks."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
LOGGED_HEADERS = (
    "Host", "User-Agent", "Referer", "Cookie", "X-Requested-With", "Origin", "Range",
    "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site",
)


@dataclass
class RequestRecord:
    """One request: what was asked, by whom, and when it started and finished (monotonic s)."""

    server: str
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: str
    start: float
    end: float | None = None
    status: int | None = None

    def to_json(self) -> dict[str, object]:
        """Plain-dict form for the admin endpoint."""
        return asdict(self)


def max_concurrency(records: list[RequestRecord]) -> int:
    """Largest number of requests whose [start, end] intervals overlap at one instant."""
    events: list[tuple[float, int]] = []
    for record in records:
        events.append((record.start, 1))
        events.append((record.end if record.end is not None else float("inf"), -1))
    # At equal times an end sorts before a start: touching intervals do not overlap.
    events.sort()
    current = best = 0
    for _, delta in events:
        current += delta
        best = max(best, current)
    return best


class LockedList(Generic[T]):
    """A list that handler threads append to and tests read, behind one lock."""

    def __init__(self) -> None:
        self._items: list[T] = []
        self._lock = threading.Lock()

    def add(self, item: T) -> T:
        """Append an item and return it."""
        with self._lock:
            self._items.append(item)
        return item

    def snapshot(self) -> list[T]:
        """A copy of the items so far."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        """Forget every item."""
        with self._lock:
            self._items.clear()


class RequestLog(LockedList[RequestRecord]):
    """Records appended by handler threads (each end filled in later) and read by tests."""
