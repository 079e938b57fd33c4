"""Delete partial downloads whose item no longer needs them (cancelled, done, removed)."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.models import DownloadItem, ItemStatus
from aniworld.tasks.download import workspace

logger = logging.getLogger(__name__)

# Statuses whose partial data may still be resumed.
RESUMABLE = (ItemStatus.PENDING, ItemStatus.PAUSED, ItemStatus.DOWNLOADING, ItemStatus.FAILED)


def sweep_partials(sessions: sessionmaker[Session], library: Path) -> list[int]:
    """Remove partial folders of items that are cancelled, completed or gone; return ids."""
    on_disk = workspace.partial_item_ids(library)
    if not on_disk:
        return []
    with sessions() as session:
        keep = set(session.scalars(select(DownloadItem.id).where(
            DownloadItem.id.in_(on_disk), DownloadItem.status.in_(RESUMABLE))))
        session.rollback()
    orphans = [item_id for item_id in on_disk if item_id not in keep]
    for item_id in orphans:
        workspace.discard_item(library, item_id)
    if orphans:
        logger.info("partial data removed items=%s", orphans)
    return orphans
