"""``python -m aniworld.tasks.scheduler``: the one periodic process (run exactly one).

Every few seconds it repairs Redis from the database (items of dead workers, lost jobs,
retries whose back-off has elapsed), sweeps partial data nobody needs any more and files
whose days in the holding folder are over, moves notification retries whose time has come
to their queue, when the monitoring interval has elapsed, enqueues a check of the
monitored series, and tells the media server about new files (``media_refresh.flush``:
batched per series, at most once a minute each).
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from types import FrameType

import redis
from sqlalchemy.exc import SQLAlchemyError

from aniworld.logging_setup import configure_logging
from aniworld.services.library import monitoring
from aniworld.services.settings import effective_library_dir, load_settings
from aniworld.tasks import dispatch, media_refresh
from aniworld.tasks.download.sweep import sweep_holding, sweep_partials
from aniworld.tasks.runtime import Runtime, get_runtime, wait_for_redis, wait_for_schema

logger = logging.getLogger(__name__)

TICK_SECONDS = 5.0


def tick(runtime: Runtime) -> None:
    """One round of maintenance; errors are logged, never fatal.

    Each part has its own guard: an unexpected error in one (a bug, a setting that cannot
    be sent) is logged with its traceback and the others still run; the process goes on.
    """
    try:
        dispatch.reconcile(runtime.sessions, runtime.redis, runtime.config.lease_seconds)
        dispatch.reconcile_scan(runtime.sessions, runtime.redis)
        dispatch.enqueue_due_retries(runtime.redis)
        with runtime.sessions() as session:
            settings = load_settings(session)
        sweep_partials(runtime.sessions, effective_library_dir(runtime.config, settings))
        sweep_holding(runtime.config.data_dir, settings.holding_days)
    except (redis.RedisError, SQLAlchemyError, OSError) as exc:
        logger.warning("scheduler tick failed error=%s", exc)
    except Exception:
        logger.exception("scheduler repairs failed unexpectedly")
    # Apart from the repairs: a broken monitoring round must not stop them, nor they it.
    try:
        schedule_monitor(runtime)
    except (redis.RedisError, SQLAlchemyError) as exc:
        logger.warning("monitoring could not be scheduled error=%s", exc)
    except Exception:
        logger.exception("monitoring could not be scheduled")
    try:
        media_refresh.flush(runtime)
    except SQLAlchemyError as exc:
        logger.warning("media server refresh could not be sent error=%s", exc)
    except Exception:
        logger.exception("media server refresh failed unexpectedly")


def schedule_monitor(runtime: Runtime, now: datetime | None = None) -> bool:
    """Enqueue a monitoring round if one is due; returns whether a job was enqueued.

    A round a user asked for (``waiting``) is enqueued again if its job vanished. Enqueue
    first, record the request after: if recording fails the round is due again
    next tick, but the job is still alive then, so it is not enqueued twice; recording
    first would lose the round until the next interval if Redis refused the job.
    """
    with runtime.sessions() as session:
        waiting = monitoring.load_status(session).waiting
        if not waiting and not monitoring.due(session, load_settings(session), now):
            return False
        # Nothing monitored: count the round as done without waking a worker for it.
        wanted = monitoring.any_monitored(session)
    if waiting:
        # A user asked for a round; its job is gone if Redis was away or lost it.
        return dispatch.enqueue_monitor(runtime.redis)
    enqueued = wanted and dispatch.enqueue_monitor(runtime.redis)
    with runtime.sessions() as session:
        monitoring.mark_requested(session, now)
        session.commit()
    return enqueued


def main() -> None:
    """Run maintenance rounds until SIGTERM/SIGINT."""
    runtime = get_runtime()
    configure_logging(runtime.config.data_dir, runtime.config.log_level)
    wait_for_redis(runtime.config.redis_url)
    wait_for_schema(runtime.engine)
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    logger.info("scheduler started tick=%ss", TICK_SECONDS)
    while not stop.is_set():
        tick(runtime)
        stop.wait(TICK_SECONDS)


if __name__ == "__main__":
    main()
