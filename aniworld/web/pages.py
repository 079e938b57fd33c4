"""The home page: a dashboard of the queue, the library and what needs attention."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template

from aniworld.extensions import db
from aniworld.services.dashboard import library_summary, queue_summary
from aniworld.services.settings import load_settings
from aniworld.web.service_status import service_status

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Queue and library at a glance, with links to the pages that act on them."""
    return render_template(
        "pages/index.html", queue=queue_summary(db.session),
        library=library_summary(db.session, load_settings(db.session)),
        service=service_status())


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The site icon at the address browsers ask for when a page names none (public)."""
    # The same SVG the pages link to: every current browser accepts an SVG here, and one
    # file means the two addresses never show different icons.
    return current_app.send_static_file("favicon.svg")
