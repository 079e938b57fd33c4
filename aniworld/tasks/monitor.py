"""A monitoring round: read each site's feed, refresh what it names or what is due, queue.

The scheduler enqueues the RQ job (``aniworld.tasks.jobs.check_monitored``) when
:func:`aniworld.services.library.monitoring.due` says so, a user through the Library page
or the API. The job calls :func:`run_monitor_round`: per site with monitored series one
request for the site's releases feed, then only the seasons it names with something new
and the series due for a full read (``services.library.monitor_plan``); each is stored and
its missing episodes queued by the series' preferences (``monitoring.apply_refresh``). This
module owns the round's sessions and commits.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from aniworld.errors import AniworldError, ValidationError
from aniworld.models import Series, utcnow
from aniworld.phrases import Phrase, worded
from aniworld.services.catalog import SeasonsSnapshot, SeriesSnapshot, fetch_seasons, fetch_series
from aniworld.services.library import monitoring
from aniworld.services.library.monitor_plan import SitePlan, Target, monitored_sites, plan_site
from aniworld.services.library.monitor_summary import MonitorSummary, SiteRound
from aniworld.services.library.monitoring import MonitorStatus
from aniworld.services.settings import AppSettings
from aniworld.site import (
    FeedEntry,
    SiteChallenge,
    SiteClient,
    SiteError,
    SiteNotFound,
    SiteRateLimited,
    SiteSpamBlocked,
    SiteUnreachable,
)
from aniworld.tasks.site_clients import ClientFactory, SiteClients, SiteStopped

logger = logging.getLogger(__name__)

# Refusals that concern the whole site, not one page: the client has already backed off
# and retried, so asking for the next series of that site would only hammer a site that
# said no. The other site's series are still checked.
SITE_WIDE = (SiteChallenge, SiteSpamBlocked, SiteUnreachable, SiteRateLimited)

__all__ = ["MonitorSummary", "record_failure", "run_monitor_round"]


def record_failure(sessions: sessionmaker[Session], message: str | Phrase) -> MonitorStatus:
    """Record a round that could not run at all, with a sentence for the user (commits)."""
    with sessions() as session:
        now = utcnow().isoformat()
        status = monitoring.store_status(session, replace(
            monitoring.load_status(session), started_at=now, finished_at=now,
            **worded(message), failed=True, waiting=False))
        session.commit()
    return status


def run_monitor_round(sessions: sessionmaker[Session], clients: ClientFactory,
                      settings: AppSettings) -> MonitorSummary:
    """Read each site's feed, refresh the series it names and those due, queue their episodes.

    ``clients(site)`` opens a client of that site, once per round and only if a series of
    the site is monitored. Nothing is read with a transaction open; each series is stored
    and queued in one transaction of its own, so a failure later in the round keeps what
    was done. An unreadable feed leaves the due series; an error on one series is counted;
    a refusal of a whole site (browser check, spam block, rate limit, unreachable, unusable
    settings) ends that site's part of the round. Records the outcome in the status.
    """
    started = time.monotonic()
    with sessions() as session:
        sites = monitored_sites(session)
        monitoring.store_status(session, replace(
            monitoring.load_status(session), started_at=utcnow().isoformat(),
            finished_at=None, waiting=False))
        session.commit()
    try:
        with SiteClients(clients) as opened:
            rounds = tuple(_site_round(sessions, opened, site, settings) for site in sites)
    except Exception as exc:
        record_failure(sessions, Phrase("Monitoring failed (%(error)s); see the worker log.",
                                        error=f"{type(exc).__name__}: {exc}"))
        raise
    summary = MonitorSummary(rounds, time.monotonic() - started)
    with sessions() as session:
        monitoring.store_status(session, replace(
            monitoring.load_status(session), finished_at=utcnow().isoformat(),
            **worded(summary.phrase), failed=summary.troubled,
            summary=summary.as_dict()))
        session.commit()
    logger.info("monitor round done %s", summary.message)
    return summary


def _site_round(sessions: sessionmaker[Session], sites: SiteClients, site: str,
                settings: AppSettings) -> SiteRound:
    """One site's part: its feed, then each planned series; stops where the site refuses."""
    feed: list[FeedEntry] | None = None
    result = SiteRound(site)
    try:
        feed = _read_feed(sites, site)
    except SiteStopped:
        pass  # logged by SiteClients; the site's series wait for the next round
    except (SiteError, ValidationError) as exc:
        result = replace(result, feed_error=exc.phrase)
        logger.warning("monitor feed unreadable site=%s error=%s", site, exc)
    with sessions() as session:
        plan = plan_site(session, site, feed, settings)
    result = replace(result, monitored=plan.monitored, feed_entries=len(feed or ()),
                     named=plan.named, due=plan.due)
    if not sites.stopped(site):
        result = _read_series(sessions, sites, plan, settings, result)
    return replace(result, requests=sites.requests(site), stopped=sites.reason(site))


def _read_feed(sites: SiteClients, site: str) -> list[FeedEntry]:
    """The site's latest releases, fresh: a cached feed could hide a release for a round."""
    return sites.call(site, lambda client: client.releases(fresh=True), stopping=SITE_WIDE)


def _read_series(sessions: sessionmaker[Session], sites: SiteClients, plan: SitePlan,
                 settings: AppSettings, result: SiteRound) -> SiteRound:
    """Read, store and queue each planned series until the site refuses."""
    for target in plan.targets:
        try:
            snapshot = _read(sites, target)
        except SiteStopped:
            break
        except (SiteError, ValidationError) as exc:
            logger.warning("monitor could not read site=%s series=%s error=%s",
                           target.site, target.key, exc)
            if target.seasons is None:
                _note_failed_full_read(sessions, target.id)
            result = result.add(failed=1)
            continue
        try:
            with sessions() as session:
                new, queued = monitoring.apply_refresh(session, target.id, snapshot, settings)
                session.commit()
        except (AniworldError, ValueError, SQLAlchemyError) as exc:
            # One series' bad row or a clash with a user's add must not end the round.
            logger.warning("monitor could not store site=%s series=%s error=%s",
                           target.site, target.key, exc)
            result = result.add(failed=1)
            continue
        if new or queued:
            logger.info("monitor site=%s series=%s seasons=%s new=%d queued=%d", target.site,
                        target.key, "all" if target.seasons is None else sorted(target.seasons),
                        new, queued)
        result = result.add(checked=1, new=new, queued=queued)
        if queued:
            result = replace(result, queued_series=(*result.queued_series,
                                                    (target.title, queued)))
    return result


def _note_failed_full_read(sessions: sessionmaker[Session], series_id: int) -> None:
    """Send the series to the back of the due line (see ``monitor_plan._due``)."""
    with sessions() as session:
        session.execute(update(Series).where(Series.id == series_id)
                        .values(full_read_failed_at=utcnow()))
        session.commit()


def _read(sites: SiteClients, target: Target) -> SeriesSnapshot | SeasonsSnapshot:
    """The series (or the seasons the feed named) from its site; SiteStopped on a refusal.

    fresh=True: the page cache (30 min by default, configurable up to far longer) exists
    for browsing; a round that reads a cached page could miss a release until the next
    round hours later. The fresh answer is cached for the next visitor anyway.
    """
    def read(client: SiteClient) -> SeriesSnapshot | SeasonsSnapshot:
        if target.seasons is not None:
            try:
                return fetch_seasons(client, target.key, target.seasons, fresh=True)
            except SiteNotFound:
                # A season the feed names that has no page (yet): the series page knows.
                logger.info("monitor season page missing site=%s series=%s seasons=%s",
                            target.site, target.key, sorted(target.seasons))
        return fetch_series(client, target.key, fresh=True)

    return sites.call(target.site, read, stopping=SITE_WIDE)

