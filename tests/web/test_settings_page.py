"""The settings page: sections, validation, live preview, API keys, password, htmx."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import sessionmaker
from werkzeug.test import TestResponse

from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Episode
from aniworld.services.library import monitoring
from aniworld.services.settings import AppSettings, load_settings
from aniworld.tasks import monitor
from aniworld.web.resources import get_redis, make_site_client
from tests.web.conftest import PASSWORD, AuthActions, add_series, csrf_token_from

HTMX = {"HX-Request": "true"}
SECTIONS = ("library", "languages", "hosters", "downloads", "monitoring", "naming", "site", "sto",
            "api_keys", "password")


def post(client: FlaskClient, url: str, data: dict[str, Any], htmx: bool = False,
         method: str = "POST") -> TestResponse:
    """Submit ``data`` with a valid CSRF token, as a plain form or as htmx."""
    token = csrf_token_from(client.get("/settings/"))
    headers = {**HTMX, "X-CSRFToken": token} if htmx else {}
    return client.open(url, method=method, data={**data, "csrf_token": token}, headers=headers)


def stored(app: Flask) -> AppSettings:
    """The settings as a fresh request (or worker) would read them."""
    with app.app_context():
        return load_settings(db.session)


def test_page_renders_every_section(logged_in: AuthActions, client: FlaskClient) -> None:
    response = client.get("/settings/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for section in SECTIONS:
        assert f'id="settings-{section}"' in html
    assert 'hx-post="/settings/naming/preview"' in html
    assert "Example: <code>" in html


def test_page_needs_login(app: Flask, auth: AuthActions, client: FlaskClient) -> None:
    auth.set_password()
    assert client.get("/settings/").status_code == 302


def test_start_page_links_to_settings_instead_of_password_form(
        logged_in: AuthActions, client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'href="/settings/"' in html
    assert 'name="current"' not in html


def _library(tmp_path: Path) -> dict[str, Any]:
    return {"library_dir": str(tmp_path / "elsewhere")}


VALID = [
    ("library", _library, lambda s, tmp: s.library_dir == str(tmp / "elsewhere")),
    ("library", lambda tmp: {"library_dir": "", "holding_days": "30"},
     lambda s, tmp: (s.library_dir, s.holding_days) == (None, 30)),
    ("languages", lambda tmp: {"language_order": ["english-sub", "german-sub", "german-dub",
                                                  "english-dub"], "language_fallback": "on"},
     lambda s, tmp: s.language_order[0] is Language.ENGLISH_SUB and s.language_fallback),
    ("hosters", lambda tmp: {"hoster_order": "vidoza\nVOE\n"},
     lambda s, tmp: s.hoster_order == ("Vidoza", "VOE")),
    ("hosters", lambda tmp: {"hoster_order": "VOE", "breaker_failures": "5",
                             "breaker_cooldown_minutes": "90"},
     lambda s, tmp: (s.breaker_failures, s.breaker_cooldown_minutes) == (5, 90)),
    ("downloads", lambda tmp: {"parallel_downloads": "3", "bandwidth_limit": "1.5",
                               "disk_reserve": "5", "container": "mkv", "max_attempts": "6"},
     lambda s, tmp: (s.parallel_downloads, s.bandwidth_limit, s.disk_reserve, s.container,
                     s.max_attempts) == (3, 1572864, 5 * 1024**3, "mkv", 6)),
    ("monitoring", lambda tmp: {"monitor_interval_hours": "0",
                                "monitor_full_refresh_hours": "168"},
     lambda s, tmp: (s.monitor_interval_hours, s.monitor_full_refresh_hours) == (0, 168)),
    ("naming", lambda tmp: {"naming_template": "{series}/{series} {season}x{episode:02}.{ext}"},
     lambda s, tmp: s.naming_template == "{series}/{series} {season}x{episode:02}.{ext}"),
    ("site", lambda tmp: {"site_url": "https://mirror.example/", "site_transport": "requests",
                          "site_proxy": "http://proxy.example:3128", "site_cache_ttl": "60",
                          "site_cookies": "cf_clearance=abc; session=xyz",
                          "site_doh": "cloudflare"},
     lambda s, tmp: (s.site_url, s.site_transport, s.site_proxy, s.site_cache_ttl,
                     s.site_cookies, s.site_doh) == ("https://mirror.example", "requests",
                                                     "http://proxy.example:3128", 60,
                                                     "cf_clearance=abc; session=xyz",
                                                     "cloudflare")),
]


@pytest.mark.parametrize(("section", "data", "check"), VALID, ids=[v[0] for v in VALID])
def test_section_saves_valid_values(app: Flask, logged_in: AuthActions, client: FlaskClient,
                                    tmp_path: Path, section: str, data: Any, check: Any) -> None:
    response = post(client, f"/settings/{section}", data(tmp_path))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/settings/#settings-{section}"
    assert check(stored(app), tmp_path)
    assert "saved." in client.get("/settings/").get_data(as_text=True)


INVALID = [
    ("downloads", {"parallel_downloads": "0", "bandwidth_limit": "0", "disk_reserve": "2",
                   "container": "mp4", "max_attempts": "4"}, "parallel_downloads",
     "Must be a whole number from 1 to 16"),
    ("downloads", {"parallel_downloads": "2", "bandwidth_limit": "fast", "disk_reserve": "-1",
                   "container": "avi", "max_attempts": "x"}, "bandwidth_limit", "MB/s"),
    ("site", {"site_proxy": "not a proxy"}, "site_proxy", "http://host:3128"),
    ("site", {"site_proxy": "socks5://127.0.0.1:1080", "site_transport": "requests"},
     "site_proxy", "SOCKS proxies need the &#39;impersonate&#39; transport"),
    ("site", {"site_url": "ftp://mirror.example"}, "site_url", "http(s) URL"),
    ("site", {"site_cookies": "just some words"}, "site_cookies", "No cookies for"),
    ("site", {"site_doh": "dns.example"}, "site_doh", "off, cloudflare, google, quad9"),
    ("monitoring", {"monitor_interval_hours": "200"}, "monitor_interval_hours",
     "Must be a whole number from 0 to 168"),
    ("monitoring", {"monitor_interval_hours": "often"}, "monitor_interval_hours",
     "Enter a whole number"),
    ("monitoring", {"monitor_interval_hours": "6", "monitor_full_refresh_hours": "0"},
     "monitor_full_refresh_hours", "Must be a whole number from 1 to 720"),
    ("naming", {"naming_template": "../{series}.{ext}"}, "naming_template", "must not contain"),
    ("naming", {"naming_template": "{series}/{resolution}.{ext}"}, "naming_template",
     "Unknown field(s) resolution"),
    ("naming", {"naming_template": "{series}.{ext}"}, "naming_template",
     "The naming template must contain {episode}, or every episode of a season"),
    ("naming", {"naming_template": "{season:{series.__class__.__mro__}}/{episode}.{ext}"},
     "naming_template", "{season} has a format spec a file name does not need"),
    ("library", {"library_dir": "relative/folder"}, "library_dir", "absolute path"),
    ("library", {"library_dir": "", "holding_days": "0"}, "holding_days",
     "Must be a whole number from 1 to 365"),
    ("languages", {"language_order": ["german-dub", "german-dub", "german-sub", "english-sub"]},
     "language_order", "each language once"),
    ("hosters", {"hoster_order": "VOE\nMegaUpload"}, "hoster_order", "Unknown hoster MegaUpload"),
    ("hosters", {"hoster_order": "VOE", "breaker_failures": "0",
                 "breaker_cooldown_minutes": "30"}, "breaker_failures",
     "Must be a whole number from 1 to 100"),
]


@pytest.mark.parametrize(("section", "data", "field", "message"), INVALID,
                         ids=[f"{v[0]}-{v[2]}-{i}" for i, v in enumerate(INVALID)])
def test_section_shows_field_errors(app: Flask, logged_in: AuthActions, client: FlaskClient,
                                    section: str, data: dict[str, Any], field: str,
                                    message: str) -> None:
    response = post(client, f"/settings/{section}", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = re.search(rf'<span class="field-error" id="{field}-error">([^<]*)</span>', html)
    assert error and message in error.group(1), html
    assert f'aria-describedby="{field}-error"' in html
    assert stored(app) == AppSettings()


def test_all_bad_fields_are_reported_and_values_kept(logged_in: AuthActions,
                                                     client: FlaskClient) -> None:
    response = post(client, "/settings/downloads", {
        "parallel_downloads": "99", "bandwidth_limit": "x", "disk_reserve": "2",
        "container": "avi", "max_attempts": "4"})
    html = response.get_data(as_text=True)
    for field in ("parallel_downloads", "bandwidth_limit", "container"):
        assert f'id="{field}-error"' in html
    assert 'name="parallel_downloads" value="99"' in html


def test_htmx_gets_the_section_alone(logged_in: AuthActions, client: FlaskClient) -> None:
    bad = post(client, "/settings/downloads", {"parallel_downloads": "0"}, htmx=True)
    # htmx swaps only 2xx answers, so errors for htmx come back as 200 with the error markup.
    assert bad.status_code == 200
    html = bad.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="settings-downloads"')
    assert "<html" not in html and 'id="parallel_downloads-error"' in html
    assert "HX-Request" in bad.headers["Vary"]
    good = post(client, "/settings/naming",
                {"naming_template": "{series} {season}x{episode}.{ext}"}, htmx=True)
    assert good.status_code == 200
    assert 'role="status">Naming template saved.' in good.get_data(as_text=True)


def test_monitoring_section_shows_the_last_and_next_check(app: Flask, logged_in: AuthActions,
                                                          client: FlaskClient) -> None:
    html = client.get("/settings/").get_data(as_text=True)
    assert "No check has run yet." in html and "Next check: soon." in html
    with app.app_context():
        monitoring.mark_requested(db.session, datetime(2025, 11, 1, 12, 0, tzinfo=UTC))
        db.session.commit()
    monitor.record_failure(_sessions(app), "Monitoring cannot reach the site.")
    html = post(client, "/settings/monitoring", {"monitor_interval_hours": "12"},
                htmx=True).get_data(as_text=True)
    assert html.lstrip().startswith('<section id="settings-monitoring"')
    assert 'role="status">Monitoring settings saved.' in html
    assert 'class="error">Monitoring cannot reach the site.' in html
    assert "Last check: " in html and 'name="monitor_interval_hours" value="12"' in html
    assert 'name="monitor_full_refresh_hours" value="24"' in html


def _sessions(app: Flask) -> Any:
    """A session factory on the app's database, as a worker would have."""
    with app.app_context():
        return sessionmaker(db.engine, expire_on_commit=False)


def test_settings_take_effect_without_restart(app: Flask, logged_in: AuthActions,
                                              client: FlaskClient) -> None:
    post(client, "/settings/downloads", {"parallel_downloads": "5", "bandwidth_limit": "0",
                                         "disk_reserve": "1", "container": "mp4",
                                         "max_attempts": "4"})
    post(client, "/settings/site", {"site_url": "https://mirror.example",
                                    "site_cookies": "a=b", "site_doh": "google"})
    assert stored(app).parallel_downloads == 5
    assert 'name="site_doh" value="google"' in client.get("/settings/").get_data(as_text=True)
    with app.test_request_context():
        with make_site_client() as site:
            assert site.settings.base_url == "https://mirror.example"
            assert site.settings.cookies == "a=b"
            assert site.settings.doh == "google"


def test_cookies_are_never_echoed_and_can_be_forgotten(app: Flask, logged_in: AuthActions,
                                                       client: FlaskClient) -> None:
    post(client, "/settings/site", {"site_cookies": "cf_clearance=topsecret"})
    html = client.get("/settings/").get_data(as_text=True)
    assert "topsecret" not in html and "<strong>imported</strong>" in html
    post(client, "/settings/site", {"site_url": ""})
    assert stored(app).site_cookies == "cf_clearance=topsecret"
    post(client, "/settings/site", {"site_cookies_clear": "on"})
    assert stored(app).site_cookies is None


def test_blank_site_fields_fall_back_to_the_environment(app: Flask, logged_in: AuthActions,
                                                        client: FlaskClient) -> None:
    post(client, "/settings/site", {"site_url": "https://mirror.example"})
    post(client, "/settings/site", {"site_url": "", "site_transport": "", "site_proxy": ""})
    assert stored(app).site_url is None
    with app.test_request_context():
        with make_site_client() as site:
            assert site.settings.base_url == "http://127.0.0.1:9"


def test_naming_preview_uses_the_first_library_episode(app: Flask, logged_in: AuthActions,
                                                       client: FlaskClient,
                                                       app_env: dict[str, str]) -> None:
    series_id = add_series(app, title="Zeta: Show")
    with app.app_context():
        db.session.add(Episode(series_id=series_id, season=0, number=1, title_de="Film"))
        db.session.add(Episode(series_id=series_id, season=1, number=2, title_de="Zwei"))
        db.session.commit()
    response = post(client, "/settings/naming/preview",
                    {"naming_template": "{series}/S{season:02}E{episode:02} {title}.{ext}"},
                    htmx=True)
    assert response.status_code == 200
    library = app_env["ANIWORLD_LIBRARY_DIR"]
    assert f"<code>{library}/Zeta - Show/S01E02 Zwei.mp4</code>" in response.get_data(as_text=True)


def test_naming_preview_sample_and_error(logged_in: AuthActions, client: FlaskClient) -> None:
    sample = post(client, "/settings/naming/preview",
                  {"naming_template": "{series} {season}x{episode}.{ext}"}, htmx=True)
    assert "Frieren - Beyond Journey&#39;s End 1x1.mp4</code>" in sample.get_data(as_text=True)
    bad = post(client, "/settings/naming/preview", {"naming_template": "{series}/{nope}.{ext}"},
               htmx=True)
    assert bad.status_code == 200
    assert 'class="field-error">Preview: Unknown field(s) nope' in bad.get_data(as_text=True)
    same_name = post(client, "/settings/naming/preview", {"naming_template": "{series}.{ext}"},
                     htmx=True).get_data(as_text=True)
    assert "Preview: The naming template must contain {episode}, or every episode" in same_name
    assert "<code>" not in same_name


def test_api_key_shown_once_works_and_revoke_stops_it(app: Flask, logged_in: AuthActions,
                                                      client: FlaskClient) -> None:
    created = post(client, "/settings/api-keys", {"name": "phone"}, htmx=True)
    assert created.headers["Cache-Control"] == "no-store"
    match = re.search(r"<code>(aw_[\w-]+)</code>", created.get_data(as_text=True))
    assert match
    plain = match.group(1)
    page = client.get("/settings/").get_data(as_text=True)
    assert plain not in page and f"<code>{plain[:10]}…</code>" in page
    api = app.test_client()
    assert api.get("/api/v1/queue", headers={"X-API-Key": plain}).status_code == 200
    key_id = re.search(r'action="/settings/api-keys/(\d+)"', page).group(1)
    revoked = post(client, f"/settings/api-keys/{key_id}", {}, htmx=True, method="DELETE")
    assert revoked.status_code == 200 and "API key revoked." in revoked.get_data(as_text=True)
    assert api.get("/api/v1/queue", headers={"X-API-Key": plain}).status_code == 401


def test_revoking_a_key_on_the_page_ends_its_bridge_sessions(
        app: Flask, logged_in: AuthActions, client: FlaskClient) -> None:
    created = post(client, "/settings/api-keys", {"name": "sonarr"}, htmx=True)
    plain = re.search(r"<code>(aw_[\w-]+)</code>", created.get_data(as_text=True)).group(1)
    bridge = app.test_client()
    login = bridge.post("/api/v2/auth/login", data={"username": "aniworld", "password": plain})
    assert login.text == "Ok." and bridge.get("/api/v2/app/version").status_code == 200
    with app.app_context():
        assert get_redis().keys("aniworld:bridge-sid:*")
    page = client.get("/settings/").get_data(as_text=True)
    key_id = re.search(r'action="/settings/api-keys/(\d+)"', page).group(1)
    assert post(client, f"/settings/api-keys/{key_id}", {}, htmx=True,
                method="DELETE").status_code == 200
    with app.app_context():
        assert get_redis().keys("aniworld:bridge-*") == []
    assert bridge.get("/api/v2/app/version").status_code == 403


def test_api_key_plain_form_and_errors(logged_in: AuthActions, client: FlaskClient) -> None:
    created = post(client, "/settings/api-keys", {"name": "script"})
    assert created.status_code == 200 and "<code>aw_" in created.get_data(as_text=True)
    blank = post(client, "/settings/api-keys", {"name": "  "})
    assert blank.status_code == 422 and 'id="name-error"' in blank.get_data(as_text=True)
    page = client.get("/settings/").get_data(as_text=True)
    key_id = re.search(r'action="/settings/api-keys/(\d+)"', page).group(1)
    assert post(client, f"/settings/api-keys/{key_id}", {}).status_code == 302
    assert post(client, f"/settings/api-keys/{key_id}", {}).status_code == 404


def test_password_change_ends_other_sessions(app: Flask, logged_in: AuthActions,
                                             client: FlaskClient) -> None:
    other = AuthActions(app, app.test_client())
    other.login(remember=True)
    response = post(client, "/account/password", {
        "current": PASSWORD, "password": "a brand new secret",
        "confirm": "a brand new secret"}, htmx=True)
    assert response.status_code == 200
    assert "other sessions were logged out" in response.get_data(as_text=True)
    assert client.get("/settings/").status_code == 200
    assert other.client.get("/settings/").status_code == 302


@pytest.mark.parametrize(("data", "field"), [
    ({"current": "wrong password", "password": "new secret 1", "confirm": "new secret 1"},
     "current"),
    ({"current": PASSWORD, "password": "new secret 1", "confirm": "new secret 2"}, "confirm"),
    ({"current": PASSWORD, "password": "tiny7", "confirm": "tiny7"}, "password"),
])
def test_password_errors_beside_the_field(logged_in: AuthActions, client: FlaskClient,
                                          data: dict[str, str], field: str) -> None:
    response = post(client, "/account/password", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and 'id="settings-password"' in html
    assert data["password"] not in html


@pytest.mark.parametrize("url", ["/settings/library", "/settings/downloads", "/settings/site",
                                 "/settings/naming/preview", "/settings/api-keys",
                                 "/settings/api-keys/1", "/account/password"])
def test_csrf_token_required(app: Flask, logged_in: AuthActions, client: FlaskClient,
                             url: str) -> None:
    assert client.post(url, data={"parallel_downloads": "3"}).status_code == 400
    assert stored(app) == AppSettings()
