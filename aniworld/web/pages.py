"""Top-level pages. The full UI (library, search, queue, settings) arrives with the UI work."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Home page: what is running, plus the account controls."""
    return render_template("pages/index.html", password_error=None)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site icon at the address browsers ask for when a page names none (public)."""
    # The same SVG the pages link to: every current browser accepts an SVG here, and one
    # file means the two addresses never show different icons.
    return current_app.send_static_file("favicon.svg")
