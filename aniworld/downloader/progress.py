"""Throttled progress reports with a smoothed speed and an ETA."""

from __future__ import annotations

import time
from collections.abc import Callable

from aniworld.downloader.types import Progress

SMOOTHING = 0.3  # weight of the newest speed sample; damps the jitter of single intervals


class Reporter:
    """Calls ``on_progress`` at most every ``interval`` seconds (and once at the end)."""

    def __init__(self, on_progress: Callable[[Progress], None], interval: float) -> None:
        self.on_progress = on_progress
        self.interval = interval
        self.speed: float | None = None
        self._last_time: float | None = None
        self._last_bytes = 0

    def tick(self, downloaded: int, total: int | None, *, force: bool = False) -> None:
        """Report if the interval has passed (or ``force``)."""
        now = time.monotonic()
        if self._last_time is None:
            self._last_time, self._last_bytes = now, downloaded
            if not force:
                return
        elapsed = now - self._last_time
        if not force and elapsed < self.interval:
            return
        # A final report right after the previous one would give a meaningless spike.
        if elapsed >= min(0.2, self.interval / 2):
            sample = max(0, downloaded - self._last_bytes) / elapsed
            self.speed = (
                sample
                if self.speed is None
                else (SMOOTHING * sample + (1 - SMOOTHING) * self.speed)
            )
        self._last_time, self._last_bytes = now, downloaded
        self.on_progress(Progress(downloaded, total, self.speed, self._eta(downloaded, total)))

    def _eta(self, downloaded: int, total: int | None) -> int | None:
        if total is None or not self.speed:
            return None
        return max(0, round((total - downloaded) / self.speed))
