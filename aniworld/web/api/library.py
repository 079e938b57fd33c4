"""Library endpoints: start and watch the scan and monitoring, list and queue missing
episodes, fix folders."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select

from aniworld.errors import NotFoundError, ValidationError
from aniworld.extensions import db
from aniworld.models import FolderState, LibraryFolder
from aniworld.services.library import folders as folder_service
from aniworld.services.library import monitoring, scan_state
from aniworld.services.library.overview import library_report
from aniworld.services.settings import load_settings
from aniworld.sites import parse_series_key
from aniworld.web import library_actions, parsing
from aniworld.web.api import bp
from aniworld.web.api.serializers import folder_to_dict, missing_to_dict
from aniworld.web.keys import MAX_KEY_LENGTH, series_named
from aniworld.web.library_actions import queue_all_missing, start_monitor, start_scan

# A generous bound: one request should not name more series than a large library holds.
MAX_SERIES_KEYS = 5000


@bp.get("/library/scan")
def scan_status() -> Response:
    """Where the latest library scan stands (idle, queued, running, finished or failed)."""
    return jsonify({"scan": scan_state.load_status(db.session).as_dict()})


@bp.post("/library/scan")
def request_scan() -> tuple[Response, int]:
    """Ask the library worker to scan; a scan already queued or running is not asked twice."""
    return jsonify({"scan": start_scan().as_dict()}), 202


@bp.get("/library/monitor")
def monitor_status() -> Response:
    """How the last monitoring round went, and whether one waits or runs now."""
    return jsonify({"monitor": monitoring.load_status(db.session).as_dict()})


@bp.post("/library/monitor")
def request_monitor() -> tuple[Response, int]:
    """Start a monitoring round now; while one waits or runs, answer with it (``started`` false)."""
    status, started = start_monitor()
    return jsonify({"monitor": status.as_dict(), "started": started}), 202


@bp.get("/library/missing")
def list_missing() -> Response:
    """Series with missing episodes (``?series=<key>`` for one); ``total`` counts episodes."""
    key = request.args.get("series")
    series_ids = [series_named(key, "series").id] if key is not None else None
    reports = [r for r in library_report(db.session, load_settings(db.session), series_ids)
               if r.missing]
    return jsonify({"series": [missing_to_dict(r) for r in reports],
                    "total": sum(len(r.missing) for r in reports)})


@bp.post("/library/missing/download")
def download_missing() -> tuple[Response, int]:
    """Queue every missing episode of the library or of ``series``; duplicates are skipped."""
    data = optional_body()
    series_ids = series_ids_of(data) if "series" in data else None
    result = queue_all_missing(series_ids, parsing.priority(data))
    return jsonify({"created": result.created, "skipped": result.skipped,
                    "series": result.series}), 201


def optional_body() -> dict[str, Any]:
    """The JSON object of the request; an empty body counts as ``{}`` (every field optional)."""
    if not request.get_data(cache=True):
        return {}
    return parsing.json_body()


def series_ids_of(data: dict[str, Any]) -> list[int]:
    """Ids of the library series named by ``data["series"]`` (a non-empty list of keys)."""
    keys = data["series"]
    if (not isinstance(keys, list) or not 1 <= len(keys) <= MAX_SERIES_KEYS
            or not all(isinstance(k, str) and k.strip() for k in keys)):
        raise ValidationError(
            f"series must be a list of 1 to {MAX_SERIES_KEYS} series keys "
            "(leave it out for the whole library)", "series")
    # Keep the order, drop repeats (``one-piece`` and ``aniworld:one-piece`` are one series).
    return list(dict.fromkeys(series_named(key, "series").id for key in keys))


@bp.get("/library/folders")
def list_folders() -> Response:
    """Library folders by name, optionally only one ``?state=`` (unmatched, matched, ignored)."""
    query = select(LibraryFolder).order_by(LibraryFolder.name)
    state = request.args.get("state")
    if state is not None:
        wanted = parsing.parse_field("state", state, _folder_state)
        query = query.where(LibraryFolder.state == wanted.value)
    return jsonify({"folders": [folder_to_dict(f) for f in db.session.scalars(query)]})


def _folder_state(value: str) -> FolderState:
    """Parse a folder state; the ValueError's text lists what is accepted."""
    try:
        return FolderState(value.strip().lower())
    except ValueError:
        choices = ", ".join(state.value for state in FolderState)
        raise ValueError(f"state must be one of {choices}") from None


def _folder(folder_id: int) -> LibraryFolder:
    folder = db.session.get(LibraryFolder, folder_id)
    if folder is None:
        raise NotFoundError(f"no library folder {folder_id}; scan the library again")
    return folder


@bp.post("/library/folders/<int:folder_id>/resolve")
def resolve_folder(folder_id: int) -> Response:
    """Tie a folder to the series ``key`` (``<slug>`` or ``sto:<slug>``) and write its marker.

    ``warning`` in the answer says why the marker could not be written (the link holds).
    """
    ref = parse_series_key(parsing.text(parsing.json_body(), "key", MAX_KEY_LENGTH))
    folder, _snapshot, warning = library_actions.resolve_folder(folder_id, ref, _folder)
    return jsonify({**folder_to_dict(folder), "warning": str(warning) if warning else None})


@bp.post("/library/folders/<int:folder_id>/ignore")
def ignore_folder(folder_id: int) -> Response:
    """Leave a folder out of matching and of the unmatched list."""
    folder = _folder(folder_id)
    folder_service.ignore(db.session, folder)
    db.session.commit()
    return jsonify(folder_to_dict(folder))
