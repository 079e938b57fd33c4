"""The queue page's groups: opened and paged on demand, and their actions (routes on ``queue.bp``).

A group is a run of one series' waiting episodes, named by its last item's id
(``services.queue.groups``). Its actions answer like the item actions: the fresh queue
partial with ``HX-Trigger: queueChanged``, or a redirect for a browser without JS.
"""

from __future__ import annotations

from flask import Response, redirect, request, url_for

from aniworld.extensions import db
from aniworld.models import Priority
from aniworld.services import queue as queue_service
from aniworld.web.htmx import is_htmx, render
from aniworld.web.parsing import form_priority, parse_field, whole_number
from aniworld.web.queue import GROUP_PAGE, ITEM_PAGE, apply_change, bp


def _fragment(template: str, **context: object) -> Response:
    """An htmx fragment; a browser that asks for it directly gets the page."""
    if not is_htmx():
        return redirect(url_for("queue.index"))  # type: ignore[return-value]
    return render(template, template, form_token=False, **context)


@bp.get("/groups/")
def group_page() -> Response:
    """The next page of groups ("more" button), headed unless it goes on with ``after``."""
    offset = whole_number(request.args, "offset", 0)
    after = request.args.get("after")
    page = queue_service.pending_groups(db.session, GROUP_PAGE, offset)
    return _fragment("queue/_groups.html", groups_page=page,
                     after=parse_field("after", after, Priority.parse) if after else None)


@bp.get("/groups/<int:group_id>")
def group_panel(group_id: int) -> Response:
    """An opened group: its actions and first episodes, or the next ones from ``offset``."""
    offset = whole_number(request.args, "offset", 0)
    page = queue_service.group_items(db.session, group_id, ITEM_PAGE, offset)
    first = page.items[0] if page.items else None
    return _fragment("queue/_group.html", part=page,
                     priority=first.priority if first else None,
                     title=first.series_title if first else "")


@bp.post("/groups/<int:group_id>/move")
def move_group(group_id: int) -> Response:
    """Move a group to the top or bottom of its priority (form field ``to``)."""
    to = request.values.get("to", "")
    return apply_change(lambda session: queue_service.move_group(session, group_id, to),
                        kick=False)


@bp.post("/groups/<int:group_id>/priority")
def group_priority(group_id: int) -> Response:
    """Give a group another priority; it goes to the end of that priority, in its order."""
    return apply_change(lambda session: queue_service.set_group_priority(
        session, group_id, form_priority()), kick=False)


@bp.post("/groups/<int:group_id>/pause")
def pause_group(group_id: int) -> Response:
    """Hold every pending episode of a group."""
    return apply_change(lambda session: queue_service.pause_group(session, group_id))


@bp.post("/groups/<int:group_id>/resume")
def resume_group(group_id: int) -> Response:
    """Let a group's paused episodes download again."""
    return apply_change(lambda session: queue_service.resume_group(session, group_id))


@bp.route("/groups/<int:group_id>", methods=["POST", "DELETE"])
def remove_group(group_id: int) -> Response:
    """Remove every episode of a group; POST for browsers without JS."""
    return apply_change(lambda session: queue_service.remove_group(session, group_id))
