"""``python -m aniworld.tasks.worker``: wait for Redis, then run an RQ worker on Aniworld's queues.

Waiting matters under honcho: the embedded Redis starts beside the worker, and a worker
that exits because Redis is not up yet would make honcho stop every process. Later
outages are the :class:`ResilientWorker`'s business: it waits them out.
"""

from __future__ import annotations

import logging
import sys

from rq.serializers import JSONSerializer

from aniworld.config import Config
from aniworld.logging_setup import configure_logging
from aniworld.tasks import dispatch
from aniworld.tasks.resilient_worker import ResilientWorker
from aniworld.tasks.runtime import wait_for_redis

logger = logging.getLogger(__name__)


def main() -> None:
    """Run one worker on Aniworld's queues until it is told to stop."""
    config = Config.from_env()
    configure_logging(config.data_dir, config.log_level)
    connection = wait_for_redis(config.redis_url)
    recover(config)
    names = queue_names(sys.argv[1:])
    queues = [dispatch.make_queue(connection, name) for name in names]
    logger.info("worker starting queues=%s", ",".join(names))
    # No RQ scheduler: retries wait in the database (not_before), not in Redis.
    worker = ResilientWorker(queues, connection=connection, serializer=JSONSerializer,
                             worker_ttl=config.worker_ttl,
                             job_monitoring_interval=config.worker_heartbeat_seconds)
    worker.work(with_scheduler=False)


def queue_names(arguments: list[str]) -> tuple[str, ...]:
    """The queues named on the command line (default: all); exits on an unknown name."""
    unknown = [name for name in arguments if name not in dispatch.QUEUE_NAMES]
    if unknown:
        raise SystemExit(f"unknown queue(s) {', '.join(unknown)}; "
                         f"choose from {', '.join(dispatch.QUEUE_NAMES)}")
    return tuple(arguments) or dispatch.QUEUE_NAMES


def recover(config: Config) -> None:
    """Requeue what a crash left behind before taking work (needs the migrated schema)."""
    from aniworld.tasks.runtime import build_runtime, wait_for_schema

    runtime = build_runtime(config)
    wait_for_schema(runtime.engine)
    try:
        dispatch.reconcile(runtime.sessions, runtime.redis, config.lease_seconds)
    except Exception:  # noqa: BLE001 - the scheduler retries; never block the worker's start
        logger.exception("start-up reconciliation failed")
    finally:
        # Dispose before RQ forks work horses: no connection may cross a fork.
        runtime.engine.dispose()
        runtime.redis.close()


if __name__ == "__main__":
    main()
