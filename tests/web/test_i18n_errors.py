"""Core errors and times on the pages in the reader's language; the JSON API stays English."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from aniworld.extensions import db
from aniworld.hosters.errors import HosterFileGone
from aniworld.models import DownloadItem
from aniworld.phrases import Number, Phrase
from aniworld.services import execution, hoster_health
from aniworld.services.episode_status import EpisodeState, EpisodeStatus
from aniworld.services.hoster_health import Breaker
from aniworld.services.settings import save_settings
from aniworld.web.i18n import COOKIE, localize, status_label
from tests.db_fixtures import claim_item
from tests.web.conftest import AuthActions, csrf_token_from
from tests.web.test_queue_page import queue_items

GERMAN = {"Accept-Language": "de"}
# A hoster's failure as the runner stores it, and its German translation in the catalogue.
PHRASE = HosterFileGone("VOE").phrase
ENGLISH_TEXT = "VOE no longer has this file (deleted or not found); try another hoster"
GERMAN_TEXT = ("VOE hat diese Datei nicht mehr (gelöscht oder nicht gefunden); versuche "
               "einen anderen Hoster")


def _fail(app: Flask, item_id: int, *, retry_at: datetime | None = None) -> None:
    """Let the item's download fail with ``PHRASE``: for good, or to retry at ``retry_at``."""
    with app.app_context():
        claim = claim_item(db.session, item_id)
        if retry_at is None:
            assert execution.fail(db.session, item_id, claim.lease, PHRASE)
        else:
            assert execution.retry_later(db.session, item_id, claim.lease, PHRASE, 60)
            item = db.session.get(DownloadItem, item_id)
            assert item is not None
            item.not_before = retry_at  # a fixed moment, so the shown time is known
        db.session.commit()


def test_failed_item_in_german_on_the_page_and_in_english_in_the_api(
        app: Flask, logged_in: AuthActions) -> None:
    (item_id,) = queue_items(app, 1)
    _fail(app, item_id)
    client = logged_in.client
    html = client.get("/queue/", headers=GERMAN).get_data(as_text=True)
    assert GERMAN_TEXT in html and ENGLISH_TEXT not in html
    home = client.get("/", headers=GERMAN).get_data(as_text=True)
    assert '<html lang="de">' in home
    failed = client.get("/api/v1/queue", headers=GERMAN).get_json()["failed"]
    assert [entry["error"] for entry in failed] == [ENGLISH_TEXT]
    # The series page's status cell of that episode (EpisodeStatus carries the phrase).
    with app.app_context():
        item = db.session.get(DownloadItem, item_id)
        assert item is not None
        cell = EpisodeStatus(EpisodeState.FAILED, error=item.last_error or "",
                             error_phrase=item.last_error_phrase)
    with app.test_request_context("/", headers=GERMAN):
        assert status_label(cell) == f"fehlgeschlagen: {GERMAN_TEXT}"
    with app.test_request_context("/", headers={"Accept-Language": "en-US"}):
        assert status_label(cell) == f"failed: {ENGLISH_TEXT}"


def test_retry_time_in_the_configured_time_zone(app: Flask, logged_in: AuthActions) -> None:
    with app.app_context():
        save_settings(db.session, ui_timezone="Europe/Berlin")
        db.session.commit()
    (item_id,) = queue_items(app, 1)
    _fail(app, item_id, retry_at=datetime(2099, 1, 15, 12, 30))  # naive = UTC
    client = logged_in.client
    html = client.get("/queue/", headers=GERMAN).get_data(as_text=True)
    assert f"Neuer Versuch nach 13:30: {GERMAN_TEXT}" in html
    assert "UTC" not in html
    waiting = client.get("/api/v1/queue").get_json()["pending"]
    assert any(entry.get("error") == ENGLISH_TEXT for entry in _items(waiting))
    # The shared render of the queue follows a change of the time zone at once.
    partial = client.get("/queue/partial", headers={**GERMAN, "HX-Request": "true"})
    assert "13:30" in partial.get_data(as_text=True)
    with app.app_context():
        save_settings(db.session, ui_timezone="America/New_York")
        db.session.commit()
    partial = client.get("/queue/partial", headers={**GERMAN, "HX-Request": "true"})
    assert "07:30" in partial.get_data(as_text=True)


def _items(value: object) -> list[dict[str, object]]:
    """Every dict with an ``error`` key anywhere in the API's pending answer."""
    if isinstance(value, dict):
        found = [value] if "error" in value else []
        return found + [item for child in value.values() for item in _items(child)]
    if isinstance(value, list):
        return [item for child in value for item in _items(child)]
    return []


def test_not_found_page_in_german(logged_in: AuthActions) -> None:
    response = logged_in.client.get("/series/NO%20SUCH%20KEY", headers=GERMAN)
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "keine Serie &#39;NO SUCH KEY&#39; in der Bibliothek; füge sie zuerst hinzu" in html
    htmx = logged_in.client.get("/series/NO%20SUCH%20KEY", headers={**GERMAN, "HX-Request": "1"})
    assert "füge sie zuerst hinzu" in htmx.get_data(as_text=True)
    api = logged_in.client.get("/api/v1/series/NO%20SUCH%20KEY", headers=GERMAN)
    assert api.status_code == 404 and api.get_json()["error"]["message"].isascii()


def test_hoster_error_in_german_on_the_status_page(app: Flask, logged_in: AuthActions) -> None:
    with app.app_context():
        hoster_health.record_failure(db.session, "aniworld", "VOE", "hoster_unavailable",
                                     PHRASE, Breaker())
        db.session.commit()
    html = logged_in.client.get("/status/", headers=GERMAN).get_data(as_text=True)
    assert GERMAN_TEXT in html and ENGLISH_TEXT not in html
    hosters = logged_in.client.get("/api/v1/status/hosters", headers=GERMAN).get_json()
    assert ENGLISH_TEXT in str(hosters) and GERMAN_TEXT not in str(hosters)


def test_language_switch_on_the_login_and_set_up_pages(auth: AuthActions) -> None:
    client = auth.client
    html = client.get("/setup").get_data(as_text=True)
    assert 'name="language" value="de"' in html
    auth.set_password()
    login = client.get("/login?next=/queue/", headers={"Accept-Language": "en-US"})
    html = login.get_data(as_text=True)
    assert '<html lang="en">' in html and 'name="language" value="de"' in html
    assert 'value="/login?next=/queue/"' in html
    # Without the CSRF token the switch is refused, like every other form.
    assert client.post("/language", data={"language": "de"}).status_code == 400
    assert client.get_cookie(COOKIE) is None
    response = client.post("/language", data={"language": "de", "next": "/login?next=/queue/",
                                              "csrf_token": csrf_token_from(login)})
    assert response.status_code == 303 and response.headers["Location"] == "/login?next=/queue/"
    html = client.get("/login", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert '<html lang="de">' in html and "<h1>Anmelden</h1>" in html
    # Choosing a language signs nobody in.
    assert client.get("/queue/").status_code == 302


def test_werkzeug_errors_and_a_stale_form_in_german(logged_in: AuthActions) -> None:
    client = logged_in.client
    missing = client.get("/no/such/page", headers=GERMAN)
    assert missing.status_code == 404
    assert "Diese Seite gibt es nicht" in missing.get_data(as_text=True)
    wrong = client.get("/language", headers=GERMAN)
    assert wrong.status_code == 405
    assert "Diese Adresse nimmt diese Art von Anfrage nicht an" in wrong.get_data(as_text=True)
    stale = client.post("/queue/pause", headers=GERMAN, data={"csrf_token": "stale"})
    assert stale.status_code == 400
    assert "Das Formular ist abgelaufen" in stale.get_data(as_text=True)
    english = client.get("/no/such/page", headers={"Accept-Language": "en-US"})
    assert "This page does not exist" in english.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing", headers=GERMAN)
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def test_numbers_of_a_phrase_in_the_pages_language(app: Flask) -> None:
    phrase = Phrase("%(size)s GiB", size=Number(1234.5, 1))
    with app.test_request_context("/", headers=GERMAN):
        assert localize(phrase) == "1234,5 GiB"
    with app.test_request_context("/", headers={"Accept-Language": "en-US"}):
        assert localize(phrase) == "1234.5 GiB"
    with app.test_request_context("/api/v1/queue", headers=GERMAN):
        assert localize(phrase) == str(phrase) == "1234.5 GiB"
