"""The Status page and ``GET /api/v1/status/hosters``: hoster health, breaker, site hold."""

from __future__ import annotations

import redis
from flask import Flask
from flask.testing import FlaskClient

from aniworld.config import Config
from aniworld.extensions import db
from aniworld.services import hoster_health
from aniworld.services.hoster_health import Breaker
from aniworld.site.limiter import SiteLimiter
from tests.web.conftest import AuthActions

HX = {"HX-Request": "true"}


def _outcomes(app: Flask, failures: int, speeds: tuple[int, ...] = ()) -> None:
    with app.app_context():
        for speed in speeds:
            hoster_health.record_success(db.session, "aniworld", "Vidmoly", speed)
        for _ in range(failures):
            hoster_health.record_failure(db.session, "aniworld", "VOE", "hoster_unavailable",
                                         "VOE is not answering properly right now (HTTP 503)",
                                         Breaker())
        db.session.commit()


def _hold(app_env: dict[str, str], redis_url: str) -> None:
    base_url = Config.from_env(app_env).site.base_url
    SiteLimiter(base_url, redis.Redis.from_url(redis_url)).hold(600, "site_challenge")


def test_page_lists_configured_hosters_and_is_in_the_navigation(
        client: FlaskClient, logged_in: AuthActions) -> None:
    html = client.get("/status/").get_data(as_text=True)
    assert 'href="/status/"' in client.get("/queue/").get_data(as_text=True)
    assert "<h1>Status</h1>" in html and "VOE" in html and "Vidmoly" in html
    assert "no downloads yet" in html and "Requests to the site run normally" in html
    assert html.index("VOE") < html.index("Vidoza") < html.index("Filemoon")  # settings' order
    assert "every 30s" not in html  # nothing runs out by itself: no polling


def test_page_shows_cooling_down_hoster_and_polls_while_it_lasts(
        app: Flask, client: FlaskClient, logged_in: AuthActions) -> None:
    _outcomes(app, failures=3, speeds=(2_000_000,))
    response = client.get("/status/", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html  # the section alone for htmx
    assert "HX-Request" in response.headers["Vary"]
    assert "cooling down" in html and "HTTP 503" in html and "every 30s" in html
    assert "100 %" in html and "1.9 MiB/s" in html  # Vidmoly: one fast success


def test_api_reports_state_rate_speed_and_cool_down(
        app: Flask, client: FlaskClient, logged_in: AuthActions) -> None:
    _outcomes(app, failures=3, speeds=(1_000, 3_000, 2_000))
    body = client.get("/api/v1/status/hosters").get_json()
    by_name = {(h["site"], h["hoster"]): h for h in body["hosters"]}
    voe, vidmoly = by_name[("aniworld", "VOE")], by_name[("aniworld", "Vidmoly")]
    assert voe["state"] == "cooling_down" and voe["cooldown_until"] is not None
    assert voe["success_rate"] == 0.0 and voe["consecutive_failures"] == 3
    assert voe["last_error_code"] == "hoster_unavailable" and "HTTP 503" in voe["last_error"]
    assert vidmoly["state"] == "ok" and vidmoly["success_rate"] == 1.0
    assert vidmoly["median_speed"] == 2_000 and vidmoly["last_success_at"] is not None
    assert by_name[("aniworld", "Filemoon")]["recent_attempts"] == 0
    assert body["site_hold"] is None


def test_site_hold_is_said_once_in_the_banner_page_and_api(
        app_env: dict[str, str], redis_url: str, client: FlaskClient,
        logged_in: AuthActions) -> None:
    _hold(app_env, redis_url)
    queue_page = client.get("/queue/").get_data(as_text=True)
    assert queue_page.count("AniWorld paused: the site asked for a browser check") == 1
    assert "S.to paused" not in queue_page
    assert "Paused: the site asked for a browser check" in client.get(
        "/status/").get_data(as_text=True)
    hold = client.get("/api/v1/status/hosters").get_json()["site_hold"]
    assert hold["reason"] == "site_challenge" and 500 < hold["seconds_left"] <= 600


def test_status_needs_a_login(client: FlaskClient, auth: AuthActions) -> None:
    auth.set_password()
    assert client.get("/api/v1/status/hosters").status_code == 401
    assert client.get("/status/").status_code in (302, 401)


def test_a_retry_ends_the_site_hold(app_env: dict[str, str], redis_url: str,
                                    client: FlaskClient, logged_in: AuthActions) -> None:
    _hold(app_env, redis_url)
    response = client.post("/queue/retry-failed",
                           headers={**HX, "X-CSRFToken": logged_in.csrf_token()})
    assert response.status_code == 200
    assert client.get("/api/v1/status/hosters").get_json()["site_hold"] is None


def test_saving_site_settings_ends_the_site_hold(app_env: dict[str, str], redis_url: str,
                                                 client: FlaskClient,
                                                 logged_in: AuthActions) -> None:
    _hold(app_env, redis_url)
    response = client.post("/settings/site", data={"site_cache_ttl": "60"},
                           headers={**HX, "X-CSRFToken": logged_in.csrf_token()})
    assert response.status_code == 200
    assert client.get("/api/v1/status/hosters").get_json()["site_hold"] is None
