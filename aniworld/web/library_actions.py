"""Library actions from a request: start a scan or a monitoring round, queue all missing,
resolve a folder."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

import redis

from aniworld.extensions import db
from aniworld.models import LibraryFolder, Priority
from aniworld.phrases import Phrase
from aniworld.services import catalog
from aniworld.services.library import monitoring, resolution, scan_state
from aniworld.services.library.monitoring import MonitorStatus
from aniworld.services.library.overview import QueuedMissing, queue_missing
from aniworld.services.library.scan_state import ScanStatus
from aniworld.services.settings import load_settings
from aniworld.sites import SeriesRef
from aniworld.tasks import dispatch
from aniworld.web.resources import get_redis, kick_dispatcher, library_root, make_site_client

logger = logging.getLogger(__name__)


def start_scan() -> ScanStatus:
    """Ask for a scan (committed) and hand it to RQ unless one is already on its way.

    If Redis is down the request stays in the database and the scheduler enqueues it later.
    """
    status, needed = scan_state.request_scan(db.session)
    db.session.commit()
    if needed:
        try:
            dispatch.enqueue_scan(get_redis())
        except redis.RedisError as exc:
            logger.warning("scan enqueue deferred to the scheduler error=%s", exc)
    return status


def monitor_state() -> tuple[MonitorStatus, bool]:
    """The monitoring status, and whether a round is on its way (waiting, or running).

    A round whose worker died still reads "running"; its job is gone from RQ, so it does not
    count (with Redis down it does: better a button too few than two rounds).
    """
    status = monitoring.load_status(db.session)
    if status.waiting or not status.running:
        return status, status.waiting
    try:
        return status, dispatch.job_alive(get_redis(), dispatch.MONITOR_JOB_ID)
    except redis.RedisError:
        return status, True


def start_monitor() -> tuple[MonitorStatus, bool]:
    """Ask for a monitoring round now (committed) and hand it to RQ; returns (status, started).

    Never two rounds at once: while a round waits for a worker or runs, the request changes
    nothing and ``started`` is False (the fixed job id also keeps a scheduled round and this
    one apart). If Redis is down the request stays in the database and the scheduler
    enqueues it later.
    """
    status, active = monitor_state()
    if active:
        return status, False
    status = monitoring.request_round(db.session)
    db.session.commit()
    try:
        dispatch.enqueue_monitor(get_redis())
    except redis.RedisError as exc:
        logger.warning("monitoring round enqueue deferred to the scheduler error=%s", exc)
    return status, True


def queue_all_missing(series_ids: Collection[int] | None = None,
                      priority: Priority = Priority.NORMAL) -> QueuedMissing:
    """Queue every missing episode (of ``series_ids`` or the whole library) in one commit."""
    result = queue_missing(db.session, load_settings(db.session), series_ids, priority)
    db.session.commit()
    if result.created:
        kick_dispatcher()
    return result


def resolve_folder(folder_id: int, ref: SeriesRef, lookup: Callable[[int], LibraryFolder],
                   ) -> tuple[LibraryFolder, catalog.SeriesSnapshot, Phrase | None]:
    """Tie a folder to the series ``ref`` and commit; returns the marker warning too.

    ``lookup`` finds the folder or raises (the page accepts only unmatched folders, the
    API any). It runs before the site is asked and again after: a scan may have dropped or
    linked the folder while the site answered.
    """
    lookup(folder_id)
    root = library_root()
    with make_site_client(ref.site) as client:  # ends the read transaction before the fetch
        snapshot = catalog.fetch_series(client, ref.key)
    folder = lookup(folder_id)
    warning = resolution.resolve(db.session, folder, snapshot, root, site=ref.site)
    db.session.commit()
    return folder, snapshot, warning
