"""Every request the site client sends is counted per (site, outcome) in Redis."""

from __future__ import annotations

from typing import Any

import pytest
import redis

from aniworld.site import SiteClient, SiteSettings, request_stats
from aniworld.site.errors import SiteNotFound, SiteServerError, SiteUnreachable


def _client(base_url: str, connection: redis.Redis | None, **overrides: Any) -> SiteClient:
    return SiteClient(SiteSettings(base_url=base_url, min_interval=0.0, backoff_base=0.01,
                                   timeout=3.0, transport="requests", **overrides),
                      redis=connection)


def test_answers_and_refusals_are_counted_per_site(fakesite: Any,
                                                   redis_conn: redis.Redis) -> None:
    fakesite.set_fault("status", status=503, times=2)
    with _client(fakesite.url, redis_conn, cache_ttl=0) as client:
        client.series("dr-who-s-cat")  # two 503s, then the page
        fakesite.set_fault("status", status=404, times=1)
        with pytest.raises(SiteNotFound):
            client.series("sternenstaub")
        client.series("dr-who-s-cat")  # cache_ttl 0: asked again
    with _client(fakesite.sto_url, redis_conn, engine="serienstream") as client:
        fakesite.set_fault("status", status=500, server="sto")
        with pytest.raises(SiteServerError):
            client.series("demo-serie")
    sent = [r for r in fakesite.requests if not r.path.startswith("/public/")]
    counts = request_stats.counts(redis_conn)
    assert counts == {("aniworld", "ok"): 2, ("aniworld", "server_error"): 2,
                      ("aniworld", "not_found"): 1, ("sto", "server_error"): 4}
    assert sum(n for (site, _), n in counts.items() if site == "aniworld") == len(sent)


def test_unreachable_site_and_missing_redis(redis_conn: redis.Redis) -> None:
    with _client("http://127.0.0.1:9", redis_conn, max_retries=0) as client:
        with pytest.raises(SiteUnreachable):
            client.series("dr-who-s-cat")
    assert request_stats.counts(redis_conn) == {("aniworld", "unreachable"): 1}
    with _client("http://127.0.0.1:9", None, max_retries=0) as client:  # nothing to count into
        with pytest.raises(SiteUnreachable):
            client.series("dr-who-s-cat")
