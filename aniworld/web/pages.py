"""Top-level pages. The full UI (library, search, queue, settings) arrives with the UI work."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Home page: what is running, plus the account controls."""
    return render_template("pages/index.html", password_error=None)
