"""Prometheus metrics (authenticated by an API key header or basic auth).

``GET /metrics`` is outside the login guard (``SELF_AUTHENTICATED_BLUEPRINTS``): Prometheus
sends an API key as ``X-API-Key`` or as the password of HTTP basic auth (any user name).
Every figure is read at scrape time from the database and Redis, through a collector on a
registry made for this one request, so the answer is the same from any web process and
covers every worker host; nothing is counted in this process's memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import redis
from flask import Blueprint, Response, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector
from rq import Worker

from aniworld.database import BEGIN_MODE
from aniworld.extensions import db
from aniworld.services import credentials
from aniworld.services import metrics as figures
from aniworld.services.throttle import LoginThrottle
from aniworld.site import request_stats
from aniworld.web.resources import get_redis
from aniworld.web.security import API_KEY_FAILURE_LIMIT

logger = logging.getLogger(__name__)

bp = Blueprint("metrics", __name__, url_prefix="/metrics")

REALM = 'Basic realm="Aniworld metrics", charset="UTF-8"'
COUNTER_HELP = {
    figures.DOWNLOADS: ("aniworld_downloads", "Episodes downloaded into the library", ""),
    figures.BYTES: ("aniworld_downloaded", "Bytes of the episode files downloaded", "bytes"),
    figures.FAILURES: ("aniworld_download_failures",
                       "Downloads that failed for good (no retry left)", ""),
}


@dataclass(frozen=True)
class RedisFigures:
    """What Redis knows: site requests by (site, outcome) and the listening RQ workers."""

    site_requests: dict[tuple[str, str], int]
    workers: int


@bp.get("", strict_slashes=False)
def scrape() -> Response:
    """Every metric in the Prometheus text format; 401 without a valid API key."""
    refused = _authenticate()
    if refused is not None:
        return refused
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AniworldCollector(figures.snapshot(db.session), _redis_figures(),
                                        db.engine.dialect.name))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST,
                    headers={"Cache-Control": "no-store"})


def _authenticate() -> Response | None:
    """None for a valid key (header or basic-auth password), else 401 or 429.

    Wrong keys count against the address in the same throttle as wrong ``X-API-Key``
    headers to ``/api`` (security.py), so guessing here is no cheaper than there.
    """
    address = request.remote_addr or "unknown"
    throttle = LoginThrottle(get_redis(), limit=API_KEY_FAILURE_LIMIT, scope="api-key-failures")
    retry_after = throttle.retry_after(address)
    if retry_after is not None:
        return _refusal(429, f"too many wrong API keys; try again in {retry_after} seconds",
                        {"Retry-After": str(retry_after)})
    plain = request.headers.get("X-API-Key") or (
        request.authorization.password if request.authorization else None)
    if not plain:
        return _refusal(401, "send an API key as X-API-Key or as the basic-auth password",
                        {"WWW-Authenticate": REALM})
    # The guard left a read-only transaction; the key's "last used" stamp is a write.
    db.session.rollback()
    found = credentials.find_api_key(db.session, plain) is not None
    db.session.commit()
    db.session.connection(execution_options={BEGIN_MODE: "DEFERRED"})
    if not found:
        throttle.record_failure(address)
        logger.warning("metrics api key rejected address=%s", address)
        return _refusal(401, "this API key is not valid; create one under Settings → API keys",
                        {"WWW-Authenticate": REALM})
    return None


def _refusal(status: int, message: str, headers: dict[str, str]) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain", headers=headers)


def _redis_figures() -> RedisFigures | None:
    """Site request counts and worker count, or None while Redis cannot be reached."""
    try:
        connection = get_redis()
        return RedisFigures(request_stats.counts(connection),
                            Worker.count(connection=connection))
    except redis.RedisError as exc:
        logger.warning("metrics redis error=%s", exc)
        return None


class AniworldCollector(Collector):
    """Turns one scrape's figures into metric families (names ``aniworld_*``)."""

    def __init__(self, snapshot: figures.MetricsSnapshot, from_redis: RedisFigures | None,
                 database: str) -> None:
        self.snapshot = snapshot
        self.from_redis = from_redis
        self.database = database

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily | InfoMetricFamily]:
        """Yield every family of this scrape."""
        yield GaugeMetricFamily("aniworld_up", "1 while the web app answers and reads its "
                                "database", value=1)
        yield InfoMetricFamily("aniworld", "The installation", value={"database": self.database})
        yield from self._queue()
        yield from self._counters()
        yield from self._scan()
        yield from self._redis()

    def _queue(self) -> Iterator[GaugeMetricFamily]:
        items = GaugeMetricFamily("aniworld_queue_items", "Queue items by status",
                                  labels=["status"])
        for status, count in sorted(self.snapshot.queue.items()):
            items.add_metric([status], count)
        yield items
        yield GaugeMetricFamily("aniworld_queue_paused", "1 while the whole queue is paused",
                                value=int(self.snapshot.queue_paused))

    def _counters(self) -> Iterator[CounterMetricFamily]:
        for name, (metric, text, unit) in COUNTER_HELP.items():
            family = CounterMetricFamily(metric, text, labels=["site", "hoster"], unit=unit)
            for (site, hoster), value in sorted(self.snapshot.counters.get(name, {}).items()):
                family.add_metric([site, hoster], value)
            yield family
        attempts = CounterMetricFamily(
            "aniworld_hoster_attempts", "Tries of a hoster by outcome (the breaker's figures; "
            "failures the hoster is not to blame for are not counted)",
            labels=["site", "hoster", "outcome"])
        for labels, value in sorted(self.snapshot.hoster_attempts.items()):
            attempts.add_metric(list(labels), value)
        yield attempts

    def _scan(self) -> Iterator[GaugeMetricFamily]:
        scan = self.snapshot.scan
        yield GaugeMetricFamily("aniworld_library_scan_active",
                                "1 while a library scan waits or runs", value=int(scan.active))
        if scan.duration_seconds is None or scan.finished_at is None:
            return
        yield GaugeMetricFamily("aniworld_library_scan_duration_seconds",
                                "How long the last library scan took", value=scan.duration_seconds)
        yield GaugeMetricFamily("aniworld_library_scan_finished_timestamp_seconds",
                                "When the last library scan ended (Unix time)",
                                value=scan.finished_at.timestamp())

    def _redis(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        yield GaugeMetricFamily("aniworld_redis_up", "1 while Redis answers",
                                value=int(self.from_redis is not None))
        if self.from_redis is None:
            return
        yield GaugeMetricFamily("aniworld_workers", "RQ workers registered in Redis",
                                value=self.from_redis.workers)
        requests = CounterMetricFamily(
            "aniworld_site_requests", "Requests sent to the sites by outcome (counted in "
            "Redis: they start again from 0 when Redis loses its data)",
            labels=["site", "outcome"])
        for (site, outcome), value in sorted(self.from_redis.site_requests.items()):
            requests.add_metric([site, outcome], value)
        yield requests
