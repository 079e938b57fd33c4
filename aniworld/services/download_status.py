"""The queue in one glance for dashboards (``GET /api/v1/status``). Session in, no commit.

What Homepage's ``customapi`` widget and similar tiles show: how many downloads run, how
far along they are together, how fast, how long until they are done, what waits, what
failed, and the last episode that arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, joinedload

from aniworld.models import DownloadItem, ItemStatus
from aniworld.services.metrics import queue_counts
from aniworld.services.queue import is_paused


@dataclass(frozen=True)
class LastCompleted:
    """The episode that completed last."""

    series_key: str
    series_title: str
    season: int
    episode: int
    code: str
    language: str
    at: datetime | None


@dataclass(frozen=True)
class DownloadStatus:
    """Figures of the running downloads and the queue.

    ``progress`` is the percentage of the running items together (bytes when every one
    knows its size, else the mean of their percentages); ``eta_seconds`` is when the last
    of them should end at the current speed (None while none knows yet).
    """

    active: int
    progress: float
    speed: float
    eta_seconds: int | None
    pending: int
    paused: int
    failed: int
    completed: int
    queue_paused: bool
    last_completed: LastCompleted | None


def download_status(session: Session) -> DownloadStatus:
    """Read the dashboard figures in four small queries."""
    counts = queue_counts(session)
    running = session.execute(
        select(DownloadItem.progress, DownloadItem.downloaded_bytes, DownloadItem.total_bytes,
               DownloadItem.speed, DownloadItem.eta_seconds)
        .where(DownloadItem.status == ItemStatus.DOWNLOADING)).all()
    etas = [row.eta_seconds for row in running if row.eta_seconds is not None]
    return DownloadStatus(
        active=len(running), progress=_progress(running),
        speed=float(sum(row.speed or 0 for row in running)),
        eta_seconds=max(etas) if etas else (0 if not running else None),
        pending=counts[ItemStatus.PENDING], paused=counts[ItemStatus.PAUSED],
        failed=counts[ItemStatus.FAILED], completed=counts[ItemStatus.COMPLETED],
        queue_paused=is_paused(session), last_completed=_last_completed(session))


def _progress(running: Sequence[Row[Any]]) -> float:
    if not running:
        return 0.0
    if all(row.total_bytes for row in running):
        done = sum(min(row.downloaded_bytes, row.total_bytes) for row in running)
        return round(100.0 * done / sum(row.total_bytes for row in running), 1)
    return round(sum(row.progress for row in running) / len(running), 1)


def _last_completed(session: Session) -> LastCompleted | None:
    item = session.scalars(
        select(DownloadItem).options(joinedload(DownloadItem.series))
        .where(DownloadItem.status == ItemStatus.COMPLETED,
               DownloadItem.completed_at.is_not(None))
        .order_by(DownloadItem.completed_at.desc(), DownloadItem.id.desc()).limit(1)).first()
    if item is None:
        return None
    return LastCompleted(item.series.public_key, item.series.title, item.season, item.episode,
                         item.code, item.language.value, item.completed_at)
