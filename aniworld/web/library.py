"""The library page: every series with how many episodes are on disk and still missing."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.services.episode_status import library_overview
from aniworld.services.settings import load_settings
from aniworld.web.htmx import render

bp = Blueprint("library", __name__, url_prefix="/library")


@bp.get("/")
def index() -> Response:
    """Cards of the library's series; ``?missing=1`` keeps those with episodes still missing."""
    missing_only = _flag("missing")
    config = current_app.extensions["aniworld.config"]
    overview = library_overview(db.session, config.library_dir, load_settings(db.session))
    shown = [(s, counts) for s, counts in overview if counts.missing or not missing_only]
    return render("library/index.html", "library/_series.html", series_counts=shown,
                  missing_only=missing_only, total=len(overview))


def _flag(field: str) -> bool:
    """An optional ``0``/``1`` query flag; raises ValidationError for anything else."""
    value = request.args.get(field, "0")
    if value not in ("0", "1"):
        raise ValidationError(f"{field} must be 0 or 1", field)
    return value == "1"
