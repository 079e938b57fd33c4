"""Delete what nobody needs any more: partial downloads of finished, cancelled or removed
items, and replaced files whose days in the holding folder are over."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.library import swap
from aniworld.models import DownloadItem, ItemStatus, utcnow
from aniworld.services.execution import LEASE_TIMEOUT
from aniworld.tasks.download import upgrade, workspace

logger = logging.getLogger(__name__)

# Statuses whose partial data may still be resumed.
RESUMABLE = (ItemStatus.PENDING, ItemStatus.PAUSED, ItemStatus.DOWNLOADING, ItemStatus.FAILED)


def sweep_partials(sessions: sessionmaker[Session], library: Path) -> list[int]:
    """Remove partial folders of items that are cancelled, completed or gone; return ids.

    An upgrade cancelled or removed half-way through its swap (its worker died, then the
    user gave up on it) is finished first when its new file is already in place, so the
    series folder does not keep the old copy beside the new one.
    """
    on_disk = workspace.partial_item_ids(library)
    if not on_disk:
        return []
    alive = utcnow() - LEASE_TIMEOUT
    with sessions() as session:
        # A worker still beating on a just-cancelled item may be inside its swap: leave its
        # folder to it (it cleans up itself), or two processes would run the same swap.
        keep = set(session.scalars(select(DownloadItem.id).where(
            DownloadItem.id.in_(on_disk),
            or_(DownloadItem.status.in_(RESUMABLE),
                and_(DownloadItem.lease.is_not(None), DownloadItem.heartbeat_at >= alive)))))
        session.rollback()
    orphans = [item_id for item_id in on_disk if item_id not in keep]
    for item_id in orphans:
        _settle(library, item_id)
        workspace.discard_item(library, item_id)
    if orphans:
        logger.info("partial data removed items=%s", orphans)
    return orphans


def sweep_holding(data_dir: Path, days: int) -> list[Path]:
    """Delete the holding folder's day folders older than ``days`` days (UTC dates)."""
    return swap.sweep_holding(swap.holding_root(data_dir), days, datetime.now(UTC).date())


def _settle(library: Path, item_id: int) -> None:
    journal = upgrade.staging_dir(library, item_id) / swap.JOURNAL
    try:
        if swap.settle(journal):
            logger.info("half-done upgrade swap finished item=%s", item_id)
    except swap.SwapError as exc:
        logger.warning("half-done upgrade swap left as it is item=%s error=%s", item_id,
                       exc.message)
