"""The Settings page's validation messages in German; the JSON API keeps them English."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from tests.web.conftest import AuthActions, api_client, csrf_token_from

GERMAN = {"Accept-Language": "de"}
KEY = "i18n-settings-key-0123456789"
# (section, form, the same value as JSON, field, German beside the field, English in the API)
CASES = [
    ("downloads", {"parallel_downloads": "99", "container": "mp4", "max_attempts": "4"},
     {"parallel_downloads": 99}, "parallel_downloads",
     "Muss eine ganze Zahl von 1 bis 16 sein",
     "parallel_downloads must be a whole number from 1 to 16"),
    ("downloads", {"parallel_downloads": "2", "container": "avi", "max_attempts": "4"},
     {"container": "avi"}, "container", "Muss mp4 oder mkv sein", "container must be mp4 or mkv"),
    ("naming", {"naming_template": "{series}/{season}.{ext}"},
     {"naming_template": "{series}/{season}.{ext}"}, "naming_template",
     "Die Namensvorlage muss {episode} enthalten, sonst bekommt jede Episode einer Staffel "
     "denselben Dateinamen",
     "the naming template must contain {episode}, or every episode of a season gets the same "
     "file name"),
    ("interface", {"ui_language": "de", "ui_timezone": "Mars/Olympus"},
     {"ui_timezone": "Mars/Olympus"}, "ui_timezone",
     "Unbekannte Zeitzone 'Mars/Olympus' (verwende einen Namen wie Europe/Berlin)",
     "ui_timezone: unknown time zone 'Mars/Olympus' (use a name such as Europe/Berlin)"),
    ("languages", {"language_order": ["german-dub", "klingon"]},
     {"language_order": ["german-dub", "klingon"]}, "language_order",
     "Unbekannte Sprache 'klingon'; verwende eine von: german-dub, german-sub, english-sub, "
     "english-dub",
     "language_order: unknown language 'klingon'; use one of: german-dub, german-sub, "
     "english-sub, english-dub"),
    ("hosters", {"hoster_order": "VOE\nStreamtape"}, {"hoster_order": ["VOE", "Streamtape"]},
     "hoster_order", "Unbekannter Hoster Streamtape; verwende ", "Unknown hoster Streamtape; use "),
    ("site", {"site_transport": "requests", "site_proxy": "socks5://proxy.local:1080"},
     {"site_transport": "requests", "site_proxy": "socks5://proxy.local:1080"}, "site_proxy",
     "SOCKS-Proxys brauchen den Transport 'impersonate'",
     "SOCKS proxies need the 'impersonate' transport"),
    ("site", {"site_cache_ttl": "-5"}, {"site_cache_ttl": -5}, "site_cache_ttl",
     "Muss eine ganze Zahl von mindestens 0 sein",
     "site_cache_ttl must be a whole number of at least 0"),
]


@pytest.fixture
def served(app_env: dict[str, str]) -> Iterator[tuple[Flask, FlaskClient, AuthActions]]:
    """An app with an API client and a logged-in browser that asks for German pages."""
    app, api = api_client(app_env, KEY)
    browser = AuthActions(app, app.test_client())
    browser.set_password()
    browser.login()
    yield app, api, browser
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(("section", "form", "body", "field", "german", "english"), CASES,
                         ids=[f"{case[0]}-{case[3]}" for case in CASES])
def test_the_page_speaks_german_and_the_api_english(
        served: tuple[Flask, FlaskClient, AuthActions], section: str, form: dict[str, Any],
        body: dict[str, Any], field: str, german: str, english: str) -> None:
    _, api, browser = served
    token = csrf_token_from(browser.client.get("/settings/"))
    page = browser.client.post(f"/settings/{section}", headers=GERMAN,
                               data={**form, "csrf_token": token})
    assert page.status_code == 422
    shown = re.search(rf'id="{field}-error">([^<]*)</span>', page.get_data(as_text=True))
    assert shown, page.get_data(as_text=True)
    assert html.unescape(shown.group(1)).startswith(german)
    # The same value over the API, even from a German browser: English, field name first.
    answer = api.patch("/api/v1/settings", json=body, headers=GERMAN)
    assert answer.status_code == 422
    assert answer.get_json()["error"]["fields"][field].startswith(english)


def test_the_naming_preview_speaks_german(served: tuple[Flask, FlaskClient, AuthActions]) -> None:
    _, _, browser = served
    token = csrf_token_from(browser.client.get("/settings/"))
    answer = browser.client.post("/settings/naming/preview", headers=GERMAN, data={
        "naming_template": "/abs/{season}{episode}.{ext}", "csrf_token": token})
    assert "Die Namensvorlage muss ein relativer Pfad sein" in answer.get_data(as_text=True)


# The integrations' own sections (each its blueprint): path, form, field, German beside it.
INTEGRATION_CASES = [
    ("/settings/bridge/", {"bridge_username": "no spaces allowed"}, "bridge_username",
     "Muss aus 1 bis 64 Buchstaben, Ziffern oder . _ @ - bestehen"),
    ("/settings/bridge/categories", {"category": "tv", "priority": "urgent"}, "priority",
     "Unbekannte Priorität 'urgent'; verwende eine von: "),
    ("/settings/notifications/", {"notify_urls": "not-a-url", "notify_events": ["completed"]},
     "notify_urls", "'not-a-url' ist keine Apprise-URL wie ntfy://ntfy.sh/my-topic"),
]


@pytest.mark.parametrize(("path", "form", "field", "german"), INTEGRATION_CASES,
                         ids=[case[2] for case in INTEGRATION_CASES])
def test_the_integration_sections_speak_german(
        served: tuple[Flask, FlaskClient, AuthActions], path: str, form: dict[str, Any],
        field: str, german: str) -> None:
    _, _, browser = served
    token = csrf_token_from(browser.client.get("/settings/"))
    page = browser.client.post(path, headers={**GERMAN, "HX-Request": "true"},
                               data={**form, "csrf_token": token})
    shown = re.search(rf'id="{field}-error">([^<]*)</span>', page.get_data(as_text=True))
    assert shown, page.get_data(as_text=True)
    assert html.unescape(shown.group(1)).startswith(german)
