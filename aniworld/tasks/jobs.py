"""RQ entry points: ids in, the tasks wing does the work, the database records the outcome."""

from __future__ import annotations

import logging

import redis
from rq import get_current_job

from aniworld.services.settings import effective_library_dir, load_settings
from aniworld.tasks import artwork, attention, dispatch, monitor
from aniworld.tasks.download import run_item
from aniworld.tasks.events import MonitorQueued, UnmatchedFolders, publish
from aniworld.tasks.runtime import Runtime, get_runtime
from aniworld.tasks.scan import run_library_scan
from aniworld.tasks.site_clients import runtime_clients

logger = logging.getLogger(__name__)


def download_episode(item_id: int) -> str:
    """Download queue item ``item_id``; afterwards hand the freed slot to the next item."""
    runtime = get_runtime()
    job = get_current_job()
    job_id = job.id if job is not None else dispatch.job_id_for(item_id)
    logger.info("job start job=%s item=%s", job_id, item_id)
    try:
        return run_item(runtime, item_id, job_id).value
    except Exception:
        logger.exception("job crashed job=%s item=%s", job_id, item_id)
        raise
    finally:
        _hand_on_slot(runtime, job_id)


def _hand_on_slot(runtime: Runtime, job_id: str) -> None:
    """Dispatch the next items; with Redis away the scheduler does it once Redis is back."""
    try:
        dispatch.pump(runtime.sessions, runtime.redis)
    except redis.RedisError as exc:
        # The outcome is already in the database: an outage must not turn it into a crash.
        logger.warning("next item not dispatched job=%s error=%s; the scheduler will", job_id, exc)


def scan_library() -> str:
    """Scan the library folder, match new folders through the sites, record the outcome."""
    runtime = get_runtime()
    with runtime.sessions() as session:
        settings = load_settings(session)
    library = effective_library_dir(runtime.config, settings)
    summary = run_library_scan(runtime.sessions, library, runtime_clients(runtime, settings))
    if summary.new_unmatched:
        publish(runtime, UnmatchedFolders(summary.new_unmatched))
    attention.report_site_holds(runtime, settings)
    return summary.message


def check_monitored() -> str:
    """Refresh the monitored series, queue their new episodes, then wake the dispatcher."""
    runtime = get_runtime()
    with runtime.sessions() as session:
        settings = load_settings(session)
    summary = monitor.run_monitor_round(runtime.sessions, runtime_clients(runtime, settings),
                                        settings)
    if summary.queued:
        publish(runtime, MonitorQueued(summary.queued, summary.queued_series))
        dispatch.pump(runtime.sessions, runtime.redis)
    attention.report_site_holds(runtime, settings)
    return summary.message



def fetch_cover(site: str, key: str, source: str) -> str:
    """Fetch and keep the cover at ``source`` of the series (site, key); its file name."""
    return artwork.fetch_cover(get_runtime(), site, key, source).path.name


def write_metadata(series_id: int | None = None) -> str:
    """Write the NFO files and posters of the library (or of one series); the summary."""
    return artwork.write_library(get_runtime(), series_id)
