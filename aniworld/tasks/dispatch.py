"""The one module that talks to RQ: queue names, job ids, dispatching and reconciliation.

The database decides what runs: the dispatcher hands RQ only as many jobs as the
"parallel downloads" setting allows, in queue order (priority, then position), so the order
and the cap hold whatever the number of workers. Everything in Redis can be rebuilt from
the database by :func:`reconcile`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy.orm import Session, sessionmaker

from aniworld.services import execution
from aniworld.services.library import scan_state
from aniworld.services.settings import load_settings

logger = logging.getLogger(__name__)

DOWNLOAD_QUEUE = "downloads"
DEFAULT_QUEUE = "default"
# Library scans and monitoring checks: the Procfile's "library" worker serves only this
# queue, so a scan never waits behind hours of downloads; other workers take it when idle.
LIBRARY_QUEUE = "library"
# Notifications and cover fetches: a few seconds each, so every worker takes them first;
# the Procfile's "library" worker serves this queue too, so a message or a cover a page waits
# for never queues behind downloads, scans or monitoring rounds (those take hours).
NOTIFY_QUEUE = "notify"
QUEUE_NAMES = (NOTIFY_QUEUE, DOWNLOAD_QUEUE, DEFAULT_QUEUE, LIBRARY_QUEUE)
NOTIFY_JOB = "aniworld.tasks.notify.send"
NOTIFY_TIMEOUT = 300
# Seconds before each new try of a notification that failed: a notifier that is down for
# a few hours still gets the message. The scheduler's tick moves due tries to the queue.
NOTIFY_RETRY_INTERVALS = (10, 60, 300, 1800, 7200)
DOWNLOAD_JOB = "aniworld.tasks.jobs.download_episode"
SCAN_JOB = "aniworld.tasks.jobs.scan_library"
SCAN_JOB_ID = "library-scan"
SCAN_TIMEOUT = 6 * 3600
MONITOR_JOB = "aniworld.tasks.jobs.check_monitored"
MONITOR_JOB_ID = "library-monitor"
# A round reads a few pages per monitored series at the site's polite pace; hundreds of
# series take minutes, so hours only pass when the site keeps making us wait.
MONITOR_TIMEOUT = 3 * 3600
COVER_JOB = "aniworld.tasks.jobs.fetch_cover"
COVER_TIMEOUT = 300
# A cover that could not be fetched is not asked for again this long: its failed job stays.
COVER_RETRY_SECONDS = 600
METADATA_JOB = "aniworld.tasks.jobs.write_metadata"
METADATA_JOB_ID = "artwork-metadata"
METADATA_TIMEOUT = 3 * 3600
# Long episodes on slow lines take hours; a dead job is detected by its lease, not by RQ.
DOWNLOAD_TIMEOUT = 12 * 3600
DISPATCH_LOCK = "aniworld:dispatch-lock"
ALIVE_STATUSES = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def job_id_for(item_id: int) -> str:
    """Deterministic RQ job id of a queue item."""
    return f"download-{item_id}"


def make_queue(connection: redis.Redis, name: str = DOWNLOAD_QUEUE) -> Queue:
    """Return an RQ queue using the JSON serializer (jobs receive ids only)."""
    return Queue(name, connection=connection, serializer=JSONSerializer)


def pump(sessions: sessionmaker[Session], connection: redis.Redis) -> list[int]:
    """Hand the next items to RQ up to the free capacity; returns the dispatched item ids."""
    with connection.lock(DISPATCH_LOCK, timeout=30, blocking_timeout=10):
        with sessions() as session:
            capacity = load_settings(session).parallel_downloads
            item_ids = execution.dispatch_candidates(session, capacity, job_id_for)
            # Commit before enqueueing: a worker must find the row already dispatched.
            session.commit()
        queue = make_queue(connection)
        for item_id in item_ids:
            _enqueue(queue, item_id)
    return item_ids


def _enqueue(queue: Queue, item_id: int) -> None:
    job_id = job_id_for(item_id)
    _delete_stale_job(queue.connection, job_id)
    queue.enqueue(DOWNLOAD_JOB, item_id, job_id=job_id, job_timeout=DOWNLOAD_TIMEOUT,
                  result_ttl=0, failure_ttl=7 * 24 * 3600)
    logger.info("dispatched item=%s job=%s", item_id, job_id)


def _delete_stale_job(connection: redis.Redis, job_id: str) -> None:
    """Remove an old job with the same id (e.g. a crashed run) so no late event can land."""
    try:
        Job.fetch(job_id, connection=connection, serializer=JSONSerializer).delete()
    except NoSuchJobError:
        pass


def enqueue_notification(connection: redis.Redis, *message: Any,
                         retry_intervals: Sequence[int] = NOTIFY_RETRY_INTERVALS) -> str:
    """Enqueue one notification job (``message`` = its JSON arguments); returns its job id.

    A failed send is tried again after each of ``retry_intervals`` (RQ's ``Retry``).
    """
    retry = Retry(max=len(retry_intervals), interval=list(retry_intervals)) \
        if retry_intervals else None
    job = make_queue(connection, NOTIFY_QUEUE).enqueue(
        NOTIFY_JOB, *message, job_timeout=NOTIFY_TIMEOUT, retry=retry, result_ttl=3600,
        failure_ttl=7 * 24 * 3600)
    logger.info("notification enqueued job=%s", job.id)
    return job.id


def enqueue_due_retries(connection: redis.Redis, now: float | None = None) -> int:
    """Move jobs whose retry time has come from RQ's scheduled registry to their queue.

    Workers run without RQ's scheduler (downloads wait in the database, not in Redis);
    the notification jobs' ``Retry`` lands here and the scheduler's tick is their clock.
    Returns how many jobs were moved.
    """
    moved = 0
    for name in QUEUE_NAMES:
        queue = make_queue(connection, name)
        registry = ScheduledJobRegistry(queue=queue)
        for job_id in registry.get_jobs_to_schedule(int(now if now is not None else time.time())):
            # Removing first claims the job: whoever removed it enqueues it, once.
            if not registry.remove(job_id):
                continue
            try:
                queue.enqueue_job(Job.fetch(job_id, connection=connection,
                                            serializer=JSONSerializer))
            except NoSuchJobError:
                continue
            moved += 1
    if moved:
        logger.info("scheduled retries enqueued count=%s", moved)
    return moved


def enqueue_scan(connection: redis.Redis) -> bool:
    """Enqueue the library scan unless its job is already waiting or running."""
    return _enqueue_library_job(connection, SCAN_JOB, SCAN_JOB_ID, SCAN_TIMEOUT)


def enqueue_monitor(connection: redis.Redis) -> bool:
    """Enqueue a monitoring round unless its job is already waiting or running."""
    return _enqueue_library_job(connection, MONITOR_JOB, MONITOR_JOB_ID, MONITOR_TIMEOUT)


def enqueue_metadata(connection: redis.Redis, series_id: int | None) -> bool:
    """Enqueue a metadata run (the library, or one series) unless one is waiting or running."""
    return _enqueue_library_job(connection, METADATA_JOB, METADATA_JOB_ID, METADATA_TIMEOUT,
                                series_id)


def cover_job_id(site: str, key: str) -> str:
    """Deterministic RQ job id of a series' cover fetch."""
    return f"cover-{site}-{key}"


def enqueue_cover(connection: redis.Redis, site: str, key: str, source: str) -> bool:
    """Fetch a cover on the notify queue unless its job waits, runs or failed lately.

    A finished fetch leaves no job (``result_ttl=0``); a failed one stays for
    :data:`COVER_RETRY_SECONDS`, so pages asking again do not hammer the site.
    """
    job_id = cover_job_id(site, key)
    try:
        Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
        return False
    except NoSuchJobError:
        pass
    make_queue(connection, NOTIFY_QUEUE).enqueue(
        COVER_JOB, site, key, source, job_id=job_id, job_timeout=COVER_TIMEOUT, result_ttl=0,
        failure_ttl=COVER_RETRY_SECONDS)
    logger.info("cover fetch enqueued job=%s", job_id)
    return True


def _enqueue_library_job(connection: redis.Redis, function: str, job_id: str,
                         timeout: int, *args: object) -> bool:
    """Enqueue a singleton job (fixed id) on the library queue; False if it is alive."""
    if job_alive(connection, job_id):
        return False
    _delete_stale_job(connection, job_id)
    make_queue(connection, LIBRARY_QUEUE).enqueue(
        function, *args, job_id=job_id, job_timeout=timeout, result_ttl=0,
        failure_ttl=24 * 3600)
    logger.info("library job enqueued job=%s", job_id)
    return True


def reconcile_scan(sessions: sessionmaker[Session], connection: redis.Redis) -> bool:
    """Enqueue the scan again if the database wants one and Redis lost its job."""
    with sessions() as session:
        wanted = scan_state.load_status(session).active
    if not wanted or job_alive(connection, SCAN_JOB_ID):
        return False
    logger.warning("library scan job lost; enqueueing it again")
    return enqueue_scan(connection)


def job_alive(connection: redis.Redis, job_id: str) -> bool:
    """Return whether RQ still holds the job as waiting or running."""
    try:
        job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in ALIVE_STATUSES


def reconcile(sessions: sessionmaker[Session], connection: redis.Redis,
              lease_seconds: int = 45) -> None:
    """Repair Redis from the database: requeue dead workers' items and lost jobs, then pump."""
    with sessions() as session:
        reclaimed = execution.reclaim_stale(session, timedelta(seconds=lease_seconds))
        dispatched = execution.dispatched_jobs(session)
        session.commit()
    lost = [item_id for item_id, job_id in dispatched.items()
            if not job_alive(connection, job_id)]
    if lost:
        with sessions() as session:
            execution.forget_dispatch(session, lost)
            session.commit()
    if reclaimed or lost:
        logger.warning("reconciled reclaimed=%s lost_jobs=%s", reclaimed, lost)
    pump(sessions, connection)
