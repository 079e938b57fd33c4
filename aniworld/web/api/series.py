"""Site search and the library's series: add, list, show, refresh, remove."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.models import Episode, Series
from aniworld.services import catalog
from aniworld.services.library.folders import forget_series
from aniworld.services.library.monitoring import apply_refresh
from aniworld.services.library.preferences import (
    PREFERENCE_FIELDS,
    apply_preferences,
    preferences,
    preferences_to_dict,
)
from aniworld.services.library.upgrades import queue_series_upgrades
from aniworld.services.search import search_sites
from aniworld.services.series import series_seasons
from aniworld.services.settings import load_settings
from aniworld.sites import ALL_SITES, check_site, parse_series_key, public_series_key, sites_for
from aniworld.web import parsing
from aniworld.web.api import bp
from aniworld.web.keys import MAX_KEY_LENGTH, series_at
from aniworld.web.resources import kick_dispatcher, make_site_client, site_clients

MAX_QUERY_LENGTH = 100
# Names the sites whose search failed when the others still answered (comma-separated).
FAILED_SITES_HEADER = "X-Search-Failed-Sites"


class BadParameter(ValidationError):
    """A query parameter naming something that does not exist (``?site=``): 400."""

    code = "bad_request"
    status = 400


def series_summary(series: Series) -> dict[str, Any]:
    """Serialise the header of a library series."""
    return {
        "key": series.public_key, "site": series.site, "title": series.title, "year": series.year,
        "end_year": series.end_year, "cover": series.cover, "genres": series.genre_list,
        "description": series.description, "monitored": series.monitored,
        "folder": series.folder,
        "alternative_titles": series.alternative_titles,
        "refreshed_at": series.refreshed_at.isoformat() if series.refreshed_at else None,
    }


def series_detail(series: Series) -> dict[str, Any]:
    """Serialise a series with every season it lists and their episodes (season 0 = films).

    An announced season (listed, nothing out yet) has ``"announced": true`` and usually no
    episodes.
    """
    body = series_summary(series)
    body["preferences"] = preferences_to_dict(preferences(series, load_settings(db.session)))
    body["seasons"] = [{"season": season.number, "announced": season.announced,
                        "episodes": [_episode(episode) for episode in season.episodes]}
                       for season in series_seasons(series)]
    return body


def _episode(episode: Episode) -> dict[str, Any]:
    return {"number": episode.number, "title_de": episode.title_de,
            "title_en": episode.title_en,
            "languages": sorted(language.value for language in episode.language_set)}


@bp.get("/search")
def search() -> tuple[Response, int, dict[str, str]]:
    """Search ``?site=`` (aniworld, sto or all, the default) for ``?q=``.

    Answers ``[{"key", "site", "title", "year", "cover", "url"}]`` with keys in public form;
    when some sites failed and others answered, their names are in ``X-Search-Failed-Sites``.
    """
    query = request.args.get("q", "").strip()
    if not 1 <= len(query) <= MAX_QUERY_LENGTH:
        raise ValidationError(f"q must be 1 to {MAX_QUERY_LENGTH} characters", "q")
    sites = sites_for(_site_choice(request.args.get("site", ALL_SITES)))
    found = search_sites(query, site_clients(sites))
    headers = {FAILED_SITES_HEADER: ",".join(found.failed_sites)} if found.failures else {}
    return jsonify([{"key": public_series_key(r.site, r.key), "site": r.site, "title": r.title,
                     "year": r.year, "cover": r.cover, "url": r.url}
                    for r in found.results]), 200, headers


def _site_choice(value: str) -> str:
    """The ``site`` parameter (aniworld, sto or all); raises BadParameter naming it."""
    try:
        return check_site(value, "site", allow_all=True)
    except ValidationError as exc:
        raise BadParameter(exc.message, "site") from None


@bp.post("/series")
def add_series() -> tuple[Response, int]:
    """Add a series (``key``: ``<slug>`` or ``sto:<slug>``) with all its seasons and episodes."""
    ref = parse_series_key(parsing.text(parsing.json_body(), "key", MAX_KEY_LENGTH))
    # All network I/O happens before the write transaction opens.
    with make_site_client(ref.site) as client:
        snapshot = catalog.fetch_series(client, ref.key)
    series = catalog.add_series(db.session, snapshot, ref.site)
    db.session.commit()
    return jsonify(series_detail(series)), 201


@bp.get("/series")
def list_series() -> Response:
    """List the library's series."""
    return jsonify([series_summary(s) for s in catalog.list_series(db.session)])


@bp.get("/series/<key>")
def show_series(key: str) -> Response:
    """Show one series with seasons and episodes."""
    return jsonify(series_detail(series_at(key)))


@bp.patch("/series/<key>")
def update_series(key: str) -> Response:
    """Change ``monitored`` and the preferences (``language_order``, ``upgrade_until``,
    ``monitor_scope``, ``monitor_films``); a monitored series then gets its upgrades queued.
    """
    data = parsing.json_body()
    series = series_at(key)
    unknown = sorted(set(data) - {"monitored", *PREFERENCE_FIELDS})
    if unknown or not data:
        raise ValidationError(f"send one or more of: monitored, {', '.join(PREFERENCE_FIELDS)}"
                              + (f" (unknown: {', '.join(unknown)})" if unknown else ""),
                              unknown[0] if unknown else "monitored")
    if "monitored" in data:
        series.monitored = parsing.flag(data, "monitored")
    apply_preferences(series, data)
    queued = queue_series_upgrades(db.session, series, load_settings(db.session))
    db.session.commit()
    if queued:
        kick_dispatcher()
    return jsonify(series_detail(series))


@bp.post("/series/<key>/refresh")
def refresh_series(key: str) -> Response:
    """Re-read a series from its site and update its episodes."""
    series = series_at(key)
    series_id, site, slug = series.id, series.site, series.key
    # End the look-up transaction: the site fetch below must not hold SQLite's write lock.
    db.session.rollback()
    with make_site_client(site) as client:
        snapshot = catalog.fetch_series(client, slug, fresh=True)
    _new, queued = apply_refresh(db.session, series_id, snapshot, load_settings(db.session))
    db.session.commit()
    if queued:
        kick_dispatcher()
    return jsonify(series_detail(series_at(key)))


@bp.delete("/series/<key>")
def remove_series(key: str) -> tuple[str, int]:
    """Remove a series and its queue items from the library (files stay on disk)."""
    series = series_at(key)
    forget_series(db.session, series)
    db.session.delete(series)
    db.session.commit()
    return "", 204
