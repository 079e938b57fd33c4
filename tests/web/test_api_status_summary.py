"""``GET /api/v1/status``: the small JSON that dashboards such as Homepage poll."""

from __future__ import annotations

from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Series
from aniworld.services import execution
from aniworld.services import queue as queue_service
from tests.db_fixtures import claim_item, complete_item, fail_item
from tests.web.conftest import AuthActions, api_client

KEY = "status-key-0123456789abcdef"
FIELDS = {"active", "progress", "speed", "eta_seconds", "pending", "paused", "failed",
          "completed", "queue_paused", "last_completed"}


@pytest.fixture
def api(app_env: dict[str, str]) -> tuple[Flask, FlaskClient]:
    return api_client(app_env, KEY)


def test_idle_instance_answers_zeros(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    body = client.get("/api/v1/status").get_json()
    assert body == {"active": 0, "progress": 0.0, "speed": 0.0, "eta_seconds": 0, "pending": 0,
                    "paused": 0, "failed": 0, "completed": 0, "queue_paused": False,
                    "last_completed": None}


def test_figures_of_running_waiting_failed_and_completed_items(
        api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    with app.app_context():
        series = Series(site="sto", key="demo-serie", title="Demo Serie")
        db.session.add(series)
        db.session.flush()
        ids = [queue_service.add_item(db.session, series, 2, n, Language.GERMAN_SUB).id
               for n in range(1, 7)]
        complete_item(db.session, ids[0], "/lib/Demo Serie/S02E01.mkv")
        fail_item(db.session, ids[1])
        lease = claim_item(db.session, ids[2]).lease
        execution.record_progress(db.session, ids[2], lease, 3_000_000, 10_000_000,
                                  1_500_000.0, 5)
        queue_service.pause_item(db.session, ids[3])
        queue_service.pause_queue(db.session)
        db.session.commit()
    body = client.get("/api/v1/status").get_json()
    assert set(body) == FIELDS
    assert {name: body[name] for name in FIELDS - {"last_completed"}} == {
        "active": 1, "progress": 30.0, "speed": 1_500_000.0, "eta_seconds": 5, "pending": 2,
        "paused": 1, "failed": 1, "completed": 1, "queue_paused": True}
    last = body["last_completed"]
    assert {k: v for k, v in last.items() if k != "at"} == {
        "series_key": "sto:demo-serie", "series": "Demo Serie", "season": 2, "episode": 1,
        "code": "S02E01", "language": "german-sub"}
    assert datetime.fromisoformat(last["at"]).tzinfo is not None


def test_a_logged_in_browser_may_read_it_too(client: FlaskClient, logged_in: AuthActions) -> None:
    assert client.get("/api/v1/status").get_json()["active"] == 0
