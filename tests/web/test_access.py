"""Every route but the public few refuses anonymous callers; API keys open /api only."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing.converters import BaseConverter, NumberConverter

from aniworld.web.security import PUBLIC_ENDPOINTS, SELF_AUTHENTICATED_BLUEPRINTS
from tests.web.conftest import AuthActions, build_app

# Sonarr's indexer and download client refuse as their clients expect (a Newznab error 100,
# qBittorrent's 403 "Forbidden"): tests/web/test_bridge_torznab.py and _qbittorrent.py.
BRIDGE_BLUEPRINTS = frozenset({"torznab", "qbittorrent"})


def _dummy_value(converter: BaseConverter) -> object:
    return 1 if isinstance(converter, NumberConverter) else "x"


def _concrete_urls(app: Flask) -> list[tuple[str, str, str]]:
    """Every (endpoint, method, url) of the app, with dummy values for URL variables."""
    urls = []
    for rule in app.url_map.iter_rules():
        args = {name: _dummy_value(conv) for name, conv in rule._converters.items()}
        path = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((rule.endpoint, method, path))
    return urls


def test_url_map_walk_refuses_anonymous(app: Flask, auth: AuthActions,
                                        client: FlaskClient) -> None:
    auth.set_password()
    checked = 0
    for endpoint, method, path in _concrete_urls(app):
        if endpoint in PUBLIC_ENDPOINTS or endpoint.partition(".")[0] in BRIDGE_BLUEPRINTS:
            continue
        response = client.open(path, method=method)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.get_json()["error"]["code"] == "unauthorized"
        elif endpoint.partition(".")[0] in SELF_AUTHENTICATED_BLUEPRINTS:
            # Their clients cannot follow a login redirect: a plain refusal, no page.
            assert response.status_code == 401, (method, path)
        else:
            assert response.status_code == 302, (method, path)
            assert "/login" in response.headers["Location"], (method, path)
        checked += 1
    assert checked >= 12


def test_public_endpoints_are_exactly_the_allowed_ones() -> None:
    # pages.favicon: browsers fetch /favicon.ico on the login page too, before anyone logs in;
    # i18n.choose_language: the login and set-up pages offer the language switch.
    assert PUBLIC_ENDPOINTS == {"auth.login", "auth.setup", "static", "api.health",
                                "pages.favicon", "i18n.choose_language"}


@pytest.fixture
def api_app(app_env: dict[str, str]) -> Flask:
    return build_app({**app_env, "ANIWORLD_API_KEY": "k" * 32})


def test_provisioned_api_key_opens_the_api(api_app: Flask) -> None:
    api_app.test_cli_runner().invoke(args=["init"])
    client = api_app.test_client()
    assert client.get("/api/v1/queue", headers={"X-API-Key": "k" * 32}).status_code == 200
    wrong = client.get("/api/v1/queue", headers={"X-API-Key": "w" * 32})
    assert wrong.status_code == 401
    # POST with an API key needs no CSRF token.
    assert client.post("/api/v1/queue/pause", headers={"X-API-Key": "k" * 32}).status_code == 200


def test_api_key_does_not_open_browser_pages(api_app: Flask) -> None:
    runner = api_app.test_cli_runner()
    runner.invoke(args=["init"])
    AuthActions(api_app, api_app.test_client()).set_password()
    response = api_app.test_client().get("/", headers={"X-API-Key": "k" * 32})
    assert response.status_code == 302


def test_create_api_key_command_prints_a_working_key(app: Flask, auth: AuthActions) -> None:
    auth.set_password()
    result = app.test_cli_runner().invoke(args=["create-api-key", "--name", "script"])
    key = result.output.strip()
    assert key.startswith("aw_") and len(key) > 40
    response = app.test_client().get("/api/v1/queue", headers={"X-API-Key": key})
    assert response.status_code == 200


def test_health_is_public_and_reports_both_services(app: Flask, client: FlaskClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_is_503_when_redis_is_down(app_env: dict[str, str], tmp_path) -> None:
    app = build_app({**app_env, "REDIS_URL": f"unix://{tmp_path}/nobody-listens.sock"})
    response = app.test_client().get("/api/v1/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "degraded", "database": "ok",
                                   "redis": "unreachable"}


def test_login_page_still_works_when_redis_is_down(app_env: dict[str, str], tmp_path) -> None:
    app = build_app({**app_env, "REDIS_URL": f"unix://{tmp_path}/nobody-listens.sock"})
    auth = AuthActions(app, app.test_client())
    auth.set_password()
    assert auth.login().status_code == 302
