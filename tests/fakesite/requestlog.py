"""A thread-safe log of the requests a server answered, with timing for concurrency checks."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field

LOGGED_HEADERS = (
    "User-Agent", "Referer", "Cookie", "X-Requested-With", "Origin", "Range",
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


@dataclass
class RequestLog:
    """Records appended by handler threads and read by tests."""

    _records: list[RequestRecord] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: RequestRecord) -> None:
        """Append a record (its end is filled in later by the handler)."""
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        """A copy of the records so far."""
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        """Forget every record."""
        with self._lock:
            self._records.clear()
