"""Session-wide fixtures: a private redis-server, shared by every test that needs Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from aniworld.embedded_redis import EmbeddedRedis
from tests.harness import instance_env

pytest_plugins: list[str] = ["tests.db_fixtures", "tests.fakesite.fixtures",
                             "tests.mediaserver.fixtures", "tests.fakenotify"]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    """Start a redis-server of our own on a private unix socket for the whole session."""
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server: EmbeddedRedis) -> Iterator[str]:
    """URL of the session's Redis, flushed before each test that uses it."""
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    yield redis_server.url


@pytest.fixture
def redis_conn(redis_url: str) -> Iterator[redis.Redis]:
    """A client connected to the freshly flushed session Redis."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def app_env(tmp_path: Path, redis_url: str) -> dict[str, str]:
    """Environment of a fresh instance: its own data dir and SQLite file, the session Redis.

    Both sites point at closed ports (never the real ones); their addresses differ, so each
    site keeps its own limiter and hold.
    """
    return instance_env(tmp_path, redis_url, site_url="http://127.0.0.1:9",
                        sto_url="http://localhost:9")
