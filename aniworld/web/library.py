"""The library page: every series with how many episodes are on disk and still missing."""

from __future__ import annotations

from flask import Blueprint, Response, request

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.services.library.overview import library_report
from aniworld.services.settings import load_settings
from aniworld.web.htmx import render

bp = Blueprint("library", __name__, url_prefix="/library")


@bp.get("/")
def index() -> Response:
    """Cards of the library's series; ``?missing=1`` keeps those with episodes still missing."""
    missing_only = _flag("missing")
    overview = library_report(db.session, load_settings(db.session))
    shown = [(r.series, r.counts) for r in overview if r.counts.missing or not missing_only]
    return render("library/index.html", "library/_series.html", series_counts=shown,
                  missing_only=missing_only, total=len(overview))


def _flag(field: str) -> bool:
    """An optional ``0``/``1`` query flag; raises ValidationError for anything else."""
    value = request.args.get(field, "0")
    if value not in ("0", "1"):
        raise ValidationError(f"{field} must be 0 or 1", field)
    return value == "1"
