"""The media-server section of the settings page: save, write-only token, test button."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from aniworld.extensions import db
from aniworld.mediaserver import MediaServerBadAnswer
from aniworld.phrases import Phrase
from aniworld.services import media_refresh
from aniworld.services.settings import AppSettings, load_settings, save_settings
from aniworld.web.i18n import COOKIE
from tests.mediaserver.fixtures import THEIR_LIBRARY, TOKEN
from tests.mediaserver.standins import FakeJellyfin, FakePlex
from tests.web.conftest import AuthActions, build_app, csrf_token_from

HTMX = {"HX-Request": "true"}
URL = "/settings/media-server/"
TEST_URL = "/settings/media-server/test"


def post(client: FlaskClient, url: str, data: dict[str, Any], htmx: bool = True) -> TestResponse:
    """Submit the section's form with a valid CSRF token (htmx unless told otherwise)."""
    token = csrf_token_from(client.get("/settings/"))
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    return client.post(url, data={**data, "csrf_token": token}, headers=headers)


def stored(app: Flask) -> AppSettings:
    """The settings as the scheduler would read them."""
    with app.app_context():
        return load_settings(db.session)


def section(response: TestResponse) -> str:
    """The media-server section's HTML."""
    html = response.get_data(as_text=True)
    start = html.index('<section id="settings-media_server"')
    return html[start:html.index("</section>", start)]


def test_page_shows_the_section_with_both_buttons(logged_in: AuthActions,
                                                  client: FlaskClient) -> None:
    html = section(client.get("/settings/"))
    assert f'hx-post="{URL}"' in html and f'formaction="{TEST_URL}"' in html
    assert "Token:\n      none." in html and "No media server is chosen." in html
    assert 'name="media_server_token" value=""' in html


def test_save_stores_the_fields_and_never_shows_the_token(
        app: Flask, logged_in: AuthActions, client: FlaskClient) -> None:
    answer = post(client, URL, {"media_server": "jellyfin", "media_server_url":
                                "http://jellyfin.local:8096/", "media_server_token": TOKEN,
                                "media_server_path": THEIR_LIBRARY})
    html = section(answer)
    assert "Media server settings saved." in html and "<strong>stored</strong>" in html
    assert TOKEN not in answer.get_data(as_text=True)
    settings = stored(app)
    assert (settings.media_server, settings.media_server_url, settings.media_server_token,
            settings.media_server_path) == ("jellyfin", "http://jellyfin.local:8096", TOKEN,
                                            THEIR_LIBRARY)
    assert f"is <code>{THEIR_LIBRARY}</code> for the server" in html
    post(client, URL, {"media_server": "plex", "media_server_token": ""})
    assert stored(app).media_server_token == TOKEN, "a blank token field keeps the token"
    post(client, URL, {"media_server_token_clear": "on"})
    assert stored(app).media_server_token is None


def test_bad_values_are_shown_beside_their_fields(app: Flask, logged_in: AuthActions,
                                                  client: FlaskClient) -> None:
    answer = post(client, URL, {"media_server": "kodi", "media_server_url": "jellyfin.local",
                                "media_server_path": "media/anime"}, htmx=False)
    assert answer.status_code == 422
    html = section(answer)
    for field in ("media_server", "media_server_url", "media_server_path"):
        assert f'id="{field}-error"' in html
    assert 'value="jellyfin.local"' in html, "the typed value is shown again"
    assert stored(app).media_server is None


@pytest.mark.parametrize("url", [URL, TEST_URL])
def test_a_token_with_a_pasted_invisible_character_is_refused_beside_the_field(
        app: Flask, logged_in: AuthActions, client: FlaskClient, url: str) -> None:
    answer = post(client, url, {"media_server": "jellyfin", "media_server_url":
                                "http://jellyfin.local:8096", "media_server_token":
                                TOKEN + "\u200b"}, htmx=False)
    assert answer.status_code == 422
    html = section(answer)
    assert 'id="media_server_token-error"' in html
    assert "May hold only printable ASCII characters, but it contains U+200B" in html
    assert stored(app).media_server_token is None


def test_the_environment_shows_as_defaults(tmp_path: Any, app_env: dict[str, str]) -> None:
    app = build_app({**app_env, "ANIWORLD_MEDIA_SERVER": "Plex",
                     "ANIWORLD_MEDIA_SERVER_URL": "http://plex.lan:32400",
                     "ANIWORLD_MEDIA_SERVER_TOKEN": TOKEN})
    client = app.test_client()
    AuthActions(app, client).set_password()
    AuthActions(app, client).login()
    html = section(client.get("/settings/"))
    assert "Default (Plex)" in html and 'placeholder="http://plex.lan:32400"' in html
    assert "from <code>ANIWORLD_MEDIA_SERVER_TOKEN</code>" in html and TOKEN not in html
    assert "Nothing waiting." in html


def test_send_a_test_reaches_jellyfin_with_the_unsaved_form(
        app: Flask, logged_in: AuthActions, client: FlaskClient,
        fake_jellyfin: FakeJellyfin) -> None:
    form = {"media_server": "jellyfin", "media_server_url": fake_jellyfin.url,
            "media_server_token": TOKEN, "media_server_path": THEIR_LIBRARY}
    html = section(post(client, TEST_URL, form))
    assert ("Test passed: Connected to Jellyfin “Jellyfin Server” version 12.0.0; its library "
            f"folder {THEIR_LIBRARY} holds {THEIR_LIBRARY}.") in html
    assert [call.path for call in fake_jellyfin.calls] == ["/System/Info",
                                                           "/Library/VirtualFolders"]
    assert f'value="{fake_jellyfin.url}"' in html, "the form keeps what was typed"
    assert stored(app).media_server is None, "a test stores nothing"


@pytest.mark.parametrize(("form", "failure"), [
    ({"media_server_token": "wrong"}, "Test failed: Jellyfin: the token was refused (HTTP 401 "
                                      "on /System/Info): create an API key in Jellyfin"),
    ({"media_server_path": ""}, "Test failed: Jellyfin answered, but none of its library "
                                "folders (/media/anime) holds "),
])
def test_send_a_test_reports_the_exact_failure(
        logged_in: AuthActions, client: FlaskClient, fake_jellyfin: FakeJellyfin,
        form: dict[str, str], failure: str) -> None:
    base = {"media_server": "jellyfin", "media_server_url": fake_jellyfin.url,
            "media_server_token": TOKEN, "media_server_path": THEIR_LIBRARY}
    assert failure in section(post(client, TEST_URL, {**base, **form}))


def test_send_a_test_uses_the_stored_token_and_works_without_javascript(
        app: Flask, logged_in: AuthActions, client: FlaskClient, fake_plex: FakePlex) -> None:
    post(client, URL, {"media_server": "plex", "media_server_url": fake_plex.url,
                       "media_server_token": TOKEN, "media_server_path": THEIR_LIBRARY})
    answer = post(client, TEST_URL, {"media_server": "plex", "media_server_url": fake_plex.url,
                                     "media_server_token": "",
                                     "media_server_path": THEIR_LIBRARY}, htmx=False)
    assert answer.status_code == 200 and "<h1>Settings</h1>" in answer.get_data(as_text=True)
    assert f"Test passed: Connected to Plex; {THEIR_LIBRARY} is in “Anime” (section 7)." in \
        section(answer)
    assert fake_plex.calls[-1].headers["x-plex-token"] == TOKEN


def test_send_a_test_without_a_server_or_reachable_url(
        logged_in: AuthActions, client: FlaskClient) -> None:
    html = section(post(client, TEST_URL, {"media_server": ""}))
    assert 'id="media_server-error"' in html and "Choose Jellyfin, Emby or Plex first" in html
    html = section(post(client, TEST_URL, {"media_server": "emby",
                                           "media_server_url": "http://127.0.0.1:9"}))
    assert ("Test failed: Emby at http://127.0.0.1:9 is unreachable (Connection refused): "
            "check the URL and that the server runs") in html


def test_the_last_refresh_error_and_waiting_files_are_shown(
        app: Flask, logged_in: AuthActions, client: FlaskClient) -> None:
    when = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    with app.app_context():
        save_settings(db.session, media_server="jellyfin", media_server_url="http://j:8096")
        failure = MediaServerBadAnswer(Phrase(
            "%(label)s answered HTTP %(status)s to %(method)s %(path)s: %(answer)s",
            label="Jellyfin", status=500, method="POST", path="/Library/Media/Updated",
            answer="boom"))
        media_refresh.record_server_error(db.session, failure.phrase, when)
        db.session.commit()
    html = section(client.get("/settings/"))
    assert ('<span class="error">Last error (11/30/26, 8:00\u202fPM): Jellyfin answered HTTP 500 '
            "to POST /Library/Media/Updated: boom</span>") in html
    assert "Next try: 11/30/26, 8:00\u202fPM." in html and "Nothing waiting." in html
    client.set_cookie(COOKIE, "de")
    german = section(client.get("/settings/"))
    assert "Jellyfin hat auf POST /Library/Media/Updated mit HTTP 500 geantwortet: boom" in german
    client.delete_cookie(COOKIE)
    post(client, URL, {"media_server": "jellyfin"})
    assert "Next try" not in section(client.get("/settings/")), "saving ends the back-off"
