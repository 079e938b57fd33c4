"""The home page: a dashboard of the queue, the library and what needs attention."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from aniworld.extensions import db
from aniworld.services.dashboard import library_summary, queue_summary, whats_new
from aniworld.services.settings import load_settings
from aniworld.web.service_status import service_status

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Queue, library and this week's new episodes at a glance, with links to act on them."""
    settings = load_settings(db.session)
    return render_template(
        "pages/index.html", queue=queue_summary(db.session),
        library=library_summary(db.session, settings),
        new_episodes=whats_new(db.session, settings), service=service_status())


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site icon at the address browsers ask for when a page names none (public)."""
    # The same SVG the pages link to: every current browser accepts an SVG here, and one
    # file means the two addresses never show different icons.
    return current_app.send_static_file("favicon.svg")
