"""At most two requests in flight per site, from many threads and from two clients on Redis."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import redis

from tests.fakesite.content import LONG_SLUG
from tests.site.test_client_fakesite import make_client


def run_threads(jobs: list[Callable[[], object]]) -> list[BaseException]:
    """Run every job on its own thread; return the exceptions raised."""
    errors: list[BaseException] = []

    def wrap(job: Callable[[], object]) -> None:
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def season_jobs(client: Any, seasons: range) -> list[Callable[[], object]]:
    """One job per season page."""
    return [lambda n=n: client.season(LONG_SLUG, n) for n in seasons]


def test_threads_hammering_one_client(fakesite: Any) -> None:
    """Eight threads, slow answers, no cache: the site never sees more than two at once."""
    fakesite.set_fault("slow", latency_ms=40)
    with make_client(fakesite, cache_ttl=0) as client:
        assert run_threads(season_jobs(client, range(1, 9))) == []
    assert len(fakesite.requests) == 8
    assert fakesite.max_concurrency() == 2


def test_two_clients_sharing_redis(fakesite: Any, redis_url: str) -> None:
    """Two clients (as in two processes) with their own Redis connections share two slots."""
    fakesite.set_fault("slow", latency_ms=40)
    conns = [redis.Redis.from_url(redis_url) for _ in range(2)]
    clients = [make_client(fakesite, redis=conn, cache_ttl=0) for conn in conns]
    jobs = season_jobs(clients[0], range(1, 7)) + season_jobs(clients[1], range(7, 13))
    assert run_threads(jobs) == []
    assert len(fakesite.requests) == 12
    assert fakesite.max_concurrency() == 2
    for client, conn in zip(clients, conns, strict=True):
        client.close()
        conn.close()


def test_redis_cache_is_shared_between_clients(fakesite: Any, redis_conn: redis.Redis) -> None:
    """A series opened by one client is not fetched again by another within the TTL."""
    with make_client(fakesite, redis=redis_conn) as first:
        first.series(LONG_SLUG)
    with make_client(fakesite, redis=redis_conn) as second:
        second.series(LONG_SLUG)
    assert len(fakesite.requests) == 1
