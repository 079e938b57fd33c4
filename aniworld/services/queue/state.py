"""What a user does to queue items and to the queue as a whole.

A job's own changes (claim, progress, completion, failure) are the leased, conditional
UPDATEs of ``services/execution.py``; nothing here starts or finishes a download.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete
from sqlalchemy.orm import Session

from aniworld.models import DownloadItem, ItemStatus
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
    _forget_queued_job(item)
    item.not_before = None
    session.flush()
    logger.info("queue resume item_id=%s", item_id)
    return item


def cancel_item(session: Session, item_id: int) -> DownloadItem:
    """Cancel one item; its partial data is deleted (by the job, or by the next sweep)."""
    item = lock_item(session, item_id)
    item.mark_cancelled()
    _forget_queued_job(item)
    session.flush()
    logger.info("queue cancel item_id=%s", item_id)
    return item


def _forget_queued_job(item: DownloadItem) -> None:
    """Drop the job id of an item no job holds; its queued job (if any) will then skip it."""
    if item.lease is None:
        item.job_id = None
