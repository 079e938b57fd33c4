"""Cross-process politeness (Redis) and its in-process fallback; the page cache."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from aniworld.site.cache import PageCache
from aniworld.site.errors import SiteRateLimited
from aniworld.site.limiter import LocalBackend, RedisBackend, SiteLimiter


def hammer(limiters: list[SiteLimiter], threads: int = 8, hold: float = 0.03) -> int:
    """Run threads that each take a slot a few times; return the peak overlap."""
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def work(limiter: SiteLimiter) -> None:
        for _ in range(3):
            with limiter.slot():
                with lock:
                    state["now"] += 1
                    state["peak"] = max(state["peak"], state["now"])
                time.sleep(hold)
                with lock:
                    state["now"] -= 1

    workers = [threading.Thread(target=work, args=(limiters[i % len(limiters)],))
               for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return state["peak"]


def test_local_limit_holds_across_limiter_objects() -> None:
    """Two clients in one process without Redis share the site's two slots."""
    limiters = [SiteLimiter("http://a", min_interval=0) for _ in range(2)]
    assert hammer(limiters) == 2


def test_redis_limit_holds_across_connections(redis_url: str) -> None:
    """Separate connections (as separate processes would have) share the two slots."""
    conns = [redis.Redis.from_url(redis_url) for _ in range(2)]
    limiters = [SiteLimiter("http://a", conn, min_interval=0) for conn in conns]
    assert hammer(limiters) == 2
    for conn in conns:
        conn.close()


def test_redis_lease_of_a_killed_process_expires(redis_conn: redis.Redis) -> None:
    """Slots taken and never released come back when their lease runs out."""
    backend = RedisBackend(redis_conn, "http://a")
    assert backend.try_acquire("dead-1", 2, 200, 0) == [0, 0]
    assert backend.try_acquire("dead-2", 2, 200, 0) == [0, 0]
    assert backend.try_acquire("me", 2, 200, 0)[0] == -1
    time.sleep(0.25)
    assert backend.try_acquire("me", 2, 200, 0) == [0, 0]


def test_local_lease_expires() -> None:
    """The in-process fallback expires leases the same way."""
    backend = LocalBackend()
    backend.try_acquire("dead", 1, 100, 0)
    assert backend.try_acquire("me", 1, 100, 0)[0] == -1
    time.sleep(0.12)
    assert backend.try_acquire("me", 1, 100, 0) == [0, 0]


@pytest.mark.parametrize("use_redis", [False, True])
def test_spacing_between_starts(use_redis: bool, request: pytest.FixtureRequest) -> None:
    """Request starts are at least min_interval apart."""
    conn = request.getfixturevalue("redis_conn") if use_redis else None
    limiter = SiteLimiter("http://a", conn, min_interval=0.05)
    starts = []
    for _ in range(4):
        with limiter.slot():
            starts.append(time.monotonic())
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.045


def test_cool_down_is_shared_through_redis(redis_url: str) -> None:
    """A back-off recorded by one process makes the others wait too."""
    conns = [redis.Redis.from_url(redis_url) for _ in range(2)]
    first, second = (SiteLimiter("http://a", c, min_interval=0, backoff_base=0.01) for c in conns)
    waited = first.backoff(retry_after=0.3)
    assert 0.25 <= waited <= 0.31
    started = time.monotonic()
    with second.slot():
        pass
    assert time.monotonic() - started >= 0.25
    for conn in conns:
        conn.close()


def test_backoff_grows_exponentially_and_resets() -> None:
    """1x, 2x, 4x the base, then back to 1x after a success."""
    limiter = SiteLimiter("http://a", min_interval=0, backoff_base=0.01)
    delays = [limiter.backoff() for _ in range(3)]
    assert delays[0] < delays[1] < delays[2]
    limiter.succeeded()
    LocalBackend.forget_all()
    limiter = SiteLimiter("http://a", min_interval=0, backoff_base=0.01)
    assert limiter.backoff() == pytest.approx(0.01, abs=0.005)


def test_long_cool_down_raises_instead_of_blocking() -> None:
    """A worker is not parked for an hour: it gets SiteRateLimited with the wait."""
    limiter = SiteLimiter("http://a", min_interval=0, max_wait=1)
    limiter.backoff(retry_after=30)
    with pytest.raises(SiteRateLimited) as info, limiter.slot():
        pass
    assert 28 <= info.value.retry_after <= 30


@pytest.mark.parametrize("use_redis", [False, True])
def test_cache_ttl_and_base_url_in_key(use_redis: bool, request: pytest.FixtureRequest) -> None:
    """Entries expire; the same path on another base URL is another entry."""
    conn = request.getfixturevalue("redis_conn") if use_redis else None
    cache = PageCache(conn, ttl=1)
    cache.set("GET https://a/x", "A")
    assert cache.get("GET https://a/x") == "A"
    assert cache.get("GET https://b/x") is None
    cache.set("GET https://a/y", "Y", ttl=0)
    assert cache.get("GET https://a/y") is None
    time.sleep(1.1)
    assert cache.get("GET https://a/x") is None


def test_redis_outage_falls_back_to_in_process_limits() -> None:
    """A dead Redis does not surface as a RedisError from the site client."""
    dead = redis.Redis(unix_socket_path="/nonexistent/redis.sock")
    limiter = SiteLimiter("http://a", dead, min_interval=0)
    with limiter.slot():
        pass
    assert isinstance(limiter.backend, LocalBackend)
    assert limiter.backoff(retry_after=0.01) >= 0.01
    dead.close()
