"""Who runs which queue item: dispatch, claims (leases), heartbeats, outcomes, reclaiming.

Every change here is a conditional UPDATE (compare-and-set on status, job id or lease), so
two workers, a late job and the scheduler can race without ever running one item twice or
turning a finished item back. Functions take a Session and never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus, Series, utcnow
from aniworld.phrases import N_, Phrase, as_phrase
from aniworld.services.file_naming import EpisodeName
from aniworld.services.queue import is_paused
from aniworld.services.queue.views import QUEUE_ORDER

# Default age after which a lease's heartbeat counts as dead (ANIWORLD_LEASE_SECONDS).
LEASE_TIMEOUT = timedelta(seconds=45)
# A dispatched job missing from Redis this long after dispatch is considered lost.
DISPATCH_GRACE = timedelta(seconds=20)
# The note of an item whose worker died (stored in English; the pages translate it).
RESUMED_NOTE = N_("the worker stopped; resuming from the partial download")

_DOWNLOADING = DownloadItem.status == ItemStatus.DOWNLOADING
_PENDING = DownloadItem.status == ItemStatus.PENDING


@dataclass(frozen=True)
class Claim(EpisodeName):
    """What a job needs to know about the item it now owns: the episode's name and the job's."""

    item_id: int
    lease: str
    series_key: str
    language: Language
    language_fallback: bool
    force: bool
    previous_hoster: str | None
    attempts: int
    # An upgrade: the language it replaces and the held copies' paths (see DownloadItem).
    upgrade_from: Language | None = None
    replaces: tuple[str, ...] = ()
    # A grab of the Sonarr bridge: the folder it goes to and its release title (the file's
    # name), instead of the library and the naming template. None: a library download.
    save_path: str | None = None
    release_name: str | None = None


def dispatch_candidates(session: Session, capacity: int, job_id_for: object,
                        now: datetime | None = None) -> list[int]:
    """Mark the next items to hand to workers (up to the free capacity) and return their ids.

    ``job_id_for`` maps an item id to its deterministic job id.
    """
    if is_paused(session):
        return []
    now = now or utcnow()
    busy = session.scalar(select(func.count(DownloadItem.id)).where(
        or_(_DOWNLOADING, and_(_PENDING, DownloadItem.job_id.is_not(None)))))
    free = capacity - (busy or 0)
    if free <= 0:
        return []
    ids = list(session.scalars(
        select(DownloadItem.id)
        .where(_PENDING, DownloadItem.job_id.is_(None),
               or_(DownloadItem.not_before.is_(None), DownloadItem.not_before <= now))
        .order_by(*QUEUE_ORDER).limit(free)))
    for item_id in ids:
        session.execute(update(DownloadItem).where(DownloadItem.id == item_id)
                        .values(job_id=job_id_for(item_id), dispatched_at=now))  # type: ignore[operator]
    return ids


def claim(session: Session, item_id: int, job_id: str) -> Claim | None:
    """Take the lease on a dispatched pending item; None when it is no longer ours to run."""
    lease = secrets.token_hex(8)
    now = utcnow()
    result = session.execute(
        update(DownloadItem)
        .where(DownloadItem.id == item_id, _PENDING, DownloadItem.job_id == job_id)
        .values(status=ItemStatus.DOWNLOADING, lease=lease, heartbeat_at=now,
                started_at=func.coalesce(DownloadItem.started_at, now), note=None))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return _describe(session, item_id, lease)


def _describe(session: Session, item_id: int, lease: str) -> Claim:
    item, series = session.execute(
        select(DownloadItem, Series).join(Series).where(DownloadItem.id == item_id)).one()
    episode = session.scalar(select(Episode).where(
        Episode.series_id == series.id, Episode.season == item.season,
        Episode.number == item.episode))
    title = (episode.title_de or episode.title_en) if episode else ""
    return Claim(
        series_title=series.title, year=series.year, series_folder=series.folder,
        season=item.season, episode=item.episode, episode_title=title, item_id=item_id,
        lease=lease, series_key=series.key, series_site=series.site, language=item.language,
        language_fallback=item.language_fallback, force=item.force,
        previous_hoster=item.hoster, attempts=item.attempts, upgrade_from=item.upgrade_from,
        replaces=tuple(item.replaced_paths), save_path=item.save_path,
        release_name=item.bridge_name)


def _owned(item_id: int, lease: str) -> list[object]:
    return [DownloadItem.id == item_id, DownloadItem.lease == lease, _DOWNLOADING]


def heartbeat(session: Session, item_id: int, lease: str) -> bool:
    """Renew the lease; False when the item is no longer ours (stop working on it)."""
    result = session.execute(update(DownloadItem).where(*_owned(item_id, lease))
                             .values(heartbeat_at=utcnow()))
    return result.rowcount == 1  # type: ignore[attr-defined]


def record_progress(session: Session, item_id: int, lease: str, downloaded: int,
                    total: int | None, speed: float | None, eta: int | None) -> bool:
    """Store progress and renew the lease in one UPDATE; False when no longer ours."""
    percent = min(100.0, downloaded * 100.0 / total) if total else 0.0
    result = session.execute(
        update(DownloadItem).where(*_owned(item_id, lease))
        .values(downloaded_bytes=downloaded, total_bytes=total, speed=speed,
                eta_seconds=eta, progress=percent, heartbeat_at=utcnow()))
    return result.rowcount == 1  # type: ignore[attr-defined]


def set_hoster(session: Session, item_id: int, lease: str, hoster: str) -> None:
    """Remember which hoster the current attempt uses."""
    session.execute(update(DownloadItem).where(*_owned(item_id, lease)).values(hoster=hoster))


REMOVED = "removed"
TAKEN_OVER = "taken-over"


def watch(session: Session, item_id: int, lease: str) -> str:
    """Return the item's status value while we hold its lease, else REMOVED or TAKEN_OVER."""
    row = session.execute(select(DownloadItem.status, DownloadItem.lease)
                          .where(DownloadItem.id == item_id)).first()
    if row is None:
        return REMOVED
    if row.lease != lease:
        return TAKEN_OVER
    return str(row.status.value)


def complete(session: Session, item_id: int, lease: str, file_path: str,
             note: str | None = None, series_folder: str | None = None) -> bool:
    """Mark our item completed with its file; False if it was not ours any more.

    ``series_folder`` becomes the series' library folder if it has none yet.
    """
    now = utcnow()
    result = session.execute(
        update(DownloadItem).where(*_owned(item_id, lease))
        .values(status=ItemStatus.COMPLETED, file_path=file_path, note=note, progress=100.0,
                completed_at=now, lease=None, job_id=None, speed=None, eta_seconds=None,
                last_error=None, last_error_phrase=None))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    if series_folder:
        series_id = select(DownloadItem.series_id).where(DownloadItem.id == item_id)
        session.execute(update(Series).where(Series.id == series_id.scalar_subquery(),
                                             Series.folder.is_(None))
                        .values(folder=series_folder))
    return True


def _error_columns(error: str | Phrase) -> dict[str, str]:
    """The English text (API, logs) and the phrase (pages in the reader's language)."""
    phrase = as_phrase(error)
    return {"last_error": str(phrase), "last_error_phrase": phrase.to_json()}


def fail(session: Session, item_id: int, lease: str, error: str | Phrase) -> bool:
    """Mark our item failed for good, counting the attempt."""
    result = session.execute(
        update(DownloadItem).where(*_owned(item_id, lease))
        .values(status=ItemStatus.FAILED, **_error_columns(error),
                attempts=DownloadItem.attempts + 1,
                lease=None, job_id=None, speed=None, eta_seconds=None))
    return result.rowcount == 1  # type: ignore[attr-defined]


def retry_later(session: Session, item_id: int, lease: str, error: str | Phrase,
                delay: int) -> bool:
    """Count the failed attempt and put the item back to pending after ``delay`` seconds."""
    result = session.execute(
        update(DownloadItem).where(*_owned(item_id, lease))
        .values(status=ItemStatus.PENDING, **_error_columns(error),
                attempts=DownloadItem.attempts + 1,
                not_before=utcnow() + timedelta(seconds=delay), lease=None, job_id=None,
                speed=None, eta_seconds=None))
    return result.rowcount == 1  # type: ignore[attr-defined]


def release(session: Session, item_id: int, lease: str) -> bool:
    """Give up the lease after a pause, cancel or removal by the user."""
    result = session.execute(update(DownloadItem)
                             .where(DownloadItem.id == item_id, DownloadItem.lease == lease)
                             .values(lease=None, job_id=None, speed=None, eta_seconds=None))
    return result.rowcount == 1  # type: ignore[attr-defined]


def reclaim_stale(session: Session, lease_timeout: timedelta = LEASE_TIMEOUT,
                  now: datetime | None = None) -> list[int]:
    """Put items whose worker died (stale heartbeat) back to pending; return their ids."""
    cutoff = (now or utcnow()) - lease_timeout
    stale = _DOWNLOADING & or_(DownloadItem.heartbeat_at.is_(None),
                               DownloadItem.heartbeat_at < cutoff)
    ids = list(session.scalars(select(DownloadItem.id).where(stale)))
    if ids:
        session.execute(update(DownloadItem).where(DownloadItem.id.in_(ids), stale)
                        .values(status=ItemStatus.PENDING, lease=None, job_id=None,
                                speed=None, eta_seconds=None,
                                note=RESUMED_NOTE))
    return ids


def dispatched_jobs(session: Session, now: datetime | None = None) -> dict[int, str]:
    """Pending items handed to RQ longer than the grace period ago: id → job id."""
    cutoff = (now or utcnow()) - DISPATCH_GRACE
    rows = session.execute(select(DownloadItem.id, DownloadItem.job_id).where(
        _PENDING, DownloadItem.job_id.is_not(None), DownloadItem.dispatched_at < cutoff))
    return {row.id: row.job_id for row in rows}


def forget_dispatch(session: Session, item_ids: list[int]) -> None:
    """Clear the job of pending items whose RQ job was lost, so they are dispatched again."""
    if item_ids:
        session.execute(update(DownloadItem)
                        .where(DownloadItem.id.in_(item_ids), _PENDING)
                        .values(job_id=None))
