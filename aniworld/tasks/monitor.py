"""A monitoring round: refresh the monitored series and queue their new episodes.

The scheduler enqueues the RQ job (``aniworld.tasks.jobs.check_monitored``) when
:func:`aniworld.services.library.monitoring.due` says so. The job calls
:func:`run_monitor_round`, which reads every monitored series from its site (aniworld.to or
s.to, one client per site) and queues the episodes that appeared since the series was last
refreshed and are missing from the library, in the most preferred language offered. This
module owns the round's sessions and commits; the status and the per-series refresh are in
``services.library.monitoring``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.errors import ValidationError
from aniworld.models import Series, utcnow
from aniworld.services.catalog import SeriesSnapshot, fetch_series
from aniworld.services.library import monitoring
from aniworld.services.library.monitoring import MonitorStatus
from aniworld.services.settings import AppSettings
from aniworld.site import (
    SiteChallenge,
    SiteError,
    SiteRateLimited,
    SiteSpamBlocked,
    SiteUnreachable,
)
from aniworld.tasks.site_clients import ClientFactory, SiteClients, SiteStopped

logger = logging.getLogger(__name__)

# Refusals that concern the whole site, not one series: the client has already backed off
# and retried, so asking for the next series of that site would only hammer a site that
# said no. The other site's series are still checked.
SITE_WIDE = (SiteChallenge, SiteSpamBlocked, SiteUnreachable, SiteRateLimited)


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


def record_failure(sessions: sessionmaker[Session], message: str) -> MonitorStatus:
    """Record a round that could not run at all, with a sentence for the user (commits)."""
    with sessions() as session:
        now = utcnow().isoformat()
        status = monitoring.store_status(session, replace(
            monitoring.load_status(session), started_at=now, finished_at=now,
            message=message, failed=True))
        session.commit()
    return status


@dataclass(frozen=True)
class _Target:
    """What the round needs of a monitored series once its session is closed."""

    id: int
    site: str
    key: str
    title: str


def run_monitor_round(sessions: sessionmaker[Session], clients: ClientFactory,
                      settings: AppSettings) -> MonitorSummary:
    """Refresh every monitored series (by title) and queue its new, missing episodes.

    ``clients(site)`` opens a client of that site, once per round and only if a series of
    the site is monitored. Each series is fetched with no transaction open, then stored and
    queued in one transaction of its own, so a failure later in the round keeps what was
    done. A site error on one series is logged and counted; a refusal of a whole site
    (browser check, spam block, rate limit, unreachable, unusable settings) ends that site's
    part of the round. Records the outcome in the status.
    """
    started = time.monotonic()
    with sessions() as session:
        targets = [_Target(s.id, s.site, s.key, s.title) for s in session.scalars(
            select(Series).where(Series.monitored.is_(True)).order_by(Series.title, Series.id))]
        monitoring.store_status(session, replace(
            monitoring.load_status(session), started_at=utcnow().isoformat(), finished_at=None))
        session.commit()
    try:
        summary = _round(sessions, clients, settings, targets)
    except Exception as exc:
        record_failure(sessions, f"Monitoring failed ({type(exc).__name__}: {exc}); "
                                 "see the worker log.")
        raise
    summary = replace(summary, seconds=time.monotonic() - started)
    with sessions() as session:
        monitoring.store_status(session, replace(
            monitoring.load_status(session), finished_at=utcnow().isoformat(),
            message=summary.message, failed=bool(summary.stopped)))
        session.commit()
    logger.info("monitor round done %s", summary.message)
    return summary


def _round(sessions: sessionmaker[Session], clients: ClientFactory, settings: AppSettings,
           targets: list[_Target]) -> MonitorSummary:
    summary = MonitorSummary(series=len(targets))
    with SiteClients(clients) as sites:
        for target in targets:
            try:
                snapshot = _read(sites, target)
            except SiteStopped:
                continue
            except (SiteError, ValidationError) as exc:
                logger.warning("monitor could not read site=%s series=%s error=%s",
                               target.site, target.key, exc)
                summary = replace(summary, failed=summary.failed + 1)
                continue
            summary = _store(sessions, target, snapshot, settings, summary)
        return replace(summary, stopped=sites.message)


def _read(sites: SiteClients, target: _Target) -> SeriesSnapshot:
    """The series from its site; a site-wide refusal raises SiteStopped for that site.

    fresh=True: the page cache (30 min by default, configurable up to far longer) exists
    for browsing; a round that reads a cached page could miss a release until the next
    round hours later. Rounds are rare and the client's shared rate limit still applies, so
    skipping the cache costs the site little; the fresh answer is cached for the next
    visitor anyway.
    """
    return sites.call(target.site, lambda client: fetch_series(client, target.key, fresh=True),
                      stopping=SITE_WIDE)


def _store(sessions: sessionmaker[Session], target: _Target, snapshot: SeriesSnapshot,
           settings: AppSettings, summary: MonitorSummary) -> MonitorSummary:
    """Store one fetched series and queue its new episodes in a transaction of its own."""
    with sessions() as session:
        new, queued = monitoring.apply_refresh(session, target.id, snapshot, settings)
        session.commit()
    if new:
        logger.info("monitor site=%s series=%s new=%d queued=%d", target.site, target.key, new,
                    queued)
    return replace(summary, checked=summary.checked + 1, new=summary.new + new,
                   queued=summary.queued + queued)
