"""Search and series endpoints, end to end against the local stand-in site over HTTP."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.fakesite.server import FakeSite
from tests.web.conftest import add_series, build_app, site_urls

API_KEY = "series-api-key-0123456789"
KAEMPFER = "kaempfer-des-lichts-die-rueckkehr"


@pytest.fixture
def site_api(app_env: dict[str, str], fakesite: FakeSite) -> tuple[Flask, FlaskClient]:
    app = build_app({**app_env, "ANIWORLD_API_KEY": API_KEY, **site_urls(fakesite)})
    app.test_cli_runner().invoke(args=["init"])
    client = app.test_client()
    client.environ_base["HTTP_X_API_KEY"] = API_KEY
    return app, client


def test_search_returns_series_only(site_api: tuple[Flask, FlaskClient]) -> None:
    _, client = site_api
    response = client.get("/api/v1/search?q=licht")
    assert response.status_code == 200
    results = response.get_json()
    assert [r["key"] for r in results] == [KAEMPFER]
    assert results[0]["title"] == "Kämpfer des Lichts: Die Rückkehr"
    assert set(results[0]) == {"key", "site", "title", "year", "cover", "url"}
    assert results[0]["site"] == "aniworld"


def test_search_needs_a_query(site_api: tuple[Flask, FlaskClient]) -> None:
    _, client = site_api
    response = client.get("/api/v1/search?q=")
    assert response.status_code == 422 and response.get_json()["error"]["field"] == "q"


def test_add_series_stores_seasons_films_and_languages(
        site_api: tuple[Flask, FlaskClient], fakesite: FakeSite) -> None:
    _, client = site_api
    response = client.post("/api/v1/series", json={"key": KAEMPFER})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    source = fakesite.catalog.series(KAEMPFER)
    assert body["title"] == source.title
    seasons = {s["season"]: s["episodes"] for s in body["seasons"]}
    assert sorted(seasons) == [0, 1, 2, 3]
    assert {n: len(eps) for n, eps in seasons.items()} == {
        n: len(source.season(n).episodes) for n in (0, 1, 2, 3)}
    german_sub_only = seasons[2][2]
    assert german_sub_only["number"] == 3 and german_sub_only["languages"] == ["german-sub"]
    assert seasons[1][4]["title_en"] == ""
    assert client.get(f"/api/v1/series/{KAEMPFER}").get_json() == body
    assert [s["key"] for s in client.get("/api/v1/series").get_json()] == [KAEMPFER]


def test_adding_twice_is_409_and_queueing_works(site_api: tuple[Flask, FlaskClient]) -> None:
    _, client = site_api
    assert client.post("/api/v1/series", json={"key": KAEMPFER}).status_code == 201
    assert client.post("/api/v1/series", json={"key": KAEMPFER}).status_code == 409
    queued = client.post("/api/v1/queue", json={"series_key": KAEMPFER, "season": 0,
                                                "episode": 1})
    assert queued.status_code == 201


def test_refresh_and_remove(site_api: tuple[Flask, FlaskClient]) -> None:
    _, client = site_api
    client.post("/api/v1/series", json={"key": KAEMPFER})
    client.post("/api/v1/queue", json={"series_key": KAEMPFER, "season": 1, "episode": 1})
    refreshed = client.post(f"/api/v1/series/{KAEMPFER}/refresh")
    assert refreshed.status_code == 200 and refreshed.get_json()["refreshed_at"]
    assert client.delete(f"/api/v1/series/{KAEMPFER}").status_code == 204
    assert client.get(f"/api/v1/series/{KAEMPFER}").status_code == 404
    assert client.get("/api/v1/queue").get_json()["pending"] == []


def test_unknown_and_invalid_keys(site_api: tuple[Flask, FlaskClient]) -> None:
    _, client = site_api
    missing = client.post("/api/v1/series", json={"key": "no-such-series"})
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "site_not_found"
    invalid = client.post("/api/v1/series", json={"key": "../etc"})
    assert invalid.status_code == 422 and invalid.get_json()["error"]["field"] == "key"


def test_site_challenge_reaches_the_api_as_typed_json(
        site_api: tuple[Flask, FlaskClient], fakesite: FakeSite) -> None:
    _, client = site_api
    fakesite.set_fault("ddos_guard")
    response = client.post("/api/v1/series", json={"key": KAEMPFER})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "site_challenge" and "cookies" in error["message"]


def test_unreachable_site_is_504(app_env: dict[str, str]) -> None:
    app = build_app({**app_env, "ANIWORLD_API_KEY": API_KEY,
                     "ANIWORLD_SITE_URL": "http://127.0.0.1:9"})
    app.test_cli_runner().invoke(args=["init"])
    response = app.test_client().get("/api/v1/search?q=x", headers={"X-API-Key": API_KEY})
    assert response.status_code == 504
    assert response.get_json()["error"]["code"] == "site_unreachable"


def test_second_look_is_cached_but_refresh_fetches_again(
        site_api: tuple[Flask, FlaskClient], fakesite: FakeSite) -> None:
    _, client = site_api
    client.post("/api/v1/series", json={"key": KAEMPFER})
    first = len(fakesite.requests_to(f"/anime/stream/{KAEMPFER}"))
    assert first == 5  # series page + three seasons + films
    client.delete(f"/api/v1/series/{KAEMPFER}")
    client.post("/api/v1/series", json={"key": KAEMPFER})
    assert len(fakesite.requests_to(f"/anime/stream/{KAEMPFER}")) == first
    client.post(f"/api/v1/series/{KAEMPFER}/refresh")
    assert len(fakesite.requests_to(f"/anime/stream/{KAEMPFER}")) == 2 * first


def test_patch_sets_and_clears_monitored(site_api: tuple[Flask, FlaskClient]) -> None:
    app, client = site_api
    add_series(app, KAEMPFER, "Kämpfer")
    assert client.get(f"/api/v1/series/{KAEMPFER}").get_json()["monitored"] is False
    response = client.patch(f"/api/v1/series/{KAEMPFER}", json={"monitored": True})
    assert response.status_code == 200
    body = response.get_json()
    assert body["key"] == KAEMPFER and body["monitored"] is True and body["folder"] is None
    assert "seasons" in body
    assert client.get("/api/v1/series").get_json()[0]["monitored"] is True
    cleared = client.patch(f"/api/v1/series/{KAEMPFER}", json={"monitored": False})
    assert cleared.status_code == 200 and cleared.get_json()["monitored"] is False


@pytest.mark.parametrize("body", [{"monitored": "yes"}, {"monitored": 1}, {"monitored": None},
                                  {}])
def test_patch_monitored_must_be_a_boolean(site_api: tuple[Flask, FlaskClient],
                                           body: dict[str, object]) -> None:
    app, client = site_api
    add_series(app, KAEMPFER, "Kämpfer")
    response = client.patch(f"/api/v1/series/{KAEMPFER}", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "monitored"
    assert client.get(f"/api/v1/series/{KAEMPFER}").get_json()["monitored"] is False


def test_patch_refusals(site_api: tuple[Flask, FlaskClient]) -> None:
    _, client = site_api
    unknown = client.patch("/api/v1/series/no-such-series", json={"monitored": True})
    assert unknown.status_code == 404
    not_json = client.patch(f"/api/v1/series/{KAEMPFER}", data="monitored=1")
    assert not_json.status_code == 422


def test_refresh_of_a_monitored_series_queues_its_new_episode(
        site_api: tuple[Flask, FlaskClient], fakesite: FakeSite) -> None:
    # A user's refresh after a release must not hide the new episode from monitoring; a
    # monitored series ("everything missing", the default) gets its older gaps queued too.
    _app, client = site_api
    assert client.post("/api/v1/series", json={"key": "blauer-drache"}).status_code == 201
    client.patch("/api/v1/series/blauer-drache", json={"monitored": True})
    fakesite.release("blauer-drache", 1)
    assert client.post("/api/v1/series/blauer-drache/refresh").status_code == 200
    queued = client.get("/api/v1/queue").get_json()["pending"]
    assert [(item["season"], item["episode"]) for item in queued] == [(1, 1), (1, 2), (1, 3),
                                                                     (1, 4)]
    client.patch("/api/v1/series/blauer-drache", json={"monitored": False})
    fakesite.release("blauer-drache", 1)
    client.post("/api/v1/series/blauer-drache/refresh")
    assert len(client.get("/api/v1/queue").get_json()["pending"]) == 4


def test_an_announced_season_is_listed_without_episodes_until_it_is_out(
        site_api: tuple[Flask, FlaskClient], fakesite: FakeSite) -> None:
    _app, client = site_api
    body = client.post("/api/v1/series", json={"key": "dr-who-s-cat"}).get_json()
    assert [(s["season"], len(s["episodes"]), s["announced"]) for s in body["seasons"]] == [
        (1, 8, False), (2, 0, True)]
    assert body["seasons"][1] == {"season": 2, "episodes": [], "announced": True}
    client.patch("/api/v1/series/dr-who-s-cat",
                 json={"monitored": True, "monitor_scope": "new"})
    fakesite.release("dr-who-s-cat", 2, languages=["german-dub"])
    refreshed = client.post("/api/v1/series/dr-who-s-cat/refresh").get_json()
    # Out now; its next episode is listed as an announcement (no languages), not queued.
    assert refreshed["seasons"][1] == {"season": 2, "announced": False, "episodes": [
        {"number": 1, "title_de": "Neun Leben", "title_en": "Nine Lives",
         "languages": ["german-dub"]},
        {"number": 2, "title_de": "Kater Nr. 2", "title_en": "", "languages": []}]}
    queued = client.get("/api/v1/queue").get_json()["pending"]
    assert [(item["season"], item["episode"]) for item in queued] == [(2, 1)]
