"""``python -m aniworld.worker``: wait for Redis, then run an RQ worker with the scheduler.

Waiting matters under honcho: the embedded Redis starts beside the worker, and a worker
that exits because Redis is not up yet would make honcho stop every process.
"""

from __future__ import annotations

import logging
import time

import redis
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from aniworld.config import Config
from aniworld.dispatch import QUEUE_NAMES
from aniworld.logging_setup import configure_logging

logger = logging.getLogger(__name__)

REDIS_WAIT_SECONDS = 60


def wait_for_redis(url: str, timeout: float = REDIS_WAIT_SECONDS) -> redis.Redis:
    """Return a connected client, retrying until ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        client = redis.Redis.from_url(url)
        try:
            client.ping()
            return client
        except redis.RedisError as exc:
            client.close()
            if time.monotonic() > deadline:
                raise SystemExit(f"Redis at {url} is unreachable: {exc}; check REDIS_URL") from exc
            time.sleep(0.5)


def main() -> None:
    """Run one worker on Aniworld's queues until it is told to stop."""
    config = Config.from_env()
    configure_logging(config.data_dir, config.log_level)
    connection = wait_for_redis(config.redis_url)
    queues = [
        Queue(name, connection=connection, serializer=JSONSerializer) for name in QUEUE_NAMES
    ]
    logger.info("worker starting queues=%s", ",".join(QUEUE_NAMES))
    Worker(queues, connection=connection, serializer=JSONSerializer).work(with_scheduler=True)


if __name__ == "__main__":
    main()
