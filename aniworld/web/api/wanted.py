"""Wanted endpoints: what the library misses or could upgrade, and queueing it."""

from __future__ import annotations

from flask import Response, jsonify, request

from aniworld.extensions import db
from aniworld.services.library.wanted import PER_PAGE, queue_wanted, wanted_page
from aniworld.services.settings import load_settings
from aniworld.web import parsing
from aniworld.web.api import bp
from aniworld.web.api.library import optional_body, series_ids_of
from aniworld.web.api.serializers import wanted_to_dict
from aniworld.web.resources import kick_dispatcher


@bp.get("/wanted")
def list_wanted() -> Response:
    """One page of series groups (``?kind=&language=&monitored=&sort=&page=``) and totals."""
    page = wanted_page(db.session, load_settings(db.session), parsing.wanted_filter(request.args),
                       parsing.page_number(request.args))
    return jsonify(wanted_to_dict(page, PER_PAGE))


@bp.post("/wanted/download")
def download_wanted() -> tuple[Response, int]:
    """Queue what the filters list (of ``series`` or every series); duplicates are skipped.

    Upgrades are queued in their target language to replace the file on disk.
    """
    data = optional_body()
    result = queue_wanted(db.session, load_settings(db.session), parsing.wanted_filter(data),
                          series_ids_of(data) if "series" in data else None)
    db.session.commit()
    if result.created:
        kick_dispatcher()
    return jsonify({"created": result.created, "skipped": result.skipped,
                    "series": result.series}), 201
