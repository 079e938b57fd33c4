"""Counters for /metrics that outlive a process: downloads, bytes and failures by hoster."""

from __future__ import annotations

from aniworld.tasks.events import Event
from aniworld.tasks.runtime import Runtime


def on_event(runtime: Runtime, event: Event) -> None:
    """React to a background event (to be filled in by this integration)."""
