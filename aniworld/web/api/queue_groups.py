"""Queue groups: runs of one series' waiting episodes, listed and acted on as a whole.

A group is named by the id of its last item (``services.queue.groups``); each action is one
transaction and answers how many items it changed.
"""

from __future__ import annotations

from flask import Response, jsonify, request

from aniworld.extensions import db
from aniworld.services import queue as queue_service
from aniworld.web import parsing
from aniworld.web.api import bp
from aniworld.web.api.serializers import group_items_to_dict, group_page_to_dict
from aniworld.web.resources import kick_dispatcher

MAX_PAGE = 500


def _page() -> tuple[int, int]:
    """``limit`` (1–500, default 50) and ``offset`` query arguments."""
    return (parsing.whole_number(request.args, "limit", 50, 1, MAX_PAGE),
            parsing.whole_number(request.args, "offset", 0))


def _changed(group_id: int, count: int, *, kick: bool = False) -> Response:
    """Commit a group action (then wake the dispatcher) and answer what it changed."""
    db.session.commit()
    if kick:
        kick_dispatcher()
    return jsonify({"group": group_id, "items": count})


@bp.get("/queue/groups")
def list_groups() -> Response:
    """A page of groups in download order, with the totals."""
    limit, offset = _page()
    return jsonify(group_page_to_dict(queue_service.pending_groups(db.session, limit, offset)))


@bp.get("/queue/groups/<int:group_id>/items")
def group_items(group_id: int) -> Response:
    """A page of one group's items in download order."""
    limit, offset = _page()
    return jsonify(group_items_to_dict(
        queue_service.group_items(db.session, group_id, limit, offset)))


@bp.post("/queue/groups/<int:group_id>/move")
def move_group(group_id: int) -> Response:
    """Move a group to the ``to`` ("top" or "bottom") of its priority, keeping its order."""
    data = parsing.json_body()
    to = parsing.text(data, "to", 10)
    return _changed(group_id, queue_service.move_group(db.session, group_id, to))


@bp.post("/queue/groups/<int:group_id>/priority")
def group_priority(group_id: int) -> Response:
    """Give a group another ``priority``; it goes to the end of that priority in its order."""
    priority = parsing.required_priority(parsing.json_body())
    return _changed(group_id, queue_service.set_group_priority(db.session, group_id, priority))


@bp.post("/queue/groups/<int:group_id>/pause")
def pause_group(group_id: int) -> Response:
    """Pause every pending item of a group."""
    return _changed(group_id, queue_service.pause_group(db.session, group_id))


@bp.post("/queue/groups/<int:group_id>/resume")
def resume_group(group_id: int) -> Response:
    """Resume every paused item of a group."""
    return _changed(group_id, queue_service.resume_group(db.session, group_id), kick=True)


@bp.delete("/queue/groups/<int:group_id>")
def remove_group(group_id: int) -> Response:
    """Remove every item of a group."""
    return _changed(group_id, queue_service.remove_group(db.session, group_id), kick=True)
