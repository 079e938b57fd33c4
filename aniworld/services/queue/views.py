"""Read-only views of the queue for pages, the API, pollers and workers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.models.download_item import episode_code
from aniworld.services.queue.state import is_paused

# Download order: priority (high first), then position; id breaks ties deterministically.
QUEUE_ORDER = (DownloadItem.priority, DownloadItem.position, DownloadItem.id)


class PendingItem(NamedTuple):
    """A pending queue item as the pending list shows it; not attached to any session."""

    id: int
    series_id: int
    series_title: str
    season: int
    episode: int
    language: Language
    priority: Priority
    position: int
    attempts: int
    downloaded_bytes: int
    last_error: str | None
    not_before: datetime | None
    note: str | None

    @property
    def code(self) -> str:
        """Short episode label, e.g. ``S01E05`` (or ``Film 3`` for season 0)."""
        return episode_code(self.season, self.episode)


# Built once: composing the statement cost as much as reading a short page.
_PENDING = (
    select(DownloadItem.id, DownloadItem.series_id, Series.title, DownloadItem.season,
           DownloadItem.episode, DownloadItem.language, DownloadItem.priority,
           DownloadItem.position, DownloadItem.attempts, DownloadItem.downloaded_bytes,
           DownloadItem.last_error, DownloadItem.not_before, DownloadItem.note)
    .join(Series).where(DownloadItem.status == ItemStatus.PENDING).order_by(*QUEUE_ORDER)
)


@dataclass
class QueueView:
    """The queue grouped for display; history lists are newest first."""

    paused: bool
    active: list[DownloadItem] = field(default_factory=list)
    pending: list[DownloadItem] = field(default_factory=list)
    completed: list[DownloadItem] = field(default_factory=list)
    failed: list[DownloadItem] = field(default_factory=list)
    cancelled: list[DownloadItem] = field(default_factory=list)


def list_queue(session: Session, history_limit: int = 200,
               pending_limit: int | None = None) -> QueueView:
    """Return the whole queue with each item's series loaded, in display order."""
    view = QueueView(paused=is_paused(session))
    view.active = list(session.scalars(
        _items().where(DownloadItem.status == ItemStatus.DOWNLOADING).order_by(*QUEUE_ORDER)))
    waiting = _items().where(DownloadItem.status.in_((ItemStatus.PENDING, ItemStatus.PAUSED)))
    view.pending = list(session.scalars(
        waiting.order_by(*QUEUE_ORDER).limit(pending_limit)))
    view.completed = _history(session, ItemStatus.COMPLETED, history_limit)
    view.failed = _history(session, ItemStatus.FAILED, history_limit)
    view.cancelled = _history(session, ItemStatus.CANCELLED, history_limit)
    return view


def pending_items(session: Session, limit: int = 500, offset: int = 0) -> list[PendingItem]:
    """Return pending items in download order (priority, then position) as read-only rows."""
    if limit < 1:
        raise ValidationError(f"limit must be 1 or more, not {limit}", "limit")
    if offset < 0:
        raise ValidationError(f"offset cannot be negative, not {offset}", "offset")
    # Core rows of the listed columns on the session's connection: no ORM objects, identity
    # map or second query for the series, which made up most of reading a long queue.
    rows = session.connection().execute(_PENDING.limit(limit).offset(offset)).all()
    return list(map(PendingItem._make, rows))


def queue_version(session: Session) -> str:
    """Return a short fingerprint that changes whenever an item or the paused flag changes."""
    # Any insert or update moves max(updated_at); a delete changes the count.
    count, latest = session.execute(
        select(func.count(DownloadItem.id), func.max(DownloadItem.updated_at))).one()
    stamp = latest.isoformat() if latest is not None else ""
    raw = f"{count}|{stamp}|{int(is_paused(session))}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def _items() -> Select[tuple[DownloadItem]]:
    """Base query for items whose series will be serialised alongside them."""
    return select(DownloadItem).options(selectinload(DownloadItem.series))


def _history(session: Session, status: ItemStatus, limit: int) -> list[DownloadItem]:
    """Newest ``limit`` items in a finished state."""
    newest = (DownloadItem.completed_at if status is ItemStatus.COMPLETED
              else DownloadItem.updated_at)
    statement = (_items().where(DownloadItem.status == status)
                 .order_by(newest.desc(), DownloadItem.id.desc()).limit(limit))
    return list(session.scalars(statement))
