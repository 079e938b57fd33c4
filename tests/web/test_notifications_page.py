"""Settings → Notifications: URLs never shown, event switches, test button, broken notifier."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.notifications import Delivery, Failure
from aniworld.services import notifications
from aniworld.services.settings import save_settings
from tests.fakenotify import NotifyEndpoint, closed_port
from tests.web.conftest import AuthActions, build_app
from tests.web.test_settings_page import post, stored

URL = "/settings/notifications/"
TEST_URL = "/settings/notifications/test"
SECRET = "json://127.0.0.1:9/tok-Secret123"


def section(client: FlaskClient) -> str:
    """The Notifications section of the settings page."""
    html = client.get("/settings/").get_data(as_text=True)
    start = html.index('id="settings-notifications"')
    return html[start:html.index("</section>", start)]


def store(app: Flask, **changes: object) -> None:
    with app.app_context():
        save_settings(db.session, **changes)
        db.session.commit()


def test_section_counts_stored_urls_and_never_shows_them(
        app: Flask, logged_in: AuthActions, client: FlaskClient) -> None:
    assert "none, so nothing is sent" in section(client)
    response = post(client, URL, {"notify_urls": f"{SECRET}, ntfy://ntfy.sh/private-topic-42",
                                  "notify_events": ["completed", "failed"]}, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Notification settings saved." in html and "2 stored" in html
    assert "tok-Secret123" not in html and "private-topic-42" not in html
    assert "tok-Secret123" not in client.get("/settings/").get_data(as_text=True)
    settings = stored(app)
    assert settings.notify_urls == f"{SECRET} ntfy://ntfy.sh/private-topic-42"
    assert settings.notify_events == ("completed", "failed")
    assert 'value="action"' in html and 'value="action" checked' not in html


def test_empty_text_keeps_the_urls_and_forget_drops_them(
        app: Flask, logged_in: AuthActions, client: FlaskClient) -> None:
    store(app, notify_urls=SECRET)
    post(client, URL, {"notify_urls": "  ", "notify_events": ["completed"]})
    assert stored(app).notify_urls == SECRET
    assert stored(app).notify_events == ("completed",)
    post(client, URL, {"notify_urls_clear": "on"})
    assert stored(app).notify_urls is None
    assert stored(app).notify_events == ()  # every switch off: nothing is sent


def test_a_url_without_scheme_is_refused_beside_the_field(
        app: Flask, logged_in: AuthActions, client: FlaskClient) -> None:
    response = post(client, URL, {"notify_urls": "ntfy.sh/topic"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "is not an Apprise URL like ntfy://ntfy.sh/my-topic" in html
    assert stored(app).notify_urls is None


@pytest.fixture
def env_app(app_env: dict[str, str]) -> Iterator[Flask]:
    app = build_app({**app_env, "ANIWORLD_NOTIFY_URLS": f"{SECRET} json://127.0.0.1:9/b"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_urls_from_the_environment_are_counted_and_stored_ones_replace_them(
        env_app: Flask) -> None:
    client = env_app.test_client()
    auth = AuthActions(env_app, client)
    auth.set_password()
    auth.login()
    html = section(client)
    assert "2 from <code>ANIWORLD_NOTIFY_URLS</code>" in html and "tok-Secret123" not in html
    store(env_app, notify_urls="json://127.0.0.1:9/c")
    html = section(client)
    assert "1 stored" in html and "has 2, used when none are stored" in html
    assert "use <code>ANIWORLD_NOTIFY_URLS</code> again" in html


def test_test_button_delivers_and_says_so(app: Flask, logged_in: AuthActions,
                                          client: FlaskClient,
                                          notify_endpoint: NotifyEndpoint) -> None:
    store(app, notify_urls=notify_endpoint.url("/test"))
    response = post(client, TEST_URL, {}, htmx=True)
    assert response.status_code == 200
    assert "Test sent to 1 URL(s)." in response.get_data(as_text=True)
    [received] = notify_endpoint.received
    assert (received.path, received.title) == ("/test", "Aniworld test notification")
    assert "Last message delivered" in response.get_data(as_text=True)


def test_test_button_shows_the_exact_failure(app: Flask, logged_in: AuthActions,
                                             client: FlaskClient,
                                             notify_endpoint: NotifyEndpoint) -> None:
    notify_endpoint.fail(1, status=500)
    refused = closed_port()
    store(app, notify_urls=f"{notify_endpoint.url('/tok-Secret')} json://127.0.0.1:{refused}/x")
    html = post(client, TEST_URL, {}, htmx=True).get_data(as_text=True)
    assert (f"The test failed: JSON json://127.0.0.1:{notify_endpoint.port} (URL 1): Failed "
            "to send JSON POST notification: Internal server error., error=500.; "
            f"JSON json://127.0.0.1:{refused} (URL 2): A Connection error occurred sending "
            "JSON notification to ….") in html
    assert "tok-Secret" not in html


def test_test_button_without_urls_explains(logged_in: AuthActions, client: FlaskClient) -> None:
    html = post(client, TEST_URL, {}).get_data(as_text=True)
    assert "No notification URL is set" in html


def test_broken_notifier_shows_its_last_error_with_its_time(
        app: Flask, logged_in: AuthActions, client: FlaskClient) -> None:
    failure = Failure("JSON json://127.0.0.1:9 (URL 1)", "A Connection error occurred")
    with app.app_context():
        notifications.record_delivery(db.session, Delivery(failures=(failure,)), "completed",
                                      now=datetime(2026, 11, 30, 8, 15, tzinfo=UTC))
        db.session.commit()
    html = section(client)
    assert ("A notifier is broken. Last failure (11/30/26, 8:15\u202fAM): JSON "
            "json://127.0.0.1:9 (URL 1): A Connection error occurred") in html


def broken(app: Flask) -> None:
    """Record a failed delivery, as the notify job does."""
    failure = Failure("JSON json://127.0.0.1:9 (URL 1)", "A Connection error occurred")
    with app.app_context():
        notifications.record_delivery(db.session, Delivery(failures=(failure,)), "completed")
        db.session.commit()


def test_new_or_forgotten_urls_clear_the_broken_notifier_warning(
        app: Flask, logged_in: AuthActions, client: FlaskClient) -> None:
    store(app, notify_urls=SECRET)
    broken(app)
    post(client, URL, {"notify_events": "completed"})
    assert "A notifier is broken" in section(client), "the same URLs: the error still holds"
    post(client, URL, {"notify_urls": "json://127.0.0.1:9/fixed"})
    assert "A notifier is broken" not in section(client)
    broken(app)
    post(client, URL, {"notify_urls_clear": "on"})
    assert "A notifier is broken" not in section(client)


def test_saving_needs_the_csrf_token(logged_in: AuthActions, client: FlaskClient) -> None:
    assert client.post(URL, data={"notify_urls": SECRET}).status_code == 400
    assert client.post(TEST_URL).status_code == 400
