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
REDIS_WAIT_SECONDS = 60


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


def get_runtime() -> Runtime:
    """Return this process's runtime, building it from the environment on first use."""
    pid = os.getpid()
    if pid not in _runtimes:
        _runtimes.clear()
        _runtimes[pid] = build_runtime(Config.from_env())
    return _runtimes[pid]
