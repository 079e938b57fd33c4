"""Who may do what: login state, API keys, first-run set-up, CSRF and security headers.

Authentication is enforced by one ``before_request`` guard rather than per-view decorators,
so a new route is private unless it is added to ``PUBLIC_ENDPOINTS``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, jsonify, redirect, request, url_for
from flask_login import UserMixin, current_user
from flask_wtf.csrf import CSRFError

from aniworld.database import BEGIN_MODE
from aniworld.extensions import csrf, db, login_manager
from aniworld.services import credentials
from aniworld.services.throttle import LoginThrottle
from aniworld.web.resources import get_redis

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

# Wrong API keys an address may send per minute before it is answered 429.
API_KEY_FAILURE_LIMIT = 10
# Anonymous callers may reach these (the favicon too: browsers ask for it on the login page;
# the language switch too: the login and set-up pages offer it).
PUBLIC_ENDPOINTS = frozenset({"auth.login", "auth.setup", "static", "api.health",
                              "pages.favicon", "i18n.choose_language"})
# Blueprints for clients that cannot log in like a browser or send X-API-Key (Sonarr's
# indexer and download client, Prometheus): their views authenticate every request
# themselves (apikey parameter, SID cookie, basic auth) and take no CSRF token.
SELF_AUTHENTICATED_BLUEPRINTS = frozenset({"torznab", "qbittorrent", "metrics"})
SETUP_ENDPOINTS = frozenset({"auth.setup", "static", "api.health"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class MasterUser(UserMixin):
    """The single owner of the instance; its id is the session record of this login."""

    def __init__(self, session_id: str) -> None:
        self.id = session_id


def init_app(app: Flask) -> None:
    """Install the user loader, the request guard and the response headers."""
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    app.before_request(guard_request)
    app.after_request(add_security_headers)


def load_user(user_id: str) -> MasterUser | None:
    """Accept a session or remember-me cookie only while its login has not ended."""
    if credentials.session_is_open(db.session, user_id):
        return MasterUser(user_id)
    return None


def is_api_request() -> bool:
    """Return whether the current request targets the JSON API."""
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, **extra: object) -> Response:
    """Build a JSON error response ``{"error": {"code", "message", ...}}``."""
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return response


def unauthorized() -> Response:
    """Refuse an unauthenticated request in the shape its client understands."""
    if is_api_request():
        return api_error(401, "unauthorized", "log in or send a valid X-API-Key header")
    if request.headers.get("HX-Request"):
        # A 302 would swap the login form into a partial; tell htmx to navigate instead, and
        # come back to the page the user was on rather than to the fragment it asked for.
        response = Response(status=401)
        response.headers["HX-Redirect"] = url_for("auth.login", next=_current_page())
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _current_page() -> str:
    """Path and query of the page an htmx request came from (its own, if not said)."""
    page = urlsplit(request.headers.get("HX-Current-URL", ""))
    if not page.path.startswith("/"):
        return request.full_path.rstrip("?")
    return f"{page.path}?{page.query}" if page.query else page.path


def setup_done() -> bool:
    """Return whether the master password exists (cached once true: it is never unset)."""
    from flask import current_app

    if current_app.extensions.get("aniworld.setup_done"):
        return True
    done = credentials.has_password(db.session)
    current_app.extensions["aniworld.setup_done"] = done
    return done


def _api_key_throttle() -> LoginThrottle:
    return LoginThrottle(get_redis(), limit=API_KEY_FAILURE_LIMIT, scope="api-key-failures")


def _api_key_throttled() -> Response | None:
    """A 429 for an ``X-API-Key`` request from an address that sent too many wrong keys."""
    if not request.headers.get("X-API-Key") or not is_api_request():
        return None
    retry_after = _api_key_throttle().retry_after(request.remote_addr or "unknown")
    if retry_after is None:
        return None
    response = api_error(429, "too_many_requests",
                         f"too many wrong API keys; try again in {retry_after} seconds")
    response.headers["Retry-After"] = str(retry_after)
    return response


def authenticate_api_key() -> bool:
    """Authenticate an ``X-API-Key`` request to ``/api``; returns whether it succeeded.

    A wrong key is logged and counted against the client address (see ``_api_key_throttled``).
    Keys are 256-bit random tokens, so only failures are counted: a valid key is never slowed.
    """
    plain = request.headers.get("X-API-Key", "")
    if not plain or not is_api_request():
        return False
    key = credentials.find_api_key(db.session, plain)
    if key is None:
        address = request.remote_addr or "unknown"
        _api_key_throttle().record_failure(address)
        logger.warning("api key rejected address=%s path=%s", address, request.path)
        return False
    db.session.commit()
    g.api_key_id = key.id
    return True


def guard_request() -> Response | None:
    """Run before every view: set-up redirect, authentication, then CSRF for cookie auth."""
    try:
        return _check_access(request.endpoint or "")
    finally:
        # SQLite transactions begin IMMEDIATE (write lock): end the look-up transaction now,
        # so a view that waits on the network never holds the lock workers need.
        db.session.rollback()
        if request.method in SAFE_METHODS:
            # Reads (page views, polls) never need the write lock at all.
            db.session.connection(execution_options={BEGIN_MODE: "DEFERRED"})


def _check_access(endpoint: str) -> Response | None:
    if request.blueprint in SELF_AUTHENTICATED_BLUEPRINTS:
        return None
    if endpoint in PUBLIC_ENDPOINTS and endpoint != "auth.login":
        return _csrf_for_cookie_auth()
    refused = _api_key_throttled()
    if refused is not None:
        return refused
    if authenticate_api_key():
        return None
    if not setup_done() and endpoint not in SETUP_ENDPOINTS:
        if is_api_request():
            return api_error(401, "setup_required", "finish set-up in the browser first")
        return redirect(url_for("auth.setup"))
    if endpoint != "auth.login" and not current_user.is_authenticated:
        return unauthorized()
    return _csrf_for_cookie_auth()


def _csrf_for_cookie_auth() -> Response | None:
    if request.method in SAFE_METHODS:
        return None
    try:
        csrf.protect()
    except CSRFError as exc:
        if is_api_request():
            return api_error(400, "csrf_failed", f"{exc.description}; send X-CSRFToken")
        raise
    return None


def add_security_headers(response: Response) -> Response:
    """Add the security headers every response carries."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    return response


class SecureCookiesOverHttps:
    """WSGI middleware marking every cookie ``Secure`` when the request came over HTTPS.

    Middleware rather than an ``after_request`` hook, because Flask writes the session
    cookie and Flask-Login the remember cookie after those hooks have run. It sits inside
    ProxyFix, so ``X-Forwarded-Proto`` counts only when ``ANIWORLD_TRUST_PROXY=1``.
    """

    def __init__(self, wsgi_app: WSGIApplication) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Rewrite ``Set-Cookie`` headers of HTTPS responses."""
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status: str, headers: list[tuple[str, str]],
                                  exc_info: Any = None) -> Any:
            headers = [_secure_cookie(name, value) for name, value in headers]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


def _secure_cookie(name: str, value: str) -> tuple[str, str]:
    if name.lower() == "set-cookie" and "; secure" not in value.lower():
        return name, f"{value}; Secure"
    return name, value
