"""The queue's JSON API: status codes, shapes, ordering, and survival across restarts."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.models import Episode
from aniworld.services import queue as queue_service
from tests.db_fixtures import complete_item, fail_item
from tests.web.conftest import AuthActions, add_series, build_app

API_KEY = "test-api-key-0123456789abcdef"


@pytest.fixture
def api(app_env: dict[str, str]) -> tuple[Flask, FlaskClient]:
    app = build_app({**app_env, "ANIWORLD_API_KEY": API_KEY})
    app.test_cli_runner().invoke(args=["init"])
    add_series(app)
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = API_KEY
    return app, client


def _add(client: FlaskClient, episode: int, **extra: Any) -> Any:
    body = {"series_key": "demo-series", "season": 1, "episode": episode, **extra}
    return client.post("/api/v1/queue", json=body)


def test_add_returns_201_with_the_item(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    response = _add(client, 1, language="german-sub", priority="high")
    assert response.status_code == 201
    item = response.get_json()
    assert item["series_key"] == "demo-series" and item["series_title"] == "Demo Series"
    assert (item["season"], item["episode"], item["language"]) == (1, 1, "german-sub")
    assert item["priority"] == "high" and item["status"] == "pending"
    for field in ("position", "progress", "downloaded_bytes", "total_bytes", "speed",
                  "eta_seconds", "attempts", "error", "created_at", "started_at",
                  "completed_at", "updated_at"):
        assert field in item


def test_duplicate_is_409(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    assert _add(client, 1).status_code == 201
    response = _add(client, 1)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"
    assert _add(client, 1, language="english-sub").status_code == 201


@pytest.mark.parametrize(("body", "field"), [
    ({"season": 1, "episode": 1}, "series_key"),
    ({"series_key": "nope", "season": 1, "episode": 1}, "series_key"),
    ({"series_key": "demo-series", "season": -1, "episode": 1}, "season"),
    ({"series_key": "demo-series", "season": 1, "episode": 0}, "episode"),
    ({"series_key": "demo-series", "season": "1", "episode": 1}, "season"),
    ({"series_key": "demo-series", "season": 1, "episode": 1, "language": "klingon"}, "language"),
    ({"series_key": "demo-series", "season": 1, "episode": 1, "priority": "urgent"}, "priority"),
])
def test_invalid_input_is_422_naming_the_field(api: tuple[Flask, FlaskClient],
                                               body: dict[str, Any], field: str) -> None:
    _, client = api
    response = client.post("/api/v1/queue", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field


def _with_episodes(app: Flask) -> None:
    """A series whose episodes the site lists: season 1, episodes 1 to 3."""
    series_id = add_series(app, "known-series", "Known Series")
    with app.app_context():
        db.session.add_all(Episode(series_id=series_id, season=1, number=n) for n in (1, 2, 3))
        db.session.commit()


@pytest.mark.parametrize(("season", "episode", "field"), [(1, 4, "episode"), (2, 1, "season")])
def test_queueing_what_the_site_does_not_have_is_422(api: tuple[Flask, FlaskClient],
                                                     season: int, episode: int,
                                                     field: str) -> None:
    app, client = api
    _with_episodes(app)
    body = {"series_key": "known-series", "season": season, "episode": episode}
    response = client.post("/api/v1/queue", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"].startswith("Known Series has no ")
    assert client.post("/api/v1/queue", json={**body, "season": 1, "episode": 3}).status_code \
        == 201


def test_bulk_of_unknown_episodes_is_422_and_adds_nothing(api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    _with_episodes(app)
    episodes = [{"season": 1, "episode": n} for n in range(1, 5001)]
    response = client.post("/api/v1/queue/bulk",
                           json={"series_key": "known-series", "episodes": episodes})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == "episodes" and "no episode S01E04" in error["message"]
    with app.app_context():
        assert queue_service.pending_items(db.session) == []


def test_non_json_body_is_422(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    response = client.post("/api/v1/queue", data="season=1")
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "validation_error"


def test_bulk_add_skips_duplicates(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    _add(client, 2)
    episodes = [{"season": 1, "episode": n} for n in range(1, 6)]
    response = client.post("/api/v1/queue/bulk",
                           json={"series_key": "demo-series", "episodes": episodes})
    assert response.status_code == 201
    body = response.get_json()
    assert [i["episode"] for i in body["created"]] == [1, 3, 4, 5]
    assert body["skipped"] == [{"season": 1, "episode": 2}]


def test_queue_groups_and_priority_order(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    _add(client, 1, priority="low")
    _add(client, 2, priority="normal")
    _add(client, 3, priority="high")
    _add(client, 4, priority="normal")
    body = client.get("/api/v1/queue").get_json()
    assert set(body) == {"paused", "active", "pending", "completed", "failed", "cancelled"}
    assert [i["episode"] for i in body["pending"]] == [3, 2, 4, 1]


def test_move_priority_delete_and_404(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    ids = [_add(client, n).get_json()["id"] for n in (1, 2, 3)]
    moved = client.post(f"/api/v1/queue/{ids[2]}/move", json={"before": ids[0]})
    assert moved.status_code == 200
    assert [i["id"] for i in client.get("/api/v1/queue").get_json()["pending"]] == [
        ids[2], ids[0], ids[1]]
    assert client.post(f"/api/v1/queue/{ids[1]}/move", json={}).status_code == 422
    high = client.post(f"/api/v1/queue/{ids[1]}/priority", json={"priority": "high"})
    assert high.get_json()["priority"] == "high"
    assert client.delete(f"/api/v1/queue/{ids[0]}").status_code == 204
    missing = client.delete(f"/api/v1/queue/{ids[0]}")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


def test_pause_resume(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    assert client.post("/api/v1/queue/pause").get_json() == {"paused": True}
    assert client.get("/api/v1/queue").get_json()["paused"] is True
    assert client.post("/api/v1/queue/resume").get_json() == {"paused": False}


def test_retry_and_clear_completed(api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    ids = [_add(client, n).get_json()["id"] for n in (1, 2, 3)]
    assert client.post(f"/api/v1/queue/{ids[0]}/retry").status_code == 409
    with app.app_context():
        fail_item(db.session, ids[0], "hoster answered 500")
        complete_item(db.session, ids[1], "/library/x.mp4")
        db.session.commit()
    body = client.get("/api/v1/queue").get_json()
    assert body["failed"][0]["error"] == "hoster answered 500"
    assert body["failed"][0]["attempts"] == 1
    retried = client.post(f"/api/v1/queue/{ids[0]}/retry")
    assert retried.status_code == 200 and retried.get_json()["status"] == "pending"
    assert client.post("/api/v1/queue/clear-completed").get_json() == {"cleared_count": 1}
    assert [i["id"] for i in client.get("/api/v1/queue").get_json()["pending"]] == [ids[2], ids[0]]


def test_unknown_api_route_and_wrong_method_answer_json(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    assert client.get("/api/v1/nothing-here").get_json()["error"]["code"] == "not_found"
    wrong = client.put("/api/v1/queue")
    assert wrong.status_code == 405 and "error" in wrong.get_json()


def test_queue_survives_an_app_restart(app_env: dict[str, str],
                                       api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    for n in (1, 2, 3):
        _add(client, n, priority="low" if n == 1 else "normal")
    before = client.get("/api/v1/queue").get_json()
    restarted = build_app({**app_env, "ANIWORLD_API_KEY": API_KEY})
    after = restarted.test_client().get("/api/v1/queue", headers={"X-API-Key": API_KEY})
    assert after.get_json()["pending"] == before["pending"]


def test_deleting_a_series_deletes_its_queue_items(api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    _add(client, 1)
    from aniworld.services.series import get_series

    with app.app_context():
        db.session.delete(get_series(db.session, "demo-series"))
        db.session.commit()
    assert client.get("/api/v1/queue").get_json()["pending"] == []


def test_cookie_session_can_use_the_api(logged_in: AuthActions, app: Flask) -> None:
    add_series(app)
    token = logged_in.csrf_token()
    response = logged_in.client.post("/api/v1/queue", headers={"X-CSRFToken": token},
                                     json={"series_key": "demo-series", "season": 0,
                                           "episode": 1})
    assert response.status_code == 201


def test_adding_dispatches_a_job_after_commit(api: tuple[Flask, FlaskClient],
                                              redis_conn: Any) -> None:
    from rq.job import Job
    from rq.serializers import JSONSerializer

    _, client = api
    first = _add(client, 1).get_json()["id"]
    job = Job.fetch(f"download-{first}", connection=redis_conn, serializer=JSONSerializer)
    assert job.args == [first] and job.origin == "downloads"
    ids = [_add(client, n).get_json()["id"] for n in (2, 3)]
    # Two parallel downloads by default: the third item waits in the database, not in RQ.
    queued = redis_conn.lrange("rq:queue:downloads", 0, -1)
    assert sorted(queued) == sorted([f"download-{first}".encode(),
                                     f"download-{ids[0]}".encode()])


def test_pause_resume_cancel_one_item(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    item_id = _add(client, 1).get_json()["id"]
    paused = client.post(f"/api/v1/queue/{item_id}/pause")
    assert paused.status_code == 200 and paused.get_json()["status"] == "paused"
    assert client.post(f"/api/v1/queue/{item_id}/pause").status_code == 409
    assert client.post(f"/api/v1/queue/{item_id}/resume").get_json()["status"] == "pending"
    cancelled = client.post(f"/api/v1/queue/{item_id}/cancel")
    assert cancelled.get_json()["status"] == "cancelled"
    assert client.post(f"/api/v1/queue/{item_id}/retry").get_json()["status"] == "pending"


def test_force_and_fallback_flags_are_validated(api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    bad = _add(client, 1, force="yes")
    assert bad.status_code == 422 and bad.get_json()["error"]["field"] == "force"
    item = _add(client, 1, force=True, language_fallback=True).get_json()
    assert item["force"] is True and item["language_fallback"] is True
