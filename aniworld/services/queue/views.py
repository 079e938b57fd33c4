"""Read-only views of the queue for pages, the API, pollers and workers."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session, selectinload

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.models.download_item import QUEUED_STATUSES, EpisodeLabels, episode_code
from aniworld.phrases import Phrase
from aniworld.services.queue.state import is_paused

# Download order: priority (high first), then position; id breaks ties deterministically.
QUEUE_ORDER = (DownloadItem.priority, DownloadItem.position, DownloadItem.id)


class _PendingRow(NamedTuple):
    """The columns of :data:`WAITING`, in order."""

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
    last_error_phrase: str | None
    not_before: datetime | None
    note: str | None
    series_site: str
    status: ItemStatus
    upgrade_from: Language | None
    # A Sonarr grab (services/bridge): its category ("" for none) and save path; None else.
    bridge_category: str | None
    save_path: str | None


class PendingItem(EpisodeLabels, _PendingRow):
    """A pending queue item as the pending list shows it; not attached to any session."""

    __slots__ = ()


# Built once: composing the statement cost as much as reading a short page.
WAITING = (
    select(DownloadItem.id, DownloadItem.series_id, Series.title, DownloadItem.season,
           DownloadItem.episode, DownloadItem.language, DownloadItem.priority,
           DownloadItem.position, DownloadItem.attempts, DownloadItem.downloaded_bytes,
           DownloadItem.last_error, DownloadItem.last_error_phrase, DownloadItem.not_before,
           DownloadItem.note, Series.site, DownloadItem.status, DownloadItem.upgrade_from,
           DownloadItem.bridge_category, DownloadItem.save_path)
    .join(Series).order_by(*QUEUE_ORDER)
)
_PENDING = WAITING.where(DownloadItem.status == ItemStatus.PENDING)


class ItemProgress(NamedTuple):
    """What a running download's progress bar and figures show."""

    id: int
    season: int
    episode: int
    progress: float
    downloaded_bytes: int
    total_bytes: int | None
    speed: float | None
    eta_seconds: int | None
    hoster: str | None

    @property
    def code(self) -> str:
        """Short episode label, e.g. ``S01E05``."""
        return episode_code(self.season, self.episode)


_PROGRESS = (
    select(DownloadItem.id, DownloadItem.season, DownloadItem.episode, DownloadItem.progress,
           DownloadItem.downloaded_bytes, DownloadItem.total_bytes, DownloadItem.speed,
           DownloadItem.eta_seconds, DownloadItem.hoster)
    .where(DownloadItem.status == ItemStatus.DOWNLOADING).order_by(*QUEUE_ORDER)
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


def list_queue(session: Session, history_limit: int = 200, pending_limit: int | None = None,
               pending_offset: int = 0) -> QueueView:
    """Return the queue with each item's series loaded, in display order.

    ``pending_limit`` and ``pending_offset`` page the waiting items (all of them by default;
    0 reads none, for views that show them grouped: ``pending_groups``).
    """
    view = QueueView(paused=is_paused(session))
    view.active = list(session.scalars(
        _items().where(DownloadItem.status == ItemStatus.DOWNLOADING).order_by(*QUEUE_ORDER)))
    if pending_limit != 0:
        waiting = _items().where(DownloadItem.status.in_(QUEUED_STATUSES))
        view.pending = list(session.scalars(
            waiting.order_by(*QUEUE_ORDER).limit(pending_limit).offset(pending_offset)))
    view.completed = finished_items(session, ItemStatus.COMPLETED, history_limit)
    view.failed = finished_items(session, ItemStatus.FAILED, history_limit)
    view.cancelled = finished_items(session, ItemStatus.CANCELLED, history_limit)
    return view


def check_page(limit: int, offset: int) -> None:
    """Raise ``ValidationError`` for a page size below 1 or a negative offset."""
    if limit < 1:
        raise ValidationError(Phrase("limit must be 1 or more, not %(limit)s", limit=limit),
                              "limit")
    if offset < 0:
        raise ValidationError(Phrase("offset cannot be negative, not %(offset)s",
                                     offset=offset), "offset")


def pending_items(session: Session, limit: int = 500, offset: int = 0) -> list[PendingItem]:
    """Return pending items in download order (priority, then position) as read-only rows."""
    check_page(limit, offset)
    # Core rows of the listed columns on the session's connection: no ORM objects, identity
    # map or second query for the series, which made up most of reading a long queue.
    rows = session.connection().execute(_PENDING.limit(limit).offset(offset)).all()
    return list(map(PendingItem._make, rows))


def queue_version(session: Session) -> str:
    """Return a short fingerprint of the queue's structure (not of running downloads' progress).

    It changes when an item is added, removed or changes status, order or priority, and when
    the queue is paused or resumed; ``progress_version`` follows the progress of downloads.
    """
    # Any insert or update moves max(updated_at) and a delete changes the count, but the
    # running items' own rows move with every progress write and heartbeat: they are left
    # out of the maximum and counted by id instead. An item that stops running gets a new
    # updated_at in another status, one that starts changes the running ids.
    running = DownloadItem.status == ItemStatus.DOWNLOADING
    count, latest, running_ids = session.execute(select(
        func.count(DownloadItem.id),
        func.max(case((running, None), else_=DownloadItem.updated_at)),
        func.sum(case((running, DownloadItem.id), else_=0)))).one()
    raw = f"{count}|{latest}|{running_ids}|{int(is_paused(session))}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def waiting_version(session: Session) -> str:
    """Return a short fingerprint of the waiting (pending and paused) items alone.

    Unlike ``queue_version`` it stays when a download finishes or the queue is paused, so
    views of the waiting list (``pending_groups``) are read again only when it changes.
    """
    count, latest = session.execute(
        select(func.count(DownloadItem.id), func.max(DownloadItem.updated_at))
        .where(DownloadItem.status.in_(QUEUED_STATUSES))).one()
    return hashlib.sha1(f"{count}|{latest}".encode()).hexdigest()[:16]


def active_progress(session: Session, item_ids: Collection[int]) -> list[ItemProgress]:
    """Return the progress of those of ``item_ids`` that are downloading, in queue order."""
    if not item_ids:
        return []
    statement = _PROGRESS.where(DownloadItem.id.in_(list(item_ids)))
    return list(map(ItemProgress._make, session.connection().execute(statement).all()))


def progress_version(progress: list[ItemProgress]) -> str:
    """Return a short fingerprint of what the progress bars of ``progress`` show."""
    return hashlib.sha1(repr(progress).encode()).hexdigest()[:16]


def history_counts(session: Session) -> dict[ItemStatus, int]:
    """Count the completed, failed and cancelled items."""
    finished = (ItemStatus.COMPLETED, ItemStatus.FAILED, ItemStatus.CANCELLED)
    rows = session.execute(select(DownloadItem.status, func.count(DownloadItem.id))
                           .where(DownloadItem.status.in_(finished))
                           .group_by(DownloadItem.status)).all()
    return {status: 0 for status in finished} | dict(rows)  # type: ignore[arg-type]


def _items() -> Select[tuple[DownloadItem]]:
    """Base query for items whose series will be serialised alongside them."""
    return select(DownloadItem).options(selectinload(DownloadItem.series))


def finished_items(session: Session, status: ItemStatus, limit: int,
                   offset: int = 0) -> list[DownloadItem]:
    """Items in a finished state (completed, failed, cancelled), newest first."""
    newest = (DownloadItem.completed_at if status is ItemStatus.COMPLETED
              else DownloadItem.updated_at)
    statement = (_items().where(DownloadItem.status == status)
                 .order_by(newest.desc(), DownloadItem.id.desc()).limit(limit).offset(offset))
    return list(session.scalars(statement))
