"""The search page: active search on one or every site, with an add button per result."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_babel import gettext as _
from sqlalchemy import select

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.models import Series
from aniworld.phrases import Phrase
from aniworld.services.search import SiteSearch, search_sites
from aniworld.site.errors import SiteError
from aniworld.site.types import SearchResult
from aniworld.sites import ALL_SITES, SITE_LABELS, check_site, sites_for
from aniworld.web.artwork import note_search_covers
from aniworld.web.htmx import render
from aniworld.web.i18n import localize
from aniworld.web.resources import site_clients

bp = Blueprint("search", __name__, url_prefix="/search")

MAX_QUERY_LENGTH = 100


@bp.get("/")
def index() -> Response:
    """Search page; ``?q=`` renders the results too, so reload and back work.

    ``?site=`` picks aniworld, sto or all (the default).
    """
    query = request.args.get("q", "").strip()
    site = request.args.get("site", ALL_SITES).strip().lower()
    found, error = SiteSearch([]), None
    try:
        found = _search(query, site)
    except (SiteError, ValidationError) as exc:
        # Shown inline in the results area; the page itself is fine.
        error = localize(exc)
    note_search_covers(found.results)
    return render("search/index.html", "search/_results.html", query=query, site=site,
                  results=found.results, error=error, notice=failure_notice(found),
                  in_library=_in_library(found.results))


def _search(query: str, site: str) -> SiteSearch:
    """Results for ``query`` from the chosen sites (none for an empty query).

    Raises ValidationError for a bad query or site, the last SiteError when no site answered.
    """
    sites = sites_for(check_site(site, "site", allow_all=True))
    if not query:
        return SiteSearch([])
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError(Phrase("enter at most %(num)d characters", num=MAX_QUERY_LENGTH),
                              "q")
    return search_sites(query, site_clients(sites))


def failure_notice(found: SiteSearch) -> str | None:
    """A sentence per site whose search failed, in the page's language (the others' results
    are shown), or None."""
    if not found.failures:
        return None
    return " ".join(_("%(site)s could not be searched: %(error)s.",
                      site=SITE_LABELS.get(site, site), error=localize(exc))
                    for site, exc in found.failures.items())


def _in_library(results: list[SearchResult]) -> set[tuple[str, str]]:
    """(site, key) of the ``results`` that are already in the library."""
    if not results:
        return set()
    pairs = {(result.site, result.key) for result in results}
    # Keys first (indexed, portable), then the exact pairs: a slug may exist on both sites.
    rows = db.session.execute(select(Series.site, Series.key).where(
        Series.key.in_({key for _site, key in pairs})))
    return {(row.site, row.key) for row in rows} & pairs
