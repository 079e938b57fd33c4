"""The translated pages in German, and numbers, sizes and dates in both languages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask

from aniworld.extensions import db
from aniworld.services.episode_status import EpisodeState, EpisodeStatus
from aniworld.services.settings import save_settings
from aniworld.web.i18n import (
    format_moment,
    format_number,
    format_size,
    format_speed,
    language_label,
    status_label,
)
from tests.fakesite.server import FakeSite
from tests.web.conftest import AuthActions, csrf_token_from, site_auth

GERMAN = {"Accept-Language": "de"}
ENGLISH = {"Accept-Language": "en-US"}
KEY = "kaempfer-des-lichts-die-rueckkehr"
# Page → German texts it must show (navigation included on every page).
PAGES = {
    "/": ("Braucht deine Aufmerksamkeit", "Neu erschienen", "Folgen auf der Platte"),
    "/search/": ("Serientitel", "Alle Seiten", "Gib einen Titel ein"),
    f"/series/{KEY}": ("Von der Seite neu laden", "Aus der Bibliothek entfernen", "Überwacht",
                       "Staffel herunterladen", "Alle fehlenden herunterladen", "Titel",
                       "Präferenzen:", "Sprachreihenfolge für diese Serie", "fehlend"),
    f"/series/{KEY}/delete": ("entfernen?", "Bereits heruntergeladene Dateien", "Abbrechen"),
    "/library/": ("Bibliothek scannen", "Keine Serie wird überwacht", "Fehlende Folgen"),
    "/library/unmatched": ("Ordner, die deine Auswahl brauchen", "Kein Ordner braucht"),
    "/wanted/": ("Folgen, die der Bibliothek fehlen", "Nur überwachte Serien", "Anwenden"),
    "/status/": ("Seiten", "Anfragen an die Seite laufen normal"),
}
NAVIGATION = ("Bibliothek", "Gesucht", "Suche", "Warteschlange", "Status", "Einstellungen",
              "Abmelden")


@pytest.fixture
def german_site(app_env: dict[str, str], fakesite: FakeSite) -> Iterator[AuthActions]:
    """A logged-in client on the fake site with one series in the library."""
    for auth in site_auth(app_env, fakesite):
        response = auth.client.post("/series/", data={"key": KEY,
                                                      "csrf_token": auth.csrf_token()})
        assert response.status_code == 303
        yield auth


def test_every_translated_page_speaks_german(german_site: AuthActions) -> None:
    for path, texts in PAGES.items():
        response = german_site.client.get(path, headers=GERMAN)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (path, html[-500:])
        assert '<html lang="de">' in html, path
        for text in (*texts, *NAVIGATION):
            assert text in html, (path, text)
        assert "Log out" not in html, path
        # Links and code inside a translated sentence stay markup, placeholders are filled.
        assert "&lt;a " not in html and "&lt;code" not in html and "%(" not in html, path


def test_series_actions_answer_in_german(german_site: AuthActions) -> None:
    client = german_site.client
    response = client.post(f"/series/{KEY}/downloads", headers={**GERMAN, "HX-Request": "true"},
                           data={"scope": "episode", "season": "1", "episode": "1",
                                 "csrf_token": german_site.csrf_token()})
    html = response.get_data(as_text=True)
    assert "1 Folge eingereiht" in html and "eingereiht" in html
    response = client.post(f"/series/{KEY}/monitored", headers=GERMAN, follow_redirects=True,
                           data={"monitored": "1", "csrf_token": german_site.csrf_token()})
    assert "wird überwacht: neue Folgen werden automatisch eingereiht" in response.get_data(
        as_text=True)


def test_wrong_password_in_german(app: Flask, auth: AuthActions) -> None:
    auth.set_password()
    response = auth.client.post("/login", headers=GERMAN, data={
        "password": "wrong", "csrf_token": auth.csrf_token()})
    assert response.status_code == 401 and "Falsches Passwort." in response.get_data(as_text=True)


def test_settings_in_german(app: Flask, logged_in: AuthActions) -> None:
    client = logged_in.client
    html = client.get("/settings/", headers=GERMAN).get_data(as_text=True)
    for text in ("Sprache und Zeitzone", "Sprache der Seiten", "Bibliotheksordner",
                 "Gleichzeitige Downloads", "Benennungsvorlage", "Passwort ändern",
                 "Noch keine API-Schlüssel.", "Änderungen wirken sofort"):
        assert text in html, text
    token = csrf_token_from(client.get("/settings/"))
    response = client.post("/settings/downloads", headers=GERMAN, data={
        "parallel_downloads": "99", "max_attempts": "x", "bandwidth_limit": "0",
        "disk_reserve": "1", "container": "mp4", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Muss eine ganze Zahl von 1 bis 16 sein" in html and "Gib eine ganze Zahl ein" in html
    assert "Bitte korrigiere die markierten Felder." in html
    response = client.post("/settings/naming", headers=GERMAN, follow_redirects=True, data={
        "naming_template": "{series}/{season:02}x{episode:02}.{ext}", "csrf_token": token})
    assert "Benennungsvorlage gespeichert." in response.get_data(as_text=True)


@pytest.mark.parametrize(("headers", "expected"), [
    (ENGLISH, ("1,234.5", "1,234,567", "1.9 MiB", "1,023 B", "2.5 MiB/s", "3.0 GiB")),
    (GERMAN, ("1.234,5", "1.234.567", "1,9 MiB", "1.023 B", "2,5 MiB/s", "3,0 GiB")),
])
def test_numbers_sizes_and_speeds_follow_the_language(
        app: Flask, headers: dict[str, str], expected: tuple[str, ...]) -> None:
    with app.test_request_context("/", headers=headers):
        assert (format_number(1234.5), format_number(1234567), format_size(2_000_000),
                format_size(1023), format_speed(2.5 * 1024**2), format_size(3 * 1024**3)
                ) == expected
        assert format_size(None) == "–"


def test_dates_follow_language_and_time_zone(app: Flask) -> None:
    moment = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    with app.app_context():
        save_settings(db.session, ui_timezone="Europe/Berlin")
        db.session.commit()
    with app.test_request_context("/", headers=GERMAN):
        assert format_moment(moment) == "01.12.26, 00:30"
        assert format_moment("2026-11-30T23:30:00+00:00") == "01.12.26, 00:30"
    with app.test_request_context("/", headers=ENGLISH):
        assert format_moment(moment) == "12/1/26, 12:30\u202fAM"
        assert format_moment(None) == "–"


def test_language_and_status_labels_in_german(app: Flask) -> None:
    with app.test_request_context("/", headers=GERMAN):
        assert language_label("german-dub") == "Deutsch (Synchro)"
        assert status_label(EpisodeStatus(EpisodeState.DOWNLOADING, 42.7)) == "lädt 42 %"
        assert status_label(EpisodeStatus(EpisodeState.ON_DISK)) == "auf der Platte"
    with app.test_request_context("/", headers=ENGLISH):
        assert status_label(EpisodeStatus(EpisodeState.DOWNLOADING, 42.7)) == "downloading 42 %"
        assert status_label(EpisodeStatus(EpisodeState.FAILED, error="gone")) == "failed: gone"
