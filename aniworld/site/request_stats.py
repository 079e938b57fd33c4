"""How the sites answered: a count per (site, outcome) of every request sent, in Redis.

One hash that every process (web, workers, scheduler) increments, so ``/metrics`` shows the
sum of all of them. Counting never fails a request: with Redis away the count is skipped.
The hash starts again from zero when Redis loses its data; Prometheus treats a counter that
went down as a reset, so ``rate()`` and ``increase()`` stay right.
"""

from __future__ import annotations

import logging

import redis

from aniworld.site.errors import SiteError

logger = logging.getLogger(__name__)

KEY = "aniworld:metrics:site-requests"
OK = "ok"
_SEPARATOR = "|"


def outcome_of(error: SiteError | None) -> str:
    """``ok``, or the error's kind without its prefix (``challenge``, ``unreachable`` …)."""
    return OK if error is None else error.code.removeprefix("site_")


def record(connection: redis.Redis | None, site: str, outcome: str) -> None:
    """Count one request to ``site`` that ended with ``outcome``."""
    if connection is None:
        return
    try:
        connection.hincrby(KEY, f"{site}{_SEPARATOR}{outcome}", 1)
    except redis.RedisError as exc:
        logger.debug("site request not counted site=%s error=%s", site, exc)


def counts(connection: redis.Redis) -> dict[tuple[str, str], int]:
    """Requests by (site, outcome) since Redis last lost its data; raises RedisError."""
    result = {}
    for field, value in connection.hgetall(KEY).items():
        site, _, outcome = field.decode().partition(_SEPARATOR)
        result[(site, outcome)] = int(value)
    return result
