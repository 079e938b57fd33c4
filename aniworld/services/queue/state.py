"""State changes of queue items and of the queue as a whole."""

from __future__ import annotations

import logging

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from aniworld.errors import ValidationError
from aniworld.models import DownloadItem, ItemStatus, utcnow
from aniworld.services.queue._common import lock_item
from aniworld.services.settings_store import get_setting, set_setting

logger = logging.getLogger(__name__)

PAUSED_KEY = "queue_paused"


def remove_item(session: Session, item_id: int) -> None:
    """Delete the item, or mark it cancelled while it is downloading (its job must stop)."""
    item = lock_item(session, item_id)
    if item.status is ItemStatus.DOWNLOADING:
        item.mark_cancelled()
    else:
        session.delete(item)
    session.flush()
    logger.info("queue remove item_id=%s", item_id)


def mark_downloading(session: Session, item_id: int, job_id: str | None = None,
                     hoster: str | None = None) -> DownloadItem:
    """Claim the item for a download; raises ``ConflictError`` unless it is waiting."""
    item = lock_item(session, item_id)
    item.mark_downloading(job_id=job_id, hoster=hoster)
    session.flush()
    return item


def mark_completed(session: Session, item_id: int, file_path: str) -> DownloadItem:
    """Record the downloaded file; raises ``ConflictError`` unless downloading."""
    item = lock_item(session, item_id)
    item.mark_completed(file_path)
    session.flush()
    return item


def mark_failed(session: Session, item_id: int, error: str) -> DownloadItem:
    """Record a failed attempt; raises ``ConflictError`` if the item is finished or held."""
    item = lock_item(session, item_id)
    item.mark_failed(error)
    session.flush()
    logger.info("queue failed item_id=%s attempts=%d error=%s", item_id, item.attempts, error)
    return item


def record_progress(session: Session, item_id: int, downloaded_bytes: int,
                    total_bytes: int | None, speed: float | None,
                    eta_seconds: int | None) -> bool:
    """Store download progress in one UPDATE; returns False if the item is not downloading.

    A False return tells the worker its item was paused, cancelled or removed meanwhile.
    """
    if downloaded_bytes < 0:
        raise ValidationError("downloaded_bytes cannot be negative", "downloaded_bytes")
    values: dict[str, object] = {
        "downloaded_bytes": downloaded_bytes, "total_bytes": total_bytes, "speed": speed,
        "eta_seconds": eta_seconds, "updated_at": utcnow(),
    }
    if total_bytes:
        values["progress"] = min(100.0, downloaded_bytes * 100.0 / total_bytes)
    statement = (update(DownloadItem)
                 .where(DownloadItem.id == item_id,
                        DownloadItem.status == ItemStatus.DOWNLOADING)
                 .values(values)
                 .execution_options(synchronize_session="fetch"))
    return session.execute(statement).rowcount == 1


def clear_completed(session: Session) -> int:
    """Delete every completed item and return how many were deleted."""
    statement = (delete(DownloadItem).where(DownloadItem.status == ItemStatus.COMPLETED)
                 .execution_options(synchronize_session="evaluate"))
    count = session.execute(statement).rowcount
    logger.info("queue clear_completed deleted=%d", count)
    return count


def pause_queue(session: Session) -> None:
    """Stop handing out new downloads (running ones are left alone)."""
    set_setting(session, PAUSED_KEY, True)


def resume_queue(session: Session) -> None:
    """Hand out downloads again."""
    set_setting(session, PAUSED_KEY, False)


def is_paused(session: Session) -> bool:
    """Return whether the queue is paused."""
    return bool(get_setting(session, PAUSED_KEY, False))


def pause_item(session: Session, item_id: int) -> DownloadItem:
    """Hold one item; a running download stops within seconds and keeps its partial data."""
    item = lock_item(session, item_id)
    was_running = item.status is ItemStatus.DOWNLOADING
    item.mark_paused()
    if not was_running:
        # Its queued job (if any) will find the row no longer dispatched to it and skip.
        item.job_id = None
    session.flush()
    logger.info("queue pause item_id=%s running=%s", item_id, was_running)
    return item


def resume_item(session: Session, item_id: int) -> DownloadItem:
    """Let a paused item be downloaded again, continuing from its partial data."""
    item = lock_item(session, item_id)
    item.mark_resumed()
    if item.lease is None:
        item.job_id = None
    item.not_before = None
    session.flush()
    logger.info("queue resume item_id=%s", item_id)
    return item


def cancel_item(session: Session, item_id: int) -> DownloadItem:
    """Cancel one item; its partial data is deleted (by the job, or by the next sweep)."""
    item = lock_item(session, item_id)
    item.mark_cancelled()
    if item.lease is None:
        item.job_id = None
    session.flush()
    logger.info("queue cancel item_id=%s", item_id)
    return item
