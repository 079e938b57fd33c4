"""Monitoring's state in the database: when a round is due, and what a refresh queues.

The scheduler asks :func:`due` every few seconds and records a request with
:func:`mark_requested`; a user asks for a round now with :func:`request_round`. The round
itself (feed, network, one transaction per series) is :mod:`aniworld.tasks.monitor`. Every
refresh, the user's too, goes through :func:`apply_refresh`. The status lives in the
``setting`` table (key :data:`STATUS_KEY`), so every process can show it. Nothing here
commits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aniworld.library.missing import MissingEpisode
from aniworld.models import Series, utcnow
from aniworld.phrases import Worded
from aniworld.services.catalog import SeasonsSnapshot, SeriesSnapshot, store_seasons, store_snapshot
from aniworld.services.library.monitor_summary import MonitorSummary
from aniworld.services.library.overview import library_report, queue_episodes
from aniworld.services.library.preferences import MonitorScope, SeriesPreferences, preferences
from aniworld.services.library.upgrades import queue_series_upgrades
from aniworld.services.settings import AppSettings
from aniworld.services.settings_store import get_record, set_record

STATUS_KEY = "library.monitor"


@dataclass(frozen=True)
class MonitorStatus(Worded):
    """When the last round was requested, started and finished, and what it found."""

    requested_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    message: str = ""
    failed: bool = False
    # A user asked for a round (Library page, API) and no worker has started it yet; the
    # scheduler enqueues it again if Redis lost the job.
    waiting: bool = False
    # The last finished round's figures (MonitorSummary.as_dict).
    summary: dict[str, Any] = field(default_factory=dict)
    # ``message`` as phrase JSON, so the pages show it in the reader's language.
    message_phrase: str | None = None

    @property
    def running(self) -> bool:
        """True between the start of a round and its end (or its worker's death)."""
        return self.started_at is not None and (
            self.finished_at is None or self.finished_at < self.started_at)

    def last_round(self) -> datetime | None:
        """When the latest round was requested or started, whichever is later."""
        stamps = [stamp for stamp in (self.requested_at, self.started_at) if stamp]
        return max(datetime.fromisoformat(stamp) for stamp in stamps) if stamps else None

    def figures(self) -> MonitorSummary:
        """The last finished round's figures (empty before the first, or if unreadable)."""
        try:
            return MonitorSummary.from_dict(self.summary)
        except (TypeError, ValueError):
            return MonitorSummary()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the stamps, ``running``/``waiting`` and the last round's figures."""
        # The API speaks English: ``message`` is that.
        data = {name: value for name, value in asdict(self).items()
                if name not in ("summary", "message_phrase")}
        return {**data, "running": self.running, **self.figures().as_dict()}


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


def request_round(session: Session, now: datetime | None = None) -> MonitorStatus:
    """Record that a user asked for a round now (no commit); enqueue its job after the commit.

    It counts as the interval's round, and stays ``waiting`` until a worker starts it.
    """
    stamp = (now or utcnow()).isoformat()
    return store_status(session, replace(load_status(session), requested_at=stamp,
                                         waiting=True))


def monitored_count(session: Session) -> int:
    """How many series are monitored."""
    return session.scalar(select(func.count(Series.id)).where(Series.monitored.is_(True))) or 0


def any_monitored(session: Session) -> bool:
    """Whether at least one series is monitored (no round is worth a job otherwise)."""
    query = select(Series.id).where(Series.monitored.is_(True)).limit(1)
    return session.scalar(query) is not None


def apply_refresh(session: Session, series_id: int,
                  snapshot: SeriesSnapshot | SeasonsSnapshot,
                  settings: AppSettings) -> tuple[int, int]:
    """Store the snapshot; if monitored, queue what the series' preferences ask for; no commit.

    A :class:`SeriesSnapshot` renews the whole series, a :class:`SeasonsSnapshot` (the
    seasons a feed named) only those seasons. Returns (new episodes, queued). Every refresh
    goes through here, the user's too: otherwise a manual refresh after a release would make
    the new episode "known" and a series monitoring only new episodes would never get it. A
    monitored series also gets its language upgrades queued (counted in "queued"): a dub
    that appears for an episode held as a sub is no new episode, only a refresh shows it.
    """
    series = session.get(Series, series_id)
    key = snapshot.key if isinstance(snapshot, SeasonsSnapshot) else snapshot.info.key
    if series is None or series.key != key:
        return 0, 0  # deleted while the site was being read
    # Only episodes that were out count as known: one listed before its release (aniworld
    # shows an announcement without languages) is new on the day it gets a language.
    known = {(episode.season, episode.number) for episode in series.episodes
             if episode.languages}
    # A series never refreshed has no episode list to compare with: this refresh is its
    # baseline, nothing in it is new (or "new episodes only" would take the back catalogue).
    baseline = series.refreshed_at is None
    if isinstance(snapshot, SeasonsSnapshot):
        store_seasons(session, series, snapshot)
    else:
        store_snapshot(session, snapshot, series.site)
    new = set() if baseline else ({(episode.season, episode.number)
                                   for episode in snapshot.episodes if episode.languages} - known)
    if not series.monitored:
        return len(new), 0
    queued = _queue_monitored(session, series, settings, new)
    return len(new), queued + queue_series_upgrades(session, series, settings)


def _queue_monitored(session: Session, series: Series, settings: AppSettings,
                     new: set[tuple[int, int]]) -> int:
    """Queue the missing episodes the series' scope and films choice take, in its order."""
    prefs = preferences(series, settings)
    since = series.monitor_since
    first_seen = {(episode.season, episode.number): episode.first_seen_at
                  for episode in series.episodes}

    def wanted(missing: MissingEpisode) -> bool:
        key = (missing.season, missing.number)
        if missing.season == 0 and not prefs.monitor_films:
            return False
        if prefs.monitor_scope is MonitorScope.ALL or key in new:
            return True
        # "New episodes only": new in this refresh, or first seen after the switch (one
        # that only now gained an acceptable language, or that a refresh stored while the
        # series was not monitored).
        seen = first_seen.get(key)
        return since is not None and seen is not None and seen > since

    session.flush()
    report = library_report(session, _ordered(settings, prefs), [series.id])[0]
    return queue_episodes(session, series, [m for m in report.missing if wanted(m)])[0]


def _ordered(settings: AppSettings, prefs: SeriesPreferences) -> AppSettings:
    """``settings`` with the series' own language order: what counts as missing, and in
    which language it is queued, follow the series."""
    return replace(settings, language_order=prefs.language_order)
