"""Monitoring: refresh the monitored series now and then and queue their new episodes.

The scheduler asks :func:`due` every few seconds and, when a round is due, enqueues the RQ
job (``aniworld.tasks.jobs.check_monitored``) and records the request with :func:`mark_requested`.
The job calls :func:`check_monitored`, which reads every monitored series from the site and
queues the episodes that appeared since the series was last refreshed and are missing from
the library, in the most preferred language offered. The round's outcome lands in the
``setting`` table (key :data:`STATUS_KEY`), so every process can show it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.errors import AniworldError, ValidationError
from aniworld.models import Series, utcnow
from aniworld.services.catalog import SeriesSnapshot, fetch_series, store_snapshot
from aniworld.services.library.overview import library_report, queue_episodes
from aniworld.services.settings import AppSettings
from aniworld.services.settings_store import get_record, set_record
from aniworld.site import (
    SiteChallenge,
    SiteClient,
    SiteError,
    SiteRateLimited,
    SiteSpamBlocked,
    SiteUnreachable,
)

logger = logging.getLogger(__name__)

STATUS_KEY = "library.monitor"
# Refusals that concern the whole site, not one series: the client has already backed off
# and retried, so asking for the next series would only hammer a site that said no.
SITE_WIDE = (SiteChallenge, SiteSpamBlocked, SiteUnreachable, SiteRateLimited)


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


@dataclass(frozen=True)
class MonitorSummary:
    """The figures of one finished round."""

    series: int = 0
    checked: int = 0
    new: int = 0
    queued: int = 0
    failed: int = 0
    seconds: float = 0.0
    stopped: str = ""

    @property
    def message(self) -> str:
        """One sentence for the settings page and the job's result."""
        if not self.series:
            return "No series is monitored."
        text = (f"Checked {self.checked} of {self.series} monitored series in "
                f"{self.seconds:.1f} s: {self.new} new episode(s), {self.queued} queued.")
        if self.failed:
            text += f" {self.failed} series could not be read; see the worker log."
        if self.stopped:
            text += f" Stopped early: {self.stopped}"
        return text


class MonitorError(AniworldError):
    """A monitoring round could not run at all (e.g. the site settings are unusable)."""

    code = "monitor_error"


def load_status(session: Session) -> MonitorStatus:
    """The stored status (empty if monitoring never ran)."""
    return get_record(session, STATUS_KEY, MonitorStatus)


def _store(session: Session, status: MonitorStatus) -> MonitorStatus:
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
    return _store(session, replace(load_status(session), requested_at=stamp))


def any_monitored(session: Session) -> bool:
    """Whether at least one series is monitored (no round is worth a job otherwise)."""
    query = select(Series.id).where(Series.monitored.is_(True)).limit(1)
    return session.scalar(query) is not None


def record_failure(sessions: sessionmaker[Session], message: str) -> MonitorStatus:
    """Record a round that could not run at all, with a sentence for the user (commits)."""
    with sessions() as session:
        now = utcnow().isoformat()
        status = _store(session, replace(load_status(session), started_at=now,
                                         finished_at=now, message=message, failed=True))
        session.commit()
    return status


@dataclass(frozen=True)
class _Target:
    """What the round needs of a monitored series once its session is closed."""

    id: int
    key: str
    title: str


def check_monitored(sessions: sessionmaker[Session], client: SiteClient,
                    settings: AppSettings) -> MonitorSummary:
    """Refresh every monitored series (by title) and queue its new, missing episodes.

    Each series is fetched with no transaction open, then stored and queued in one
    transaction of its own, so a failure later in the round keeps what was done. A site
    error on one series is logged and counted; a refusal of the whole site (browser check,
    spam block, rate limit, unreachable) ends the round. Records the outcome in the status.
    """
    started = time.monotonic()
    with sessions() as session:
        targets = [_Target(s.id, s.key, s.title) for s in session.scalars(
            select(Series).where(Series.monitored.is_(True)).order_by(Series.title, Series.id))]
        _store(session, replace(load_status(session), started_at=utcnow().isoformat(),
                                finished_at=None))
        session.commit()
    try:
        summary = _round(sessions, client, settings, targets)
    except Exception as exc:
        record_failure(sessions, f"Monitoring failed ({type(exc).__name__}: {exc}); "
                                 "see the worker log.")
        raise
    summary = replace(summary, seconds=time.monotonic() - started)
    with sessions() as session:
        _store(session, replace(load_status(session), finished_at=utcnow().isoformat(),
                                message=summary.message, failed=bool(summary.stopped)))
        session.commit()
    logger.info("monitor round done %s", summary.message)
    return summary


def _round(sessions: sessionmaker[Session], client: SiteClient, settings: AppSettings,
           targets: list[_Target]) -> MonitorSummary:
    summary = MonitorSummary(series=len(targets))
    for target in targets:
        try:
            # fresh=True: the page cache (30 min by default, configurable up to far longer)
            # exists for browsing; a round that reads a cached page could miss a release
            # until the next round hours later. Rounds are rare and the client's shared rate
            # limit still applies, so skipping the cache costs the site little; the fresh
            # answer is cached for the next visitor anyway.
            snapshot = fetch_series(client, target.key, fresh=True)
        except SITE_WIDE as exc:
            logger.warning("monitor round stopped series=%s error=%s", target.key, exc)
            return replace(summary, stopped=exc.message)
        except (SiteError, ValidationError) as exc:
            logger.warning("monitor could not read series=%s error=%s", target.key, exc)
            summary = replace(summary, failed=summary.failed + 1)
            continue
        with sessions() as session:
            new, queued = apply_refresh(session, target.id, snapshot, settings)
            session.commit()
        if new:
            logger.info("monitor series=%s new=%d queued=%d", target.key, new, queued)
        summary = replace(summary, checked=summary.checked + 1, new=summary.new + new,
                          queued=summary.queued + queued)
    return summary


def apply_refresh(session: Session, series_id: int, snapshot: SeriesSnapshot,
                  settings: AppSettings) -> tuple[int, int]:
    """Store the snapshot; if monitored, queue the new missing episodes; no commit.

    Returns (new episodes, queued). Every refresh goes through here, the user's too:
    otherwise a manual refresh after a release would make the new episode "known" and
    the next round would never queue it.
    """
    series = session.get(Series, series_id)
    if series is None or series.key != snapshot.info.key:
        return 0, 0  # deleted while the site was being read
    known = {(episode.season, episode.number) for episode in series.episodes}
    # A series never refreshed has no episode list to compare with: this refresh is its
    # baseline, or turning monitoring on would queue the whole back catalogue.
    baseline = series.refreshed_at is None
    store_snapshot(session, snapshot, series.site)
    new = {(episode.season, episode.number) for episode in snapshot.episodes} - known
    if baseline or not new or not series.monitored:
        return (0 if baseline else len(new)), 0
    session.flush()
    report = library_report(session, settings, [series.id])[0]
    wanted = [missing for missing in report.missing if (missing.season, missing.number) in new]
    return len(new), queue_episodes(session, series, wanted)[0]
