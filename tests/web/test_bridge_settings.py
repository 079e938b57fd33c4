"""The Sonarr bridge's settings section, its self-test, and grabs on the Queue page."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Episode
from aniworld.services.bridge import grabs
from aniworld.services.bridge.categories import load_bridge
from aniworld.services.bridge.releases import ReleaseId, magnet_link
from aniworld.services.settings import load_settings
from tests.web.conftest import AuthActions, add_series
from tests.web.test_settings_page import post


def add_frieren(app: Flask) -> None:
    """A series with one episode, offered in German."""
    series_id = add_series(app, "frieren", "Frieren")
    with app.app_context():
        episode = Episode(series_id=series_id, season=1, number=1)
        episode.language_set = (Language.GERMAN_DUB,)
        db.session.add(episode)
        db.session.commit()


def test_section_shows_the_values_to_paste_into_sonarr(logged_in: AuthActions,
                                                       client: FlaskClient) -> None:
    html = client.get("/settings/").get_data(as_text=True)
    assert 'id="settings-bridge"' in html
    assert "<code>http://localhost/torznab</code>" in html and "<code>/api</code>" in html
    assert "<code>localhost</code> · <code>80</code>" in html
    assert "<code>aniworld</code>" in html
    assert "No API key exists yet" in html


def test_user_name_default_path_and_categories(app: Flask, logged_in: AuthActions,
                                               client: FlaskClient) -> None:
    response = post(client, "/settings/bridge/", {"bridge_username": "sonarr",
                                                  "save_path": "/downloads"}, htmx=True)
    assert "Sonarr bridge settings saved." in response.get_data(as_text=True)
    refused = post(client, "/settings/bridge/", {"bridge_username": "no spaces allowed",
                                                 "save_path": "relative"}, htmx=True)
    html = refused.get_data(as_text=True)
    assert 'id="bridge_username-error"' in html and 'id="save_path-error"' in html
    post(client, "/settings/bridge/categories", {"category": "tv-sonarr", "category_path": "",
                                                 "priority": "high"})
    post(client, "/settings/bridge/categories/edit", {"category": "tv-sonarr",
                                                      "category_path": "/dl/tv",
                                                      "priority": "low"})
    duplicate = post(client, "/settings/bridge/categories", {"category": "tv-sonarr"},
                     htmx=True)
    assert "exists already" in duplicate.get_data(as_text=True)
    with app.app_context():
        assert load_settings(db.session).bridge_username == "sonarr"
        bridge = load_bridge(db.session)
        assert bridge.save_path == "/downloads"
        assert [(c.name, c.save_path, c.priority.label) for c in bridge.categories] == \
            [("tv-sonarr", "/dl/tv", "low")]
    post(client, "/settings/bridge/categories/remove", {"category": "tv-sonarr"})
    with app.app_context():
        assert load_bridge(db.session).categories == ()


def test_self_test_reports_caps_and_a_found_release(app: Flask, logged_in: AuthActions,
                                                    client: FlaskClient) -> None:
    empty = post(client, "/settings/bridge/test", {}, htmx=True).get_data(as_text=True)
    assert "Torznab works: categories 5000, 5070, tv-search with q,season,ep" in empty
    assert "found nothing: add a series" in empty and "Create an API key" in empty
    add_frieren(app)
    html = post(client, "/settings/bridge/test", {}, htmx=True).get_data(as_text=True)
    assert "found 1 releases, e.g. “Frieren S01E01 GERMAN 1080p WEB-DL”" in html


def test_grabs_are_tagged_on_the_queue_page(app: Flask, logged_in: AuthActions,
                                            client: FlaskClient, tmp_path: Path) -> None:
    add_frieren(app)
    with app.app_context():
        link = magnet_link(ReleaseId("aniworld", "frieren", 1, 1, Language.GERMAN_DUB), "x")
        grabs.add_grab(db.session, link, "tv-sonarr", tmp_path)
        db.session.commit()
    html = client.get("/queue/").get_data(as_text=True)
    assert '<span class="bridge-tag"' in html and "Sonarr · tv-sonarr" in html
