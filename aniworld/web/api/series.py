"""Site search and the library's series: add, list, show, refresh, remove."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.models import Series
from aniworld.services import catalog
from aniworld.services.library.folders import forget_series
from aniworld.services.library.monitoring import apply_refresh
from aniworld.services.series import get_series
from aniworld.services.settings import load_settings
from aniworld.web import parsing
from aniworld.web.api import bp
from aniworld.web.resources import kick_dispatcher, make_site_client

MAX_QUERY_LENGTH = 100


def series_summary(series: Series) -> dict[str, Any]:
    """Serialise the header of a library series."""
    return {
        "key": series.key, "site": series.site, "title": series.title, "year": series.year,
        "end_year": series.end_year, "cover": series.cover, "genres": series.genre_list,
        "description": series.description, "monitored": series.monitored,
        "folder": series.folder,
        "alternative_titles": series.alternative_titles,
        "refreshed_at": series.refreshed_at.isoformat() if series.refreshed_at else None,
    }


def series_detail(series: Series) -> dict[str, Any]:
    """Serialise a series with its seasons and episodes (season 0 = films)."""
    seasons: dict[int, list[dict[str, Any]]] = {}
    for episode in sorted(series.episodes, key=lambda e: (e.season, e.number)):
        seasons.setdefault(episode.season, []).append({
            "number": episode.number, "title_de": episode.title_de,
            "title_en": episode.title_en,
            "languages": sorted(language.value for language in episode.language_set),
        })
    body = series_summary(series)
    body["seasons"] = [{"season": n, "episodes": eps} for n, eps in sorted(seasons.items())]
    return body


@bp.get("/search")
def search() -> Response:
    """Search the site: ``?q=`` → ``[{"key", "title", "year", "cover", "url"}]``."""
    query = request.args.get("q", "").strip()
    if not 1 <= len(query) <= MAX_QUERY_LENGTH:
        raise ValidationError(f"q must be 1 to {MAX_QUERY_LENGTH} characters", "q")
    with make_site_client() as client:
        results = client.search(query)
    return jsonify([{"key": r.key, "title": r.title, "year": r.year, "cover": r.cover,
                     "url": r.url} for r in results])


@bp.post("/series")
def add_series() -> tuple[Response, int]:
    """Add a series to the library with all its seasons and episodes."""
    key = catalog.check_series_key(parsing.text(parsing.json_body(), "key"))
    # All network I/O happens before the write transaction opens.
    with make_site_client() as client:
        snapshot = catalog.fetch_series(client, key)
    series = catalog.add_series(db.session, snapshot)
    db.session.commit()
    return jsonify(series_detail(series)), 201


@bp.get("/series")
def list_series() -> Response:
    """List the library's series."""
    return jsonify([series_summary(s) for s in catalog.list_series(db.session)])


@bp.get("/series/<key>")
def show_series(key: str) -> Response:
    """Show one series with seasons and episodes."""
    return jsonify(series_detail(get_series(db.session, key)))


@bp.patch("/series/<key>")
def update_series(key: str) -> Response:
    """Change a series' settings; for now ``{"monitored": true|false}``."""
    data = parsing.json_body()
    series = get_series(db.session, key)
    if "monitored" not in data:
        raise ValidationError("monitored is required (true or false)", "monitored")
    series.monitored = parsing.flag(data, "monitored")
    db.session.commit()
    return jsonify(series_detail(series))


@bp.post("/series/<key>/refresh")
def refresh_series(key: str) -> Response:
    """Re-read a series from the site and update its episodes."""
    series_id = get_series(db.session, key).id
    # End the look-up transaction: the site fetch below must not hold SQLite's write lock.
    db.session.rollback()
    with make_site_client() as client:
        snapshot = catalog.fetch_series(client, key, fresh=True)
    _new, queued = apply_refresh(db.session, series_id, snapshot, load_settings(db.session))
    db.session.commit()
    if queued:
        kick_dispatcher()
    return jsonify(series_detail(get_series(db.session, key)))


@bp.delete("/series/<key>")
def remove_series(key: str) -> tuple[str, int]:
    """Remove a series and its queue items from the library (files stay on disk)."""
    series = get_series(db.session, key)
    forget_series(db.session, series)
    db.session.delete(series)
    db.session.commit()
    return "", 204
