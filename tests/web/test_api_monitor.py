"""``/api/v1/library/monitor``: start a monitoring round now, and read how the last one went."""

from __future__ import annotations

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy.orm import sessionmaker

from aniworld.extensions import db
from aniworld.services.library import monitoring
from aniworld.services.settings import AppSettings
from aniworld.sites import ANIWORLD
from aniworld.tasks import dispatch, monitor
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import stand_in
from tests.web.conftest import api_client, site_urls

API_KEY = "monitor-api-key-0123456789"
URL = "/api/v1/library/monitor"
DRACHE = "blauer-drache"


@pytest.fixture
def api(app_env: dict[str, str], fakesite: FakeSite) -> tuple[Flask, FlaskClient]:
    """The app on the stand-in sites and a client with an API key."""
    return api_client({**app_env, **site_urls(fakesite)}, API_KEY)


def test_status_before_any_round(api: tuple[Flask, FlaskClient]) -> None:
    response = api[1].get(URL)
    assert response.status_code == 200
    status = response.get_json()["monitor"]
    assert (status["running"], status["waiting"], status["finished_at"]) == (False, False, None)
    assert (status["checked"], status["requests"], status["queued"], status["sites"]) == (
        0, 0, 0, {})


def test_post_starts_one_round_and_a_second_post_joins_it(
        api: tuple[Flask, FlaskClient], redis_conn: redis.Redis) -> None:
    client = api[1]
    first = client.post(URL)
    assert first.status_code == 202
    body = first.get_json()
    assert body["started"] is True and body["monitor"]["waiting"] is True
    assert body["monitor"]["requested_at"]
    job = Job.fetch(dispatch.MONITOR_JOB_ID, connection=redis_conn, serializer=JSONSerializer)
    assert job.func_name == dispatch.MONITOR_JOB

    second = client.post(URL)
    assert second.status_code == 202
    assert second.get_json() == {"monitor": body["monitor"], "started": False}
    queue = Queue(dispatch.LIBRARY_QUEUE, connection=redis_conn, serializer=JSONSerializer)
    assert queue.job_ids == [dispatch.MONITOR_JOB_ID]
    assert client.get(URL).get_json()["monitor"] == body["monitor"]


def test_status_after_a_round_says_what_it_did(api: tuple[Flask, FlaskClient],
                                               fakesite: FakeSite) -> None:
    app, client = api
    assert client.post("/api/v1/series", json={"key": DRACHE}).status_code == 201
    client.patch(f"/api/v1/series/{DRACHE}", json={"monitored": True})
    assert client.post(URL).status_code == 202
    fakesite.release(DRACHE, 1)
    with app.app_context():
        sessions = sessionmaker(db.engine, expire_on_commit=False)
    monitor.run_monitor_round(sessions, stand_in(fakesite), AppSettings())  # the worker's part

    status = client.get(URL).get_json()["monitor"]

    assert (status["running"], status["waiting"], status["failed"]) == (False, False, False)
    # The feed, then season 1; everything missing of the series (scope "all") is queued.
    assert (status["series"], status["checked"], status["requests"]) == (1, 1, 2)
    assert (status["new"], status["queued"], status["failed_series"]) == (1, 4, 0)
    site = status["sites"][ANIWORLD]
    assert site["feed_entries"] > 0 and (site["named"], site["due"]) == (1, 0)
    assert (site["feed_error"], site["stopped"]) == ("", "")
    assert "Checked 1 of 1 monitored series with 2 request(s)" in status["message"]
    assert len(client.get("/api/v1/queue").get_json()["pending"]) == 4


def test_a_dead_round_does_not_block_the_next(api: tuple[Flask, FlaskClient],
                                              redis_conn: redis.Redis) -> None:
    # A worker died mid-round: the status still says "running", but its job is gone.
    app, client = api
    with app.app_context():
        monitoring.store_status(db.session, monitoring.MonitorStatus(
            started_at="2025-11-01T12:00:00+00:00"))
        db.session.commit()
    response = client.post(URL)
    assert response.status_code == 202 and response.get_json()["started"] is True


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_anonymous_callers_are_refused(api: tuple[Flask, FlaskClient], method: str) -> None:
    app, _client = api
    response = app.test_client().open(URL, method=method)
    assert response.status_code == 401


def test_wrong_method_is_405_json(api: tuple[Flask, FlaskClient]) -> None:
    response = api[1].delete(URL)
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
