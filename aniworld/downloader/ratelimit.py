"""Bandwidth limits: the interface the engine calls and an in-process token bucket."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class RateLimiter(Protocol):
    """Anything that blocks until ``nbytes`` may be consumed (a Redis one can be shared)."""

    def acquire(self, nbytes: int) -> None:
        """Block until ``nbytes`` may be transferred."""


class TokenBucket:
    """Thread-safe token bucket: ``rate`` bytes/s with bursts up to ``burst`` bytes."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = float(rate)
        # A quarter second of burst keeps the limit tight without starving big chunks.
        self.burst = float(burst) if burst is not None else self.rate / 4
        self._tokens = self.burst
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self, nbytes: int) -> None:
        """Take ``nbytes`` tokens, sleeping off any debt outside the lock."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            # Going into debt lets one chunk larger than the burst through, paid for later.
            self._tokens -= nbytes
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            time.sleep(wait)
