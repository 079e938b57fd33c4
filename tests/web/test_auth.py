"""Set-up, login, logout, password change, throttle, cookies and CSRF."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from aniworld.extensions import db
from aniworld.services import credentials
from aniworld.services.settings_store import get_setting
from tests.web.conftest import PASSWORD, AuthActions, build_app, csrf_token_from


def _setup_token(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["init"])
    match = re.search(r"Set-up token: (\S+)", result.output)
    assert match, result.output
    return match.group(1)


def test_unclaimed_instance_redirects_every_page_to_setup(client: FlaskClient) -> None:
    for path in ("/", "/login", "/account/password"):
        response = client.get(path)
        assert response.status_code in (302, 405)
        if response.status_code == 302:
            assert response.headers["Location"].endswith("/setup")
    api = client.get("/api/v1/queue")
    assert api.status_code == 401
    assert api.get_json()["error"]["code"] == "setup_required"


def test_setup_needs_the_token_printed_at_start(app: Flask, client: FlaskClient) -> None:
    token = _setup_token(app)
    page = client.get("/setup")
    csrf = csrf_token_from(page)
    wrong = client.post("/setup", data={"token": "guess", "password": PASSWORD,
                                        "confirm": PASSWORD, "csrf_token": csrf})
    assert wrong.status_code == 422
    assert "set-up token" in wrong.get_data(as_text=True)
    right = client.post("/setup", data={"token": token, "password": PASSWORD,
                                        "confirm": PASSWORD, "csrf_token": csrf})
    assert right.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/setup").headers["Location"].endswith("/login")


def test_setup_rejects_short_password(app: Flask, client: FlaskClient) -> None:
    token = _setup_token(app)
    csrf = csrf_token_from(client.get("/setup"))
    response = client.post("/setup", data={"token": token, "password": "short",
                                           "confirm": "short", "csrf_token": csrf})
    assert response.status_code == 422
    assert "at least 8 characters" in response.get_data(as_text=True)


def test_master_password_from_environment_skips_setup(app_env: dict[str, str]) -> None:
    app = build_app({**app_env, "ANIWORLD_MASTER_PASSWORD": PASSWORD})
    result = app.test_cli_runner().invoke(args=["init"])
    assert "Set-up token" not in result.output
    auth = AuthActions(app, app.test_client())
    assert auth.login().status_code == 302


def test_login_wrong_and_right_password(logged_in: AuthActions, client: FlaskClient) -> None:
    logged_in.logout()
    assert client.get("/").status_code == 302
    wrong = logged_in.login("not the password")
    assert wrong.status_code == 401
    assert "Wrong password" in wrong.get_data(as_text=True)
    assert logged_in.login().status_code == 302
    assert client.get("/").status_code == 200


def test_password_is_stored_as_scrypt_hash(app: Flask, auth: AuthActions) -> None:
    auth.set_password()
    with app.app_context():
        stored = get_setting(db.session, credentials.PASSWORD_KEY)
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_login_redirects_only_to_local_next(logged_in: AuthActions, client: FlaskClient) -> None:
    logged_in.logout()
    token = logged_in.csrf_token()
    evil = client.post("/login?next=//evil.example/x", data={"password": PASSWORD,
                                                             "csrf_token": token})
    assert evil.headers["Location"] == "/"


def test_remember_me_sets_a_lax_httponly_cookie(auth: AuthActions, client: FlaskClient) -> None:
    auth.set_password()
    response = auth.login(remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("aniworld_remember=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]
    session_cookie = [c for c in cookies if c.startswith("aniworld_session=")][0]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie


def test_cookies_are_secure_over_https(auth: AuthActions, client: FlaskClient) -> None:
    auth.set_password()
    response = client.get("/login", base_url="https://localhost")
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_forwarded_proto_needs_trust_proxy(app_env: dict[str, str]) -> None:
    for trust, expect_secure in (("0", False), ("1", True)):
        app = build_app({**app_env, "ANIWORLD_TRUST_PROXY": trust})
        response = app.test_client().get("/setup", headers={"X-Forwarded-Proto": "https"})
        cookies = response.headers.getlist("Set-Cookie")
        assert cookies and all(("Secure" in c) is expect_secure for c in cookies)


def test_password_change_logs_out_other_sessions(app: Flask, logged_in: AuthActions) -> None:
    other = AuthActions(app, app.test_client())
    other.login(remember=True)
    assert other.client.get("/").status_code == 200
    token = csrf_token_from(logged_in.client.get("/"))
    response = logged_in.client.post("/account/password", data={
        "current": PASSWORD, "password": "a brand new secret", "confirm": "a brand new secret",
        "csrf_token": token})
    assert response.status_code == 302
    assert logged_in.client.get("/").status_code == 200
    assert other.client.get("/").status_code == 302


def test_failed_logins_are_throttled_across_processes(app: Flask, app_env: dict[str, str],
                                                      auth: AuthActions) -> None:
    auth.set_password()
    for _ in range(5):
        assert auth.login("wrong password").status_code == 401
    # A second app object stands in for another gunicorn worker: the count lives in Redis.
    other_app = build_app(app_env)
    other = AuthActions(other_app, other_app.test_client())
    blocked = other.login()
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "Too many failed logins" in blocked.get_data(as_text=True)


def test_csrf_token_required_for_cookie_requests(logged_in: AuthActions,
                                                 client: FlaskClient) -> None:
    assert client.post("/logout").status_code == 400
    api = client.post("/api/v1/queue/pause")
    assert api.status_code == 400
    assert api.get_json()["error"]["code"] == "csrf_failed"
    token = logged_in.csrf_token()
    assert client.post("/api/v1/queue/pause", headers={"X-CSRFToken": token}).status_code == 200


def test_csrf_required_on_login_form(auth: AuthActions, client: FlaskClient) -> None:
    auth.set_password()
    assert client.post("/login", data={"password": PASSWORD}).status_code == 400


def test_htmx_request_without_session_gets_401_and_hx_redirect(
        auth: AuthActions, client: FlaskClient) -> None:
    auth.set_password()
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_htmx_401_returns_to_the_page_not_to_the_polled_fragment(
        auth: AuthActions, client: FlaskClient) -> None:
    auth.set_password()
    response = client.get("/queue/partial?v=3", headers={
        "HX-Request": "true", "HX-Current-URL": "http://127.0.0.1:5000/queue/?tab=1"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login?next=/queue/?tab%3D1"


def test_security_headers_on_every_page(auth: AuthActions, client: FlaskClient) -> None:
    auth.set_password()
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def _replay(app: Flask, name: str, value: str) -> FlaskClient:
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def test_cookies_copied_before_logout_stop_working(app: Flask, auth: AuthActions,
                                                   client: FlaskClient) -> None:
    auth.set_password()
    auth.login(remember=True)
    copied = {name: client.get_cookie(name).value  # type: ignore[union-attr]
              for name in ("aniworld_session", "aniworld_remember")}
    for name, value in copied.items():
        assert _replay(app, name, value).get("/").status_code == 200, name
    auth.logout()
    for name, value in copied.items():
        thief = _replay(app, name, value)
        assert thief.get("/").status_code == 302, name
        assert thief.get("/api/v1/queue").status_code == 401, name


def test_logout_ends_only_this_login(app: Flask, logged_in: AuthActions) -> None:
    other = AuthActions(app, app.test_client())
    other.login()
    other.logout()
    assert other.client.get("/").status_code == 302
    assert logged_in.client.get("/").status_code == 200
