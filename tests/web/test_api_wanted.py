"""``GET /api/v1/wanted`` and ``POST /api/v1/wanted/download`` with an API key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.models import Episode, Series
from tests.web.conftest import build_app
from tests.web.test_wanted_page import DUB, SUB, fill, items

API_KEY = "wanted-api-key-0123456789"


@pytest.fixture
def api_app(app_env: dict[str, str]) -> Iterator[Flask]:
    app = build_app({**app_env, "ANIWORLD_API_KEY": API_KEY})
    app.test_cli_runner().invoke(args=["init"])
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def api(api_app: Flask) -> FlaskClient:
    client = api_app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = API_KEY
    return client


def add_sto_series(app: Flask) -> None:
    with app.app_context():
        series = Series(site="sto", key="breaking-bad", title="Breaking Bad", monitored=True)
        series.episodes.append(Episode(season=1, number=1, languages="german-dub"))
        db.session.add(series)
        db.session.commit()


def test_groups_by_series_with_public_keys(api_app: Flask, api: FlaskClient) -> None:
    fill(api_app)
    add_sto_series(api_app)
    body = api.get("/api/v1/wanted").get_json()
    assert (body["total"], body["missing"], body["upgrades"]) == (5, 4, 1)
    assert (body["series_total"], body["page"], body["pages"], body["per_page"]) == (2, 1, 1, 25)
    [sto, drache] = body["series"]  # by title
    assert (sto["key"], sto["site"], sto["monitored"], sto["wanted_count"]) == (
        "sto:breaking-bad", "sto", True, 1)
    assert drache["key"] == "drache" and drache["wanted_count"] == 4
    assert drache["episodes"][0] == {
        "season": 1, "episode": 1, "code": "S01E01", "kind": "upgrade", "language": "german-dub",
        "current": "german-sub", "failed": False, "since": None}
    assert drache["episodes"][-1]["failed"] is True


def test_filters_and_sort(api_app: Flask, api: FlaskClient) -> None:
    fill(api_app)
    add_sto_series(api_app)

    def keys(query: str) -> list[tuple[str, str]]:
        body = api.get(f"/api/v1/wanted?{query}").get_json()
        return [(group["key"], episode["code"]) for group in body["series"]
                for episode in group["episodes"]]

    assert keys("kind=upgrade") == [("drache", "S01E01")]
    assert keys("language=german-dub") == [("sto:breaking-bad", "S01E01"), ("drache", "S01E01")]
    assert keys("monitored=true") == [("sto:breaking-bad", "S01E01")]
    assert keys("kind=missing&language=german-sub&sort=newest") == [
        ("drache", "S01E03"), ("drache", "S01E04"), ("drache", "S01E99")]
    assert api.get("/api/v1/wanted?page=7").get_json()["page"] == 1  # past the end: the last
    refused = api.get("/api/v1/wanted?kind=all-of-it")
    assert refused.status_code == 422 and refused.get_json()["error"]["field"] == "kind"


def test_download_everything_or_some_series_and_kinds(api_app: Flask, api: FlaskClient) -> None:
    fill(api_app)
    add_sto_series(api_app)
    upgrade = api.post("/api/v1/wanted/download", json={"series": ["drache"], "kind": "upgrade"})
    assert upgrade.status_code == 201
    assert upgrade.get_json() == {"created": 1, "skipped": 0, "series": 1}
    assert items(api_app)[0] == (1, 1, DUB, "pending", True)
    monitored = api.post("/api/v1/wanted/download", json={"monitored": True})
    assert monitored.get_json() == {"created": 1, "skipped": 0, "series": 1}
    rest = api.post("/api/v1/wanted/download")  # no body: everything listed
    assert rest.status_code == 201 and rest.get_json() == {"created": 3, "skipped": 0,
                                                           "series": 1}
    assert api.get("/api/v1/wanted").get_json()["total"] == 0
    assert (1, 3, SUB, "pending", False) in items(api_app)


def test_download_refuses_bad_bodies(api_app: Flask, api: FlaskClient) -> None:
    fill(api_app)
    for body, field in (({"series": "drache"}, "series"), ({"kind": 3}, "kind"),
                        ({"monitored": "perhaps"}, "monitored"), ({"language": "x"}, "language")):
        response = api.post("/api/v1/wanted/download", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"]["field"] == field
    assert api.post("/api/v1/wanted/download", json={"series": ["nope"]}).status_code == 404
    assert len(items(api_app)) == 1  # only the failed item of the fixture


def test_api_needs_the_key(api_app: Flask) -> None:
    client = api_app.test_client()
    assert client.get("/api/v1/wanted").status_code == 401
    assert client.post("/api/v1/wanted/download", json={}).status_code == 401
