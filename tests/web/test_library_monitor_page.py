"""The library page's monitoring panel: the last check's result and "Check now"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from rq import Queue
from sqlalchemy.orm import sessionmaker

from aniworld.extensions import db
from aniworld.models import Series
from aniworld.services.catalog import fetch_series, store_snapshot
from aniworld.services.library import monitoring
from aniworld.services.settings import AppSettings
from aniworld.tasks import dispatch, monitor
from tests.fakesite.server import FakeSite
from tests.services.library.conftest import make_client, stand_in
from tests.web.conftest import AuthActions, add_series, site_auth
from tests.web.test_library_page import HX, post

BUTTON = "Check monitored series now</button>"


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """A logged-in client of an app on the stand-in sites."""
    yield from site_auth(app_env, fakesite)


def monitor_series(app: Flask, key: str = "blauer-drache", title: str = "Blauer Drache") -> int:
    """A monitored series row; returns its id."""
    series_id = add_series(app, key, title)
    with app.app_context():
        db.session.get(Series, series_id).monitored = True
        db.session.commit()
    return series_id


def test_without_monitored_series_the_panel_explains_monitoring(
        app: Flask, logged_in: AuthActions) -> None:
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert '<section id="monitor-status"' in page and "No series is monitored." in page
    assert BUTTON not in page


def test_check_now_enqueues_one_round_and_polls(app: Flask, logged_in: AuthActions,
                                                redis_conn: redis.Redis) -> None:
    monitor_series(app)
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "1 series monitored; no check has run yet." in page and BUTTON in page

    response = post(logged_in, "/library/monitor")

    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.startswith('<section id="monitor-status"')
    assert 'hx-get="/library/monitor-status" hx-trigger="every 2s"' in body
    assert "Check waiting for a worker" in body and BUTTON not in body
    jobs = Queue(dispatch.LIBRARY_QUEUE, connection=redis_conn).job_ids
    assert jobs == [dispatch.MONITOR_JOB_ID]
    plain = post(logged_in, "/library/monitor", htmx=False)
    assert plain.status_code == 303 and plain.headers["Location"] == "/library/"
    assert Queue(dispatch.LIBRARY_QUEUE, connection=redis_conn).job_ids == jobs
    polling = logged_in.client.get("/library/monitor-status", headers=HX)
    assert polling.status_code == 200 and "every 2s" in polling.get_data(as_text=True)
    assert "HX-Trigger" not in polling.headers


def test_the_poll_ends_with_the_result_and_reloads_the_cards(site: AuthActions,
                                                             fakesite: FakeSite) -> None:
    assert post(site, "/library/monitor").status_code == 200
    with make_client(fakesite) as client:
        snapshot = fetch_series(client, "blauer-drache")
    with site.app.app_context():
        store_snapshot(db.session, snapshot).monitored = True
        db.session.commit()
        sessions = sessionmaker(db.engine, expire_on_commit=False)
    fakesite.release("blauer-drache", 1)
    monitor.run_monitor_round(sessions, stand_in(fakesite), AppSettings())  # the worker's part

    response = site.client.get("/library/monitor-status", headers=HX)

    body = response.get_data(as_text=True)
    assert response.status_code == 286 and response.headers["HX-Trigger"] == "libraryChanged"
    assert "every 2s" not in body and BUTTON in body
    assert "Last check (" in body and "Checked 1 of 1 monitored series with 2 request(s)" in body


def test_a_troubled_round_is_shown_as_an_error(app: Flask, logged_in: AuthActions) -> None:
    monitor_series(app)
    with app.app_context():
        sessions = sessionmaker(db.engine, expire_on_commit=False)
    monitor.record_failure(sessions, "Monitoring failed (OSError: disk); see the worker log.")
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert 'class="error" role="alert">Last check' in page and "OSError: disk" in page


def test_monitor_post_needs_the_csrf_token(app: Flask, logged_in: AuthActions) -> None:
    assert logged_in.client.post("/library/monitor", headers=HX).status_code == 400


def test_monitor_status_without_htmx_goes_to_the_page(app: Flask,
                                                      logged_in: AuthActions) -> None:
    assert logged_in.client.get("/library/monitor-status").status_code == 302
    with app.app_context():
        assert not monitoring.load_status(db.session).waiting


def test_a_round_whose_worker_died_leaves_the_button(app: Flask, logged_in: AuthActions,
                                                     redis_conn: redis.Redis) -> None:
    monitor_series(app)
    with app.app_context():
        monitoring.store_status(db.session, monitoring.MonitorStatus(
            started_at="2025-11-01T12:00:00+00:00", message="Checked 1 of 1 monitored series."))
        db.session.commit()
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert BUTTON in page and "every 2s" not in page
    dispatch.enqueue_monitor(redis_conn)  # as if the round were alive after all
    page = logged_in.client.get("/library/").get_data(as_text=True)
    assert "Checking the monitored series" in page and "every 2s" in page and BUTTON not in page
