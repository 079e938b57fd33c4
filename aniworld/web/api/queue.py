"""Queue endpoints: list, add (one or many), remove, retry, reprioritise, move, pause."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.models import Series
from aniworld.services import queue as queue_service
from aniworld.web import parsing
from aniworld.web.api import bp
from aniworld.web.api.serializers import bulk_to_dict, item_to_dict, queue_to_dict
from aniworld.web.ids import MAX_ID
from aniworld.web.keys import MAX_KEY_LENGTH, series_named
from aniworld.web.resources import end_item_site_hold, kick_dispatcher

MAX_BULK_EPISODES = 5000


def _series_from(data: dict[str, Any]) -> Series:
    """The series ``series_key`` names (``<slug>`` or ``sto:<slug>``); 422 if not in the library."""
    key = parsing.text(data, "series_key", MAX_KEY_LENGTH)
    return series_named(key, "series_key", ValidationError)


def _episode_list(data: dict[str, Any]) -> list[tuple[int, int]]:
    entries = data.get("episodes")
    if not isinstance(entries, list) or not 1 <= len(entries) <= MAX_BULK_EPISODES:
        raise ValidationError(
            f"episodes must be a list of 1 to {MAX_BULK_EPISODES} {{season, episode}} objects",
            "episodes",
        )
    parsed = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValidationError("each episode must be an object {season, episode}", "episodes")
        season = parsing.integer(entry, "season", 0)
        parsed.append((season, parsing.integer(entry, "episode", 1)))
    return parsed


@bp.get("/queue")
def list_queue() -> Response:
    """Return the queue grouped as active / pending / completed / failed / cancelled."""
    return jsonify(queue_to_dict(queue_service.list_queue(db.session)))


@bp.post("/queue")
def add_to_queue() -> tuple[Response, int]:
    """Queue one episode; 409 when it is already queued, 422 for invalid input.

    Without ``language`` the episode takes the best language it is offered in; an explicit
    one it is not offered in is 422 unless ``language_fallback`` is true.
    """
    data = parsing.json_body()
    series = _series_from(data)
    item = queue_service.add_item(
        db.session, series, parsing.integer(data, "season", 0),
        parsing.integer(data, "episode", 1), parsing.language(data),
        parsing.priority(data), force=parsing.flag(data, "force"),
        language_fallback=parsing.flag(data, "language_fallback"),
    )
    db.session.commit()
    kick_dispatcher()
    return jsonify(item_to_dict(item)), 201


@bp.post("/queue/bulk")
def add_many_to_queue() -> tuple[Response, int]:
    """Queue many episodes of one series in one transaction; duplicates are skipped.

    Without ``language`` each episode takes the best language it is offered in; episodes
    not offered in the language (or in any of the user's) are listed, not queued.
    """
    data = parsing.json_body()
    series = _series_from(data)
    result = queue_service.add_many(
        db.session, series, _episode_list(data), parsing.language(data),
        parsing.priority(data), language_fallback=parsing.flag(data, "language_fallback"),
    )
    db.session.commit()
    kick_dispatcher()
    return jsonify(bulk_to_dict(result)), 201


@bp.delete("/queue/<int:item_id>")
def remove_from_queue(item_id: int) -> tuple[str, int]:
    """Remove an item (a running one is cancelled)."""
    queue_service.remove_item(db.session, item_id)
    db.session.commit()
    kick_dispatcher()
    return "", 204


@bp.post("/queue/<int:item_id>/retry")
def retry(item_id: int) -> Response:
    """Put a failed or cancelled item back into the pending queue."""
    item = queue_service.retry_item(db.session, item_id)
    db.session.commit()
    end_item_site_hold(item_id)  # the user acted on the hold's message
    kick_dispatcher()
    return jsonify(item_to_dict(item))


@bp.post("/queue/<int:item_id>/pause")
def pause_item(item_id: int) -> Response:
    """Pause one item; a running download stops and keeps its partial data."""
    item = queue_service.pause_item(db.session, item_id)
    db.session.commit()
    kick_dispatcher()
    return jsonify(item_to_dict(item))


@bp.post("/queue/<int:item_id>/resume")
def resume_item(item_id: int) -> Response:
    """Resume a paused item from its partial data."""
    item = queue_service.resume_item(db.session, item_id)
    db.session.commit()
    kick_dispatcher()
    return jsonify(item_to_dict(item))


@bp.post("/queue/<int:item_id>/cancel")
def cancel_item(item_id: int) -> Response:
    """Cancel one item (a running download stops within 2 s) and delete its partial data."""
    item = queue_service.cancel_item(db.session, item_id)
    db.session.commit()
    kick_dispatcher()
    return jsonify(item_to_dict(item))


@bp.post("/queue/<int:item_id>/priority")
def set_priority(item_id: int) -> Response:
    """Change an item's priority; it moves to the end of its new group."""
    priority = parsing.required_priority(parsing.json_body())
    item = queue_service.set_priority(db.session, item_id, priority)
    db.session.commit()
    return jsonify(item_to_dict(item))


@bp.post("/queue/<int:item_id>/move")
def move(item_id: int) -> Response:
    """Move an item directly before or after another pending item."""
    data = parsing.json_body()
    before = parsing.integer(data, "before", 1, MAX_ID) if "before" in data else None
    after = parsing.integer(data, "after", 1, MAX_ID) if "after" in data else None
    item = queue_service.move_item(db.session, item_id, before=before, after=after)
    db.session.commit()
    return jsonify(item_to_dict(item))


@bp.post("/queue/pause")
def pause() -> Response:
    """Pause the whole queue: no new downloads start."""
    queue_service.pause_queue(db.session)
    db.session.commit()
    return jsonify({"paused": True})


@bp.post("/queue/resume")
def resume() -> Response:
    """Resume the whole queue."""
    queue_service.resume_queue(db.session)
    db.session.commit()
    kick_dispatcher()
    return jsonify({"paused": False})


@bp.post("/queue/clear-completed")
def clear_completed() -> Response:
    """Delete completed items; answers how many were removed."""
    cleared = queue_service.clear_completed(db.session)
    db.session.commit()
    return jsonify({"cleared_count": cleared})
