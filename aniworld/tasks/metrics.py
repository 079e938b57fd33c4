"""Counters for /metrics that outlive a process: downloads, bytes and failures by hoster.

The runner publishes an event after the outcome is committed; this subscriber adds it to the
durable ``metric_counter`` rows in its own short transaction, so every worker host counts
into the same numbers and a restart loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from aniworld.models import DownloadItem
from aniworld.services import metrics
from aniworld.tasks.events import DownloadFailed, DownloadFinished, Event
from aniworld.tasks.runtime import Runtime

logger = logging.getLogger(__name__)

# What one event adds: (counter name, amount) pairs, read from the finished queue item.
Amounts = Callable[[DownloadItem], Iterable[tuple[str, int]]]


def on_event(runtime: Runtime, event: Event) -> None:
    """Count a delivered file (downloads and bytes) or a download that failed for good.

    A file that was already in the library counts as neither: nothing was downloaded.
    """
    if isinstance(event, DownloadFinished) and not event.already_present:
        path = event.file_path
        _count(runtime, event.item_id,
               lambda item: [(metrics.DOWNLOADS, 1), (metrics.BYTES, _file_size(path, item))])
    elif isinstance(event, DownloadFailed):
        _count(runtime, event.item_id, lambda item: [(metrics.FAILURES, 1)])


def _count(runtime: Runtime, item_id: int, amounts: Amounts) -> None:
    with runtime.sessions() as session:
        item = session.get(DownloadItem, item_id)
        if item is None:  # removed by the user in the meantime: nothing says which hoster
            logger.info("metrics item gone item=%s", item_id)
            return
        for name, amount in amounts(item):
            metrics.add_to_counter(session, name, item.series.site, item.hoster, amount)
        session.commit()


def _file_size(file_path: str, item: DownloadItem) -> int:
    """Bytes of the delivered file (an absolute library path); the item's count if unreadable."""
    try:
        return Path(file_path).stat().st_size
    except OSError:
        return max(item.downloaded_bytes, item.total_bytes or 0)
