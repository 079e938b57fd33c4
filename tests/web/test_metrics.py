"""``GET /metrics``: Prometheus text read from the database and Redis, behind an API key."""

from __future__ import annotations

from base64 import b64encode
from pathlib import Path

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from rq import Worker
from werkzeug.test import TestResponse

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Series
from aniworld.services import hoster_health, metrics
from aniworld.services import queue as queue_service
from aniworld.services.hoster_health import Breaker
from aniworld.services.library import scan_state
from aniworld.site import request_stats
from aniworld.web.security import API_KEY_FAILURE_LIMIT
from tests.db_fixtures import complete_item, fail_item
from tests.web.conftest import api_client

KEY = "metrics-key-0123456789abcdef"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def api(app_env: dict[str, str]) -> tuple[Flask, FlaskClient]:
    return api_client(app_env, KEY)


def basic(user: str, password: str) -> dict[str, str]:
    """An HTTP basic-auth header, as Prometheus's ``basic_auth`` sends it."""
    token = b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def parse(response: TestResponse) -> Samples:
    """Every sample of a scrape by (name, sorted labels), through Prometheus's own parser."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    families = list(text_string_to_metric_families(response.get_data(as_text=True)))
    assert families and all(f.name.startswith("aniworld_") and f.documentation
                            for f in families)
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in families for s in family.samples}


def _known_state(app: Flask) -> None:
    """Five queue items, counters, hoster outcomes and a finished scan."""
    with app.app_context():
        series = Series(key="drache", title="Drache")
        db.session.add(series)
        db.session.flush()
        ids = [queue_service.add_item(db.session, series, 1, n, Language.GERMAN_DUB).id
               for n in range(1, 6)]
        complete_item(db.session, ids[0])
        fail_item(db.session, ids[1])
        queue_service.pause_item(db.session, ids[2])
        for _ in range(3):
            metrics.add_to_counter(db.session, metrics.DOWNLOADS, "aniworld", "VOE")
        metrics.add_to_counter(db.session, metrics.BYTES, "aniworld", "VOE", 3_000_000)
        metrics.add_to_counter(db.session, metrics.FAILURES, "sto", "Vidmoly")
        hoster_health.record_success(db.session, "aniworld", "VOE", 1000)
        hoster_health.record_failure(db.session, "aniworld", "VOE", "hoster_unavailable",
                                     "HTTP 503", Breaker())
        scan_state.begin(db.session)
        scan_state.finish(db.session, "2 folders")
        db.session.commit()


def test_figures_match_the_database_and_redis(api: tuple[Flask, FlaskClient],
                                              redis_conn: redis.Redis) -> None:
    app, client = api
    _known_state(app)
    for outcome in ("ok", "ok", "challenge"):
        request_stats.record(redis_conn, "aniworld", outcome)
    values = parse(client.get("/metrics"))
    assert values[("aniworld_up", ())] == 1 and values[("aniworld_redis_up", ())] == 1
    assert values[("aniworld_info", (("database", "sqlite"),))] == 1
    queue = {labels[0][1]: value for (name, labels), value in values.items()
             if name == "aniworld_queue_items"}
    assert queue == {"pending": 2, "downloading": 0, "paused": 1, "completed": 1, "failed": 1,
                     "cancelled": 0}
    voe = (("hoster", "VOE"), ("site", "aniworld"))
    assert values[("aniworld_downloads_total", voe)] == 3
    assert values[("aniworld_downloaded_bytes_total", voe)] == 3_000_000
    assert values[("aniworld_download_failures_total",
                   (("hoster", "Vidmoly"), ("site", "sto")))] == 1
    assert values[("aniworld_hoster_attempts_total",
                   (("hoster", "VOE"), ("outcome", "failure"), ("site", "aniworld")))] == 1
    assert values[("aniworld_site_requests_total", (("outcome", "ok"), ("site", "aniworld")))] == 2
    assert values[("aniworld_site_requests_total",
                   (("outcome", "challenge"), ("site", "aniworld")))] == 1
    assert values[("aniworld_workers", ())] == 0
    assert 0 <= values[("aniworld_library_scan_duration_seconds", ())] < 5
    assert values[("aniworld_library_scan_finished_timestamp_seconds", ())] > 1.7e9
    assert values[("aniworld_queue_paused", ())] == 0


def test_workers_are_counted_from_redis(api: tuple[Flask, FlaskClient],
                                        redis_conn: redis.Redis) -> None:
    _, client = api
    worker = Worker(["downloads"], connection=redis_conn, name="metrics-test-worker")
    worker.register_birth()
    try:
        assert parse(client.get("/metrics"))[("aniworld_workers", ())] == 1
    finally:
        worker.register_death()


def test_basic_auth_takes_any_user_name_and_a_key_as_password(
        api: tuple[Flask, FlaskClient]) -> None:
    app, _ = api
    anonymous = app.test_client()
    assert parse(anonymous.get("/metrics", headers=basic("prometheus", KEY)))
    assert parse(anonymous.get("/metrics/", headers=basic("", KEY)))


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong-key-0123456789abcdef"},
                                     basic("prometheus", "wrong-key-0123456789abcdef"),
                                     basic("prometheus", "")])
def test_refusals_ask_for_basic_auth(api: tuple[Flask, FlaskClient],
                                     headers: dict[str, str]) -> None:
    app, _ = api
    response = app.test_client().get("/metrics", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith('Basic realm="Aniworld metrics"')
    assert "aniworld_" not in response.get_data(as_text=True)


def test_wrong_keys_are_throttled_together_with_the_api(api: tuple[Flask, FlaskClient]) -> None:
    app, _ = api
    anonymous = app.test_client()
    wrong = "wrong-key-0123456789abcdef"
    for _ in range(API_KEY_FAILURE_LIMIT // 2):
        assert anonymous.get("/api/v1/queue", headers={"X-API-Key": wrong}).status_code == 401
    for _ in range(API_KEY_FAILURE_LIMIT - API_KEY_FAILURE_LIMIT // 2):
        assert anonymous.get("/metrics", headers=basic("p", wrong)).status_code == 401
    refused = anonymous.get("/metrics", headers=basic("p", KEY))  # even the right key now
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "too many wrong API keys" in refused.get_data(as_text=True)


def test_without_redis_the_database_figures_still_come(app_env: dict[str, str],
                                                       tmp_path: Path) -> None:
    app, client = api_client({**app_env, "REDIS_URL": f"unix://{tmp_path}/nobody.sock"}, KEY)
    _known_state(app)
    values = parse(client.get("/metrics"))
    assert values[("aniworld_redis_up", ())] == 0
    assert ("aniworld_workers", ()) not in values
    assert values[("aniworld_queue_items", (("status", "pending"),))] == 2
