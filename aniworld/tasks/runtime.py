"""Per-process resources for workers and the scheduler: config, database engine, Redis.

Also the start-up waits both processes share (Redis reachable, schema migrated).

Created lazily and keyed by process id, because RQ forks a work horse per job and a
database connection must never cross a fork.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass

import redis
from sqlalchemy import Engine, inspect
from sqlalchemy.orm import Session, sessionmaker

from aniworld.config import Config
from aniworld.database import make_engine

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    """What a job needs besides its arguments."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis


_runtimes: dict[int, Runtime] = {}
REDIS_PROBE_TIMEOUT = 5.0
REDIS_WARN_EVERY = 30.0  # seconds between "still waiting" warnings


def build_runtime(config: Config) -> Runtime:
    """Create fresh resources for ``config``."""
    engine = make_engine(config.database_url, pool_pre_ping=True)
    # Attributes stay loaded after commit: touching an expired one would silently open a
    # new (write-locking, on SQLite) transaction in the middle of a long download.
    sessions = sessionmaker(engine, expire_on_commit=False)
    client = redis.Redis.from_url(config.redis_url, socket_timeout=10, socket_connect_timeout=5)
    return Runtime(config, engine, sessions, client)


def wait_for_schema(engine: Engine, timeout: float = 120.0) -> None:
    """Wait until the web process's ``flask db upgrade`` has created the tables.

    On a first start all processes launch together; workers must not touch the database
    before the migration has run.
    """
    deadline = time.monotonic() + timeout
    while not inspect(engine).has_table("download_item"):
        if time.monotonic() > deadline:
            raise SystemExit("the database has no tables; run `flask --app wsgi db upgrade`")
        logger.info("waiting for the database schema (flask db upgrade)")
        time.sleep(1)
    engine.dispose()


def wait_for_redis(url: str, timeout: float | None = None) -> redis.Redis:
    """Return a connected client once Redis answers a PING.

    Without ``timeout`` it waits as long as it takes: under honcho an exit would stop every
    process, and Redis coming back later (a restart, a NAS waking up) is the normal case.
    A warning names the URL every half minute, so a wrong ``REDIS_URL`` is still visible.
    Raises SystemExit only when a ``timeout`` is given and has passed.
    """
    started = time.monotonic()
    warned_at: float | None = None
    while True:
        # Timeouts: a frozen Redis must not hang the start-up probe for ever.
        client = redis.Redis.from_url(url, socket_timeout=REDIS_PROBE_TIMEOUT,
                                      socket_connect_timeout=REDIS_PROBE_TIMEOUT)
        try:
            client.ping()
            return client
        except redis.RedisError as exc:
            client.close()
            now = time.monotonic()
            if timeout is not None and now - started > timeout:
                raise SystemExit(f"Redis at {url} is unreachable: {exc}; check REDIS_URL") from exc
            if warned_at is None or now - warned_at >= REDIS_WARN_EVERY:
                logger.warning("redis unreachable url=%s error=%s; waiting for it", url, exc)
                warned_at = now
            time.sleep(0.5)


def get_runtime() -> Runtime:
    """Return this process's runtime, building it from the environment on first use."""
    pid = os.getpid()
    if pid not in _runtimes:
        _runtimes.clear()
        _runtimes[pid] = build_runtime(Config.from_env())
    return _runtimes[pid]
