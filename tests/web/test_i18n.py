"""Languages of the pages: negotiation, the switch, the Settings default, the English API."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.services.settings import load_settings, save_settings
from aniworld.web.i18n import COOKIE
from tests.web.conftest import AuthActions, csrf_token_from

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def page_language(client: FlaskClient, path: str = "/", **headers: str) -> str:
    """The ``<html lang>`` of ``path``."""
    html = client.get(path, headers=headers).get_data(as_text=True)
    match = re.search(r'<html lang="(\w+)">', html)
    assert match, html[:300]
    return match.group(1)


def set_default(app: Flask, language: str) -> None:
    """Store the Settings default language."""
    with app.app_context():
        save_settings(db.session, ui_language=language)
        db.session.commit()


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "en"), ("en-US,en;q=0.9", "en"), ("de-DE,de;q=0.9", "de"), ("de-AT", "de"),
    ("fr-FR,fr;q=0.9", "en"), ("fr-FR,de;q=0.5,en;q=0.3", "de"), ("en;q=0.4,de;q=0.8", "de"),
])
def test_accept_language_picks_the_best_of_german_and_english(
        logged_in: AuthActions, accept: str | None, expected: str) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    assert page_language(logged_in.client, **headers) == expected


def test_settings_default_beats_accept_language(app: Flask, logged_in: AuthActions) -> None:
    set_default(app, "de")
    assert page_language(logged_in.client, **{"Accept-Language": "en-US"}) == "de"
    set_default(app, "auto")
    assert page_language(logged_in.client, **{"Accept-Language": "en-US"}) == "en"


def test_the_switch_in_the_navigation_beats_the_settings_default(
        app: Flask, logged_in: AuthActions) -> None:
    client = logged_in.client
    set_default(app, "en")
    html = client.get("/library/").get_data(as_text=True)
    assert 'name="language" value="de"' in html and 'value="/library/"' in html
    response = client.post("/language", data={"language": "de", "next": "/library/",
                                              "csrf_token": csrf_token_from(client.get("/"))})
    assert response.status_code == 303 and response.headers["Location"] == "/library/"
    assert page_language(client, "/library/", **{"Accept-Language": "en-US"}) == "de"
    response = client.post("/language", data={"language": "auto", "next": "//evil.example/",
                                              "csrf_token": csrf_token_from(client.get("/"))})
    assert response.headers["Location"] == "/"
    assert client.get_cookie(COOKIE) is None
    assert page_language(client) == "en"


def test_pages_before_login_follow_accept_language(app: Flask, auth: AuthActions) -> None:
    # The switch they offer too: tests/web/test_i18n_errors.py.
    auth.set_password()
    html = auth.client.get("/login", headers=GERMAN).get_data(as_text=True)
    assert '<html lang="de">' in html and 'name="language" value="en"' in html


def test_the_switch_needs_the_csrf_token(logged_in: AuthActions) -> None:
    response = logged_in.client.post("/language", data={"language": "de"})
    assert response.status_code == 400
    assert logged_in.client.get_cookie(COOKIE) is None


def test_settings_store_language_and_time_zone(app: Flask, logged_in: AuthActions) -> None:
    client = logged_in.client
    token = csrf_token_from(client.get("/settings/"))
    response = client.post("/settings/interface", data={
        "ui_language": "de", "ui_timezone": "Europe/Berlin", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        settings = load_settings(db.session)
    assert (settings.ui_language, settings.ui_timezone) == ("de", "Europe/Berlin")
    response = client.post("/settings/interface", data={
        "ui_language": "fr", "ui_timezone": "Mars/Olympus", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="ui_language-error"' in html and "Mars/Olympus" in html


def test_the_api_stays_english_under_german(app: Flask, logged_in: AuthActions) -> None:
    set_default(app, "de")
    response = logged_in.client.get("/api/v1/series/999999", headers=GERMAN)
    assert response.status_code == 404
    message = response.get_json()["error"]["message"]
    assert message.isascii() and "nicht" not in message
    assert "Content-Language" not in response.headers


def test_login_and_home_page_in_german(app: Flask, auth: AuthActions) -> None:
    auth.set_password()
    html = auth.client.get("/login", headers=GERMAN).get_data(as_text=True)
    assert "<h1>Anmelden</h1>" in html and "Auf diesem Gerät angemeldet bleiben" in html
    auth.login()
    html = auth.client.get("/", headers=GERMAN).get_data(as_text=True)
    for text in ("Warteschlange", "Bibliothek", "Gesucht", "Einstellungen", "Abmelden",
                 "Neu erschienen", "werden geladen", "Folgen auf der Platte"):
        assert text in html, text
    assert "Log out" not in html and "What's new" not in html


def test_the_committed_mo_file_matches_the_po_source() -> None:
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = Path(__file__).resolve().parents[2] / "aniworld/translations/de/LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po, (folder / "messages.mo").open("rb") as mo:
        source, compiled = read_po(po), read_mo(mo)
    def table(catalog: Iterable[Message]) -> dict[object, object]:
        return {tuple(m.id) if isinstance(m.id, list | tuple) else m.id:
                tuple(m.string) if isinstance(m.string, list | tuple) else m.string
                for m in catalog if m.id and m.string and not m.fuzzy}

    assert table(compiled) == table(source), "run make translations"
