"""First-run set-up, login, logout and password change."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.services import credentials
from aniworld.services.throttle import LoginThrottle
from aniworld.web import settings as settings_views
from aniworld.web.i18n import localize
from aniworld.web.resources import get_redis
from aniworld.web.security import MasterUser, setup_done

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


def _throttle() -> LoginThrottle:
    return LoginThrottle(get_redis())


def safe_next(target: str | None) -> str:
    """Only follow same-site relative redirects after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        if not urlsplit(target).netloc:
            return target
    return url_for("pages.index")


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> Response | str:
    """Claim a fresh instance: set-up token from the log plus the new master password."""
    if setup_done():
        return redirect(url_for("auth.login"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors = _claim_instance(request.form)
        if not errors:
            return redirect(url_for("pages.index"))
    return render_template("auth/setup.html", errors=errors), 422 if errors else 200


def _claim_instance(form: dict[str, str]) -> dict[str, str]:
    if not credentials.verify_setup_token(db.session, form.get("token", "")):
        return {"token": _("This is not the set-up token; copy it from the start-up log.")}
    if form.get("password", "") != form.get("confirm", ""):
        return {"confirm": _("The two passwords differ.")}
    try:
        credentials.set_password(db.session, form.get("password", ""))
    except ValidationError as exc:
        return {exc.field or "password": localize(exc)}
    session_id = credentials.open_session(db.session)
    db.session.commit()
    current_app.extensions["aniworld.setup_done"] = True
    login_user(MasterUser(session_id))
    logger.info("instance claimed address=%s", request.remote_addr)
    return {}


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    """Show the login form or check the master password (5 attempts a minute per address)."""
    address = request.remote_addr or "unknown"
    if request.method == "GET":
        return render_template("auth/login.html", error=None)
    # Count first, check after: parallel guesses cannot all slip in before the count rises.
    retry_after = _throttle().attempt(address)
    if retry_after:
        return _too_many_attempts(retry_after)
    if not credentials.verify_password(db.session, request.form.get("password", "")):
        logger.warning("login failed address=%s", address)
        return render_template("auth/login.html", error=_("Wrong password.")), 401
    _throttle().reset(address)
    session_id = credentials.open_session(db.session)
    db.session.commit()
    login_user(MasterUser(session_id), remember=request.form.get("remember") == "on")
    return redirect(safe_next(request.args.get("next")))


def _too_many_attempts(retry_after: int) -> Response:
    message = _("Too many failed logins. Try again in %(seconds)d seconds.", seconds=retry_after)
    response = current_app.make_response(
        (render_template("auth/login.html", error=message), 429)
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


@bp.post("/logout")
def logout() -> Response:
    """End this login: its session and remember-me cookies stop working, even copied ones."""
    if current_user.is_authenticated:
        credentials.close_session(db.session, current_user.get_id())
        db.session.commit()
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/account/password")
def change_password() -> Response:
    """Change the master password; every other session and remember cookie stops working."""
    epoch, errors = _new_password(request.form)
    if epoch is None:
        return settings_views.render_section("password", errors=errors)
    session_id = credentials.open_session(db.session)
    db.session.commit()
    login_user(MasterUser(session_id))
    return settings_views.saved("password", _("Password changed; other sessions were logged out."))


def _new_password(form: dict[str, str]) -> tuple[str | None, dict[str, str]]:
    """(new session epoch, {}) after storing the new password, else (None, field errors)."""
    if not credentials.verify_password(db.session, form.get("current", "")):
        return None, {"current": _("Current password is wrong.")}
    if form.get("password", "") != form.get("confirm", ""):
        return None, {"confirm": _("The two passwords differ.")}
    try:
        return credentials.set_password(db.session, form.get("password", "")), {}
    except ValidationError as exc:
        return None, {exc.field or "password": localize(exc)}
