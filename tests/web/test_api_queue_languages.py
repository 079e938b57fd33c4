"""Queueing through the API without a language: the best one offered, and which it was."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.models import Episode
from tests.web.conftest import add_series, api_client

API_KEY = "test-api-key-0123456789abcdef"
KEY = "hell-s-kitchen-mage"
# (season, number, offered languages): the series is subbed only, except its episode 3.
EPISODES = [(1, 1, "german-sub,english-sub"), (1, 2, "german-sub,english-sub"),
            (1, 3, "german-dub,german-sub"), (1, 4, "english-sub"), (1, 5, "")]


@pytest.fixture
def client(app_env: dict[str, str]) -> FlaskClient:
    app, client = api_client(app_env, API_KEY)
    _subbed_series(app)
    return client


def _subbed_series(app: Flask) -> None:
    series_id = add_series(app, KEY, "Hell's Kitchen Mage")
    with app.app_context():
        db.session.add_all(Episode(series_id=series_id, season=season, number=number,
                                   languages=languages) for season, number, languages in EPISODES)
        db.session.commit()


def _add(client: FlaskClient, episode: int, **extra: Any) -> Any:
    return client.post("/api/v1/queue",
                       json={"series_key": KEY, "season": 1, "episode": episode, **extra})


def test_without_language_the_item_takes_the_best_offered(client: FlaskClient) -> None:
    response = _add(client, 1)
    assert response.status_code == 201
    item = response.get_json()
    assert (item["language"], item["language_fallback"]) == ("german-sub", False)
    assert _add(client, 3).get_json()["language"] == "german-dub"
    assert _add(client, 4).get_json()["language"] == "english-sub"


def test_explicit_language_not_offered_is_422_unless_fallback(client: FlaskClient) -> None:
    response = _add(client, 1, language="german-dub")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["field"] == "language"
    assert "is not offered in German Dub, only in German Sub, English Sub" in error["message"]
    relaxed = _add(client, 1, language="german-dub", language_fallback=True)
    assert relaxed.status_code == 201
    assert relaxed.get_json()["language"] == "german-dub"
    assert relaxed.get_json()["language_fallback"] is True


def test_an_episode_without_languages_is_422(client: FlaskClient) -> None:
    response = _add(client, 5)
    assert response.status_code == 422
    assert "not offered in any language yet" in response.get_json()["error"]["message"]


def test_bulk_without_language_groups_languages_and_lists_the_refused(
        client: FlaskClient) -> None:
    _add(client, 2)
    episodes = [{"season": 1, "episode": n} for n in range(1, 6)]
    response = client.post("/api/v1/queue/bulk", json={"series_key": KEY, "episodes": episodes})
    assert response.status_code == 201
    body = response.get_json()
    assert [(i["episode"], i["language"]) for i in body["created"]] == [
        (1, "german-sub"), (3, "german-dub"), (4, "english-sub")]
    assert body["languages_chosen"] == {"german-sub": 1, "german-dub": 1, "english-sub": 1}
    assert body["skipped"] == [{"season": 1, "episode": 2}]
    assert body["not_offered"] == [{"season": 1, "episode": 5, "languages": []}]


def test_bulk_with_a_language_stays_strict_unless_fallback(client: FlaskClient) -> None:
    episodes = [{"season": 1, "episode": n} for n in (1, 3)]
    body = client.post("/api/v1/queue/bulk", json={
        "series_key": KEY, "episodes": episodes, "language": "german-dub"}).get_json()
    assert [i["episode"] for i in body["created"]] == [3]
    assert body["not_offered"] == [{"season": 1, "episode": 1,
                                    "languages": ["german-sub", "english-sub"]}]
    relaxed = client.post("/api/v1/queue/bulk", json={
        "series_key": KEY, "episodes": episodes, "language": "german-dub",
        "language_fallback": True}).get_json()
    assert [(i["episode"], i["language_fallback"]) for i in relaxed["created"]] == [(1, True)]
    assert relaxed["skipped"] == [{"season": 1, "episode": 3}]
    assert relaxed["languages_chosen"] == {"german-dub": 1}
