"""Monitoring's state in the database: when a round is due, and what a refresh queues.

The scheduler asks :func:`due` every few seconds and records a request with
:func:`mark_requested`; the round itself (network, one transaction per series) is
:mod:`aniworld.tasks.monitor`. Every refresh, the user's too, goes through
:func:`apply_refresh`. The status lives in the ``setting`` table (key :data:`STATUS_KEY`),
so every process can show it. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.models import Series, utcnow
from aniworld.services.catalog import SeriesSnapshot, store_snapshot
from aniworld.services.library.overview import library_report, queue_episodes
from aniworld.services.library.upgrades import queue_series_upgrades
from aniworld.services.settings import AppSettings
from aniworld.services.settings_store import get_record, set_record

STATUS_KEY = "library.monitor"


@dataclass(frozen=True)
class MonitorStatus:
    """When the last round was requested, started and finished, and what it found."""

    requested_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    message: str = ""
    failed: bool = False

    @property
    def running(self) -> bool:
        """True between the start of a round and its end (or its worker's death)."""
        return self.started_at is not None and (
            self.finished_at is None or self.finished_at < self.started_at)

    def last_round(self) -> datetime | None:
        """When the latest round was requested or started, whichever is later."""
        stamps = [stamp for stamp in (self.requested_at, self.started_at) if stamp]
        return max(datetime.fromisoformat(stamp) for stamp in stamps) if stamps else None


def load_status(session: Session) -> MonitorStatus:
    """The stored status (empty if monitoring never ran)."""
    return get_record(session, STATUS_KEY, MonitorStatus)


def store_status(session: Session, status: MonitorStatus) -> MonitorStatus:
    """Store ``status`` (no commit)."""
    return set_record(session, STATUS_KEY, status)


def due(session: Session, settings: AppSettings, now: datetime | None = None) -> bool:
    """Whether a round should be requested now: monitoring is on and the interval elapsed.

    Costs nothing when monitoring is off and one primary-key read otherwise, because the
    scheduler asks every few seconds.
    """
    if settings.monitor_interval_hours <= 0:
        return False
    last = load_status(session).last_round()
    interval = timedelta(hours=settings.monitor_interval_hours)
    return last is None or (now or utcnow()) - last >= interval


def mark_requested(session: Session, now: datetime | None = None) -> MonitorStatus:
    """Record that a round was requested (no commit); :func:`due` counts from here."""
    stamp = (now or utcnow()).isoformat()
    return store_status(session, replace(load_status(session), requested_at=stamp))


def any_monitored(session: Session) -> bool:
    """Whether at least one series is monitored (no round is worth a job otherwise)."""
    query = select(Series.id).where(Series.monitored.is_(True)).limit(1)
    return session.scalar(query) is not None


def apply_refresh(session: Session, series_id: int, snapshot: SeriesSnapshot,
                  settings: AppSettings) -> tuple[int, int]:
    """Store the snapshot; if monitored, queue the new missing episodes; no commit.

    Returns (new episodes, queued). Every refresh goes through here, the user's too:
    otherwise a manual refresh after a release would make the new episode "known" and
    the next round would never queue it. A monitored series also gets its language
    upgrades queued (counted in "queued"): a dub that appears for an episode held as a sub
    is no new episode, only a refresh shows it.
    """
    series = session.get(Series, series_id)
    if series is None or series.key != snapshot.info.key:
        return 0, 0  # deleted while the site was being read
    # Only episodes that were out count as known: one listed before its release (aniworld
    # shows an announcement without languages) is new on the day it gets a language.
    known = {(episode.season, episode.number) for episode in series.episodes
             if episode.languages}
    # A series never refreshed has no episode list to compare with: this refresh is its
    # baseline, or turning monitoring on would queue the whole back catalogue.
    baseline = series.refreshed_at is None
    store_snapshot(session, snapshot, series.site)
    new = {(episode.season, episode.number) for episode in snapshot.episodes
           if episode.languages} - known
    if baseline or not new or not series.monitored:
        return (0 if baseline else len(new)), queue_series_upgrades(session, series, settings)
    session.flush()
    report = library_report(session, settings, [series.id])[0]
    wanted = [missing for missing in report.missing if (missing.season, missing.number) in new]
    queued = queue_episodes(session, series, wanted)[0]
    return len(new), queued + queue_series_upgrades(session, series, settings)
