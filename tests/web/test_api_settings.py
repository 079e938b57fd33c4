"""``GET``/``PATCH /api/v1/settings``: the Settings page's rules over JSON, secrets write-only."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from aniworld.config import Config
from aniworld.extensions import db
from aniworld.notifications import Delivery, Failure
from aniworld.services import notifications
from aniworld.services.settings import SECRET_FIELDS, AppSettings, load_settings
from aniworld.site.limiter import SiteLimiter
from aniworld.sites import ANIWORLD, STO
from tests.web.conftest import AuthActions, api_client, csrf_token_from

KEY = "settings-key-0123456789abcdef"
ENV_TOKEN = "env-token-never-shown"


def _serving(env: dict[str, str]) -> Iterator[tuple[Flask, FlaskClient]]:
    app, client = api_client({**env, "ANIWORLD_MEDIA_SERVER_TOKEN": ENV_TOKEN}, KEY)
    yield app, client
    with app.app_context():
        db.engine.dispose()  # PostgreSQL: before its schema is dropped


@pytest.fixture
def api(app_env: dict[str, str], db_url: str) -> Iterator[tuple[Flask, FlaskClient]]:
    """An app on SQLite or PostgreSQL with a media-server token in its environment."""
    yield from _serving({**app_env, "DATABASE_URL": db_url})


@pytest.fixture
def sqlite_api(app_env: dict[str, str]) -> Iterator[tuple[Flask, FlaskClient]]:
    """The same on the default SQLite file (tests that do not touch the database's dialect)."""
    yield from _serving(app_env)


def stored(app: Flask) -> AppSettings:
    with app.app_context():
        return load_settings(db.session)


def patch(client: FlaskClient, body: dict[str, Any]) -> Any:
    return client.patch("/api/v1/settings", json=body)


def test_get_lists_every_field_and_only_the_state_of_secrets(
        api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    assert patch(client, {"site_cookies": "cf_clearance=abc"}).status_code == 200
    body = client.get("/api/v1/settings").get_json()
    names = {field.name for field in fields(AppSettings)}
    assert set(body["settings"]) == names - SECRET_FIELDS
    assert set(body["secrets"]) == SECRET_FIELDS
    assert body["secrets"]["site_cookies"] == {"set": True, "source": "stored"}
    assert body["secrets"]["media_server_token"] == {"set": True, "source": "environment"}
    assert body["secrets"]["sto_cookies"] == {"set": False, "source": None}
    defaults = AppSettings()
    assert body["settings"]["language_order"] == [lang.value for lang in defaults.language_order]
    assert body["settings"]["retry_delays"] == list(defaults.retry_delays)
    assert body["settings"]["write_metadata"] is None and body["settings"]["library_dir"] is None
    text = client.get("/api/v1/settings").get_data(as_text=True)
    assert "cf_clearance" not in text and ENV_TOKEN not in text


def test_round_trip_and_a_partial_change(api: tuple[Flask, FlaskClient], tmp_path: Path) -> None:
    app, client = api
    before = client.get("/api/v1/settings").get_json()
    response = patch(client, before["settings"])  # everything sent back unchanged
    assert response.status_code == 200 and response.get_json() == before
    assert stored(app) == AppSettings()
    changes = {"parallel_downloads": 5, "hoster_order": ["vidmoly", "voe"],
               "language_order": ["english-sub", "german-dub", "german-sub", "english-dub"],
               "retry_delays": [10, 20], "library_dir": str(tmp_path / "anime"),
               "notify_events": ["failed", "completed"], "write_metadata": False}
    after = patch(client, changes).get_json()["settings"]
    assert after["hoster_order"] == ["Vidmoly", "VOE"]  # spelled as the page spells them
    assert after["notify_events"] == ["completed", "failed"]
    assert {k: after[k] for k in ("parallel_downloads", "retry_delays", "write_metadata")} == {
        "parallel_downloads": 5, "retry_delays": [10, 20], "write_metadata": False}
    assert (tmp_path / "anime").is_dir()  # the page's save check made the folder
    settings = stored(app)
    assert settings.parallel_downloads == 5 and settings.hoster_order == ("Vidmoly", "VOE")
    assert client.get("/api/v1/settings").get_json()["settings"] == after


def test_secrets_are_write_only(sqlite_api: tuple[Flask, FlaskClient]) -> None:
    app, client = sqlite_api
    response = patch(client, {"media_server_token": "stored-secret-token",
                              "notify_urls": "ntfy://ntfy.sh/secret-topic"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "stored-secret-token" not in text and "secret-topic" not in text
    assert response.get_json()["secrets"]["media_server_token"] == {"set": True,
                                                                   "source": "stored"}
    assert stored(app).media_server_token == "stored-secret-token"
    cleared = patch(client, {"media_server_token": None, "notify_urls": None}).get_json()
    assert cleared["secrets"]["media_server_token"] == {"set": True, "source": "environment"}
    assert cleared["secrets"]["notify_urls"] == {"set": False, "source": None}


def test_new_notification_urls_clear_the_notifier_error(
        sqlite_api: tuple[Flask, FlaskClient]) -> None:
    app, client = sqlite_api
    failure = Failure("JSON json://127.0.0.1:9 (URL 1)", "A Connection error occurred")

    def notifier_error() -> str:
        with app.app_context():
            return notifications.load_status(db.session).error

    assert patch(client, {"notify_urls": "json://127.0.0.1:9/old"}).status_code == 200
    with app.app_context():
        notifications.record_delivery(db.session, Delivery(failures=(failure,)), "completed")
        db.session.commit()
    assert patch(client, {"parallel_downloads": 2}).status_code == 200
    assert notifier_error().startswith("JSON json://127.0.0.1:9 (URL 1)")
    assert patch(client, {"notify_urls": "json://127.0.0.1:9/fixed"}).status_code == 200
    assert notifier_error() == ""


def test_unknown_field_is_400_and_changes_nothing(api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    response = patch(client, {"parallel_downloads": 3, "paralel_downloads": 3, "secrets": {}})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "unknown_setting" and error["field"] == "paralel_downloads"
    assert "'paralel_downloads', 'secrets'" in error["message"]
    assert "parallel_downloads" in error["message"]  # the names it knows, to fix the typo
    assert stored(app) == AppSettings()


def test_one_bad_field_stores_nothing_and_every_error_is_named(
        api: tuple[Flask, FlaskClient]) -> None:
    app, client = api
    response = patch(client, {"parallel_downloads": 4, "container": "avi", "max_attempts": 0,
                              "hoster_order": ["VOE", "Streamtape"]})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"container", "max_attempts", "hoster_order"}
    assert error["code"] == "validation_error" and error["field"] in error["fields"]
    assert all(message in error["message"] for message in error["fields"].values())
    # A combination found only after the values were written is rolled back as well.
    combined = patch(client, {"parallel_downloads": 4, "site_transport": "requests",
                              "site_proxy": "socks5://proxy.local:1080"})
    assert combined.status_code == 422
    assert combined.get_json()["error"]["fields"] == {
        "site_proxy": "SOCKS proxies need the 'impersonate' transport"}
    assert stored(app) == AppSettings()


# (section of the page, its form, the same value as JSON, the field)
SAME_AS_PAGE = [
    ("downloads", {"parallel_downloads": "99", "container": "mp4", "max_attempts": "4"},
     {"parallel_downloads": 99}, "parallel_downloads"),
    ("downloads", {"parallel_downloads": "2", "container": "avi", "max_attempts": "4"},
     {"container": "avi"}, "container"),
    ("hosters", {"hoster_order": "VOE\nStreamtape"}, {"hoster_order": ["VOE", "Streamtape"]},
     "hoster_order"),
    ("naming", {"naming_template": "{series}/{nonsense}.{ext}"},
     {"naming_template": "{series}/{nonsense}.{ext}"}, "naming_template"),
    ("languages", {"language_order": ["german-dub", "german-dub"]},
     {"language_order": ["german-dub", "german-dub"]}, "language_order"),
    ("site", {"site_cookies": "no cookies in here"}, {"site_cookies": "no cookies in here"},
     "site_cookies"),
    ("site", {"site_transport": "requests", "site_proxy": "socks5://proxy.local:1080"},
     {"site_transport": "requests", "site_proxy": "socks5://proxy.local:1080"}, "site_proxy"),
    ("library", {"library_dir": "relative/path"}, {"library_dir": "relative/path"},
     "library_dir"),
]


@pytest.mark.parametrize(("section", "form", "body", "field"), SAME_AS_PAGE,
                         ids=[f"{case[0]}-{case[3]}" for case in SAME_AS_PAGE])
def test_messages_are_the_settings_pages(sqlite_api: tuple[Flask, FlaskClient], section: str,
                                         form: dict[str, Any], body: dict[str, Any],
                                         field: str) -> None:
    app, client = sqlite_api
    message = patch(client, body).get_json()["error"]["fields"][field]
    browser = AuthActions(app, app.test_client())
    browser.set_password()
    browser.login()
    token = csrf_token_from(browser.client.get("/settings/"))
    page = browser.client.post(f"/settings/{section}", data={**form, "csrf_token": token})
    shown = re.search(rf'id="{field}-error">([^<]*)</span>', page.get_data(as_text=True))
    assert shown, page.get_data(as_text=True)
    # The page shows the message beside its field, so without the field's name in front.
    rest = message.removeprefix(f"{field}: ").removeprefix(f"{field} ")
    assert html.unescape(shown.group(1)) == rest[:1].upper() + rest[1:]


def test_a_sites_change_ends_its_hold_only(sqlite_api: tuple[Flask, FlaskClient],
                                           app_env: dict[str, str], redis_url: str) -> None:
    _, client = sqlite_api
    config = Config.from_env(app_env)
    limiters = {site: SiteLimiter(config.site_settings(site).base_url,
                                  redis.Redis.from_url(redis_url)) for site in (ANIWORLD, STO)}
    for limiter in limiters.values():
        limiter.hold(600, "site_challenge")
    assert patch(client, {"parallel_downloads": 3}).status_code == 200
    assert patch(client, {"site_proxy": "ftp://proxy.local"}).status_code == 422
    assert all(limiter.notice() is not None for limiter in limiters.values())
    assert patch(client, {"site_cache_ttl": 60}).status_code == 200
    assert limiters[ANIWORLD].notice() is None and limiters[STO].notice() is not None


def test_cookie_sessions_need_the_csrf_token(sqlite_api: tuple[Flask, FlaskClient]) -> None:
    app, _ = sqlite_api
    browser = AuthActions(app, app.test_client())
    browser.set_password()
    browser.login()
    refused = browser.client.patch("/api/v1/settings", json={"parallel_downloads": 3})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    token = csrf_token_from(browser.client.get("/settings/"))
    accepted = browser.client.patch("/api/v1/settings", json={"parallel_downloads": 3},
                                    headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and stored(app).parallel_downloads == 3
    assert app.test_client().get("/api/v1/settings").status_code == 401


def test_get_masks_the_password_of_proxies_and_a_patch_takes_it_in_full(
        sqlite_api: tuple[Flask, FlaskClient]) -> None:
    app, client = sqlite_api
    full = "http://user:s3cret-pass@proxy.local:3128"
    assert patch(client, {"site_proxy": full, "sto_proxy": "http://token@proxy.local:8080"}
                 ).status_code == 200
    shown = client.get("/api/v1/settings")
    assert "s3cret-pass" not in shown.text and "token@" not in shown.text
    settings = shown.get_json()["settings"]
    assert settings["site_proxy"] == "http://user:***@proxy.local:3128"
    assert settings["sto_proxy"] == "http://***@proxy.local:8080"
    assert stored(app).site_proxy == full
    # GET's answer sent back as it is changes nothing; a new password is taken in full.
    assert patch(client, {"site_proxy": settings["site_proxy"]}).status_code == 200
    assert stored(app).site_proxy == full
    assert patch(client, {"site_proxy": "http://user:other@proxy.local:3128"}).status_code == 200
    assert stored(app).site_proxy == "http://user:other@proxy.local:3128"
