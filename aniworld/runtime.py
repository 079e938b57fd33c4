"""Per-process resources for workers and the scheduler: config, database engine, Redis.

Created lazily and keyed by process id, because RQ forks a work horse per job and a
database connection must never cross a fork.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aniworld.config import Config
from aniworld.database import make_engine


@dataclass(frozen=True)
class Runtime:
    """What a job needs besides its arguments."""

    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis


_runtimes: dict[int, Runtime] = {}


def build_runtime(config: Config) -> Runtime:
    """Create fresh resources for ``config``."""
    engine = make_engine(config.database_url, pool_pre_ping=True)
    # Attributes stay loaded after commit: touching an expired one would silently open a
    # new (write-locking, on SQLite) transaction in the middle of a long download.
    sessions = sessionmaker(engine, expire_on_commit=False)
    client = redis.Redis.from_url(config.redis_url, socket_timeout=10, socket_connect_timeout=5)
    return Runtime(config, engine, sessions, client)


def get_runtime() -> Runtime:
    """Return this process's runtime, building it from the environment on first use."""
    pid = os.getpid()
    if pid not in _runtimes:
        _runtimes.clear()
        _runtimes[pid] = build_runtime(Config.from_env())
    return _runtimes[pid]
