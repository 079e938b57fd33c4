"""A series' own preferences from its page and the API, and the upgrades they queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.models import FolderState, LibraryFile, LibraryFolder, Series
from aniworld.services.series import get_series
from tests.fakesite.languages import GERMAN_DUB
from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, api_client, site_auth, site_urls

API_KEY = "preferences-api-key-0123456789"
BLAU = "blauer-drache"  # German Sub only on the stand-in
URL = f"/series/{BLAU}"


@pytest.fixture
def api(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[tuple[Flask, FlaskClient]]:
    """An API client of an app on the stand-in with Blauer Drache in the library."""
    app, client = api_client({**app_env, **site_urls(fakesite)}, API_KEY)
    assert client.post("/api/v1/series", json={"key": BLAU}).status_code == 201
    yield app, client
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """A logged-in browser client with Blauer Drache in the library."""
    for auth in site_auth(app_env, fakesite):
        assert auth.client.post("/series/", data={"key": BLAU, "csrf_token": auth.csrf_token()}
                                ).status_code == 303
        yield auth


def hold_sub(app: Flask) -> None:
    """S01E01 on disk in German Sub, as a scan of the series folder records it."""
    with app.app_context():
        series = get_series(db.session, BLAU)
        folder = LibraryFolder(name="Blauer Drache", series_id=series.id,
                               state=FolderState.MATCHED.value)
        db.session.add(folder)
        db.session.flush()
        db.session.add(LibraryFile(folder_id=folder.id, season=1, episode=1, size=9,
                                   language="german-sub",
                                   path="Blauer Drache - S01E01 [German Sub].mp4"))
        db.session.commit()


def test_patch_stores_preferences_and_the_series_shows_them(
        api: tuple[Flask, FlaskClient]) -> None:
    _, client = api
    default = client.get(f"/api/v1/series/{BLAU}").get_json()["preferences"]
    assert default == {"language_order": ["german-dub", "german-sub", "english-sub",
                                          "english-dub"], "own_language_order": False,
                       "upgrade_until": "german-dub", "monitor_scope": "all",
                       "monitor_films": True}
    response = client.patch(f"/api/v1/series/{BLAU}", json={
        "language_order": ["german-sub", "german-dub"], "upgrade_until": "keep",
        "monitor_scope": "new", "monitor_films": False, "monitored": True})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["monitored"] is True
    assert body["preferences"] == {"language_order": ["german-sub", "german-dub"],
                                   "own_language_order": True, "upgrade_until": "keep",
                                   "monitor_scope": "new", "monitor_films": False}


@pytest.mark.parametrize(("body", "field"), [
    ({"upgrade_until": "klingon"}, "upgrade_until"),
    ({"language_order": "german-dub"}, "language_order"),
    ({"monitor_scope": "some"}, "monitor_scope"),
    ({"monitor_films": "yes"}, "monitor_films"),
    ({"colour": "blue", "monitored": True}, "colour"),
])
def test_patch_refuses_bad_preferences(api: tuple[Flask, FlaskClient], body: dict[str, object],
                                       field: str) -> None:
    _, client = api
    response = client.patch(f"/api/v1/series/{BLAU}", json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == field
    assert client.get(f"/api/v1/series/{BLAU}").get_json()["monitored"] is False


def test_dub_found_by_a_refresh_is_queued_as_an_upgrade_unless_kept(
        api: tuple[Flask, FlaskClient], fakesite: FakeSite) -> None:
    app, client = api
    hold_sub(app)
    client.patch(f"/api/v1/series/{BLAU}", json={"monitored": True, "upgrade_until": "keep",
                                                    "monitor_scope": "new"})
    fakesite.publish(BLAU, 1, 1, [GERMAN_DUB])
    assert client.post(f"/api/v1/series/{BLAU}/refresh").status_code == 200
    assert client.get("/api/v1/queue").get_json()["pending"] == []
    # Upgrading again: the stored catalogue already knows the dub, nothing to wait for.
    client.patch(f"/api/v1/series/{BLAU}", json={"upgrade_until": None})
    [item] = client.get("/api/v1/queue").get_json()["pending"]
    assert (item["season"], item["episode"], item["language"], item["upgrade_from"],
            item["force"]) == (1, 1, "german-dub", "german-sub", True)
    assert item["replaces"] == ["Blauer Drache/Blauer Drache - S01E01 [German Sub].mp4"]
    client.post(f"/api/v1/series/{BLAU}/refresh")
    assert len(client.get("/api/v1/queue").get_json()["pending"]) == 1  # never two


def test_page_form_saves_preferences_and_the_queue_names_the_upgrade(
        site: AuthActions, fakesite: FakeSite) -> None:
    page = site.client.get(URL).get_data(as_text=True)
    assert 'id="series-preferences"' in page and "upgrade until German Dub" in page
    hold_sub(site.app)
    with site.app.app_context():
        db.session.scalars(db.select(Series)).one().monitored = True
        db.session.commit()
    fakesite.publish(BLAU, 1, 1, [GERMAN_DUB])
    site.client.post(f"{URL}/refresh", data={"csrf_token": site.csrf_token()})
    response = site.client.post(f"{URL}/preferences", data={
        "csrf_token": site.csrf_token(), "language_order": ["", "", "", ""],
        "upgrade_until": "german-dub", "monitor_scope": "new"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Preferences saved." in page
    assert "films left out" in page and "new episodes only" in page
    with site.app.app_context():
        series = db.session.scalars(db.select(Series)).one()
        assert (series.upgrade_until, series.monitor_scope, series.monitor_films) == (
            "german-dub", "new", False)
    queue = site.client.get("/queue/").get_data(as_text=True)
    assert "Upgrade: German Sub → German Dub" in queue


def test_page_form_reports_a_bad_order(site: AuthActions) -> None:
    response = site.client.post(f"{URL}/preferences", data={
        "csrf_token": site.csrf_token(), "language_order": ["german-dub", "german-dub"],
        "upgrade_until": "", "monitor_scope": "all", "monitor_films": "on"},
        follow_redirects=True)
    assert "Preferences not saved: language_order must list each language once" in \
        response.get_data(as_text=True)
    with site.app.app_context():
        assert db.session.scalars(db.select(Series)).one().language_order == ""
