"""The search page: active search on the site, with an add button per result."""

from __future__ import annotations

from flask import Blueprint, Response, request
from sqlalchemy import select

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.models import Series
from aniworld.services.series import DEFAULT_SITE
from aniworld.site.errors import SiteError
from aniworld.site.types import SearchResult
from aniworld.web.htmx import render
from aniworld.web.resources import make_site_client

bp = Blueprint("search", __name__, url_prefix="/search")

MAX_QUERY_LENGTH = 100


@bp.get("/")
def index() -> Response:
    """Search page; ``?q=`` renders the results too, so reload and back work."""
    query = request.args.get("q", "").strip()
    results: list[SearchResult] = []
    error = None
    try:
        results = _search(query)
    except (SiteError, ValidationError) as exc:
        # Shown inline in the results area; the page itself is fine.
        error = exc.message
    return render("search/index.html", "search/_results.html", query=query, results=results,
                  error=error, in_library=_in_library(results))


def _search(query: str) -> list[SearchResult]:
    """Results for ``query`` from the site (none for an empty query); raises SiteError."""
    if not query:
        return []
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError(f"enter at most {MAX_QUERY_LENGTH} characters", "q")
    with make_site_client() as client:
        return client.search(query)


def _in_library(results: list[SearchResult]) -> set[str]:
    """Keys among ``results`` that are already in the library."""
    if not results:
        return set()
    keys = [result.key for result in results]
    return set(db.session.scalars(select(Series.key).where(
        Series.site == DEFAULT_SITE, Series.key.in_(keys))))
