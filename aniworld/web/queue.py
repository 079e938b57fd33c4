"""The queue page: one htmx partial that polls cheaply while downloads run, plus its actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, redirect, request, session, url_for
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.extensions import db
from aniworld.models import DownloadItem, ItemStatus, Priority
from aniworld.services import queue as queue_service
from aniworld.sites import SITES
from aniworld.web.htmx import POLL_STOP, is_htmx, render, with_trigger
from aniworld.web.ids import MAX_ID
from aniworld.web.parsing import form_priority
from aniworld.web.resources import end_item_site_hold, end_site_hold, kick_dispatcher

bp = Blueprint("queue", __name__, url_prefix="/queue")

HISTORY_LIMIT = 50
# Errors a user can fix by looking at the fresh queue; shown inline instead of an error page.
INLINE_ERRORS = (ConflictError, NotFoundError, ValidationError)
Change = Callable[[Session], object]


@bp.context_processor
def formatting() -> dict[str, Any]:
    """Helpers the queue templates use to format figures."""
    return {"format_eta": format_eta}


def format_eta(seconds: int | None) -> str:
    """Render a remaining time like ``1 h 05 min``, ``3 min 07 s`` or ``42 s``."""
    if seconds is None or seconds < 0:
        return "–"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def _groups(pending: list[DownloadItem]) -> list[tuple[Priority, list[DownloadItem]]]:
    """Split the waiting items (already in queue order) by priority, high first."""
    return [(priority, [item for item in pending if item.priority == priority])
            for priority in Priority]


def _is_busy(view: queue_service.QueueView) -> bool:
    """Whether anything is downloading or waiting to download (paused items are not)."""
    return bool(view.active) or any(i.status is ItemStatus.PENDING for i in view.pending)


def _context(error: str | None = None) -> dict[str, Any]:
    """Everything ``queue/_queue.html`` needs, read in one go."""
    version = queue_service.queue_version(db.session)
    view = queue_service.list_queue(db.session, history_limit=HISTORY_LIMIT)
    return {"view": view, "version": version, "groups": _groups(view.pending),
            "polling": _is_busy(view), "error": error, "priorities": list(Priority),
            "history_limit": HISTORY_LIMIT}


def _partial(status: int | None = None, error: str | None = None) -> Response:
    """The queue partial with the navigation badge out of band; 286 once idle."""
    context = _context(error)
    if status is None:
        status = 200 if context["polling"] else POLL_STOP
    return render("queue/index.html", "queue/_queue.html", status, oob_badge=True, **context)


def _apply(change: Change, *, kick: bool = True) -> Response:
    """Run ``change``, commit, wake the dispatcher, and answer htmx or redirect (PRG)."""
    try:
        change(db.session)
    except INLINE_ERRORS as exc:
        if not is_htmx():
            raise
        db.session.rollback()
        return _partial(status=200, error=exc.message)
    db.session.commit()
    if kick:
        kick_dispatcher()
    if not is_htmx():
        return redirect(url_for("queue.index"))  # type: ignore[return-value]
    return with_trigger(_partial(status=200), "queueChanged")


def _form_id(field: str) -> int | None:
    """Optional positive item id from the form (or query, for DELETE)."""
    raw = request.values.get(field, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        raise ValidationError(f"{field} must be a queue item id", field)
    return int(raw)


@bp.get("/")
def index() -> Response:
    """The queue page (or its partial for htmx)."""
    context = _context()
    return render("queue/index.html", "queue/_queue.html", oob_badge=is_htmx(), **context)


@bp.get("/partial")
def partial() -> Response:
    """Poll target: 204 when version ``v`` is current, 286 when idle, else the partial."""
    if not is_htmx():
        return redirect(url_for("queue.index"))  # type: ignore[return-value]
    version = queue_service.queue_version(db.session)
    if request.args.get("v") == version:
        response = Response(status=204)
        response.vary.add("HX-Request")
        return response
    return _cached_partial(version)


def _cached_partial(version: str) -> Response:
    """The poll answer, rendered once per queue version and session (many tabs, one render)."""
    # Every tab of a session asks for the same version within a second while downloads
    # report progress; the HTML differs only by session (its CSRF token), so key on both.
    # Per app, not per module: two apps in one process (tests) must never share renders.
    cache: dict[tuple[str, object], tuple[bytes, int]] = current_app.extensions.setdefault(
        "aniworld.queue_poll_cache", {})
    key = (version, session.get("csrf_token"))
    cached = cache.get(key)
    if cached is None:
        response = _partial()
        cached = (response.get_data(), response.status_code)
        cache.clear()  # one entry per app is enough: versions only move forward
        cache[key] = cached
    response = Response(cached[0], cached[1], content_type="text/html; charset=utf-8")
    response.vary.add("HX-Request")
    return response


@bp.route("/<int:item_id>", methods=["POST", "DELETE"])
def remove(item_id: int) -> Response:
    """Remove an item (a running one is cancelled); POST for browsers without JS."""
    return _apply(lambda session: queue_service.remove_item(session, item_id))


@bp.post("/<int:item_id>/retry")
def retry(item_id: int) -> Response:
    """Put a failed or cancelled item back into the queue (ends its site's hold: the user acted)."""
    end_item_site_hold(item_id)
    return _apply(lambda session: queue_service.retry_item(session, item_id))


@bp.post("/<int:item_id>/pause")
def pause_item(item_id: int) -> Response:
    """Hold one item; a running download stops and keeps its partial data."""
    return _apply(lambda session: queue_service.pause_item(session, item_id))


@bp.post("/<int:item_id>/resume")
def resume_item(item_id: int) -> Response:
    """Let a paused item download again."""
    return _apply(lambda session: queue_service.resume_item(session, item_id))


@bp.post("/<int:item_id>/cancel")
def cancel_item(item_id: int) -> Response:
    """Cancel one item and drop its partial data."""
    return _apply(lambda session: queue_service.cancel_item(session, item_id))


@bp.post("/<int:item_id>/priority")
def set_priority(item_id: int) -> Response:
    """Move an item to the end of another priority group."""
    return _apply(lambda session: queue_service.set_priority(
        session, item_id, form_priority()), kick=False)


@bp.post("/<int:item_id>/move")
def move(item_id: int) -> Response:
    """Place an item right before or after a neighbour (the Move up / down buttons)."""
    return _apply(lambda session: queue_service.move_item(
        session, item_id, before=_form_id("before"), after=_form_id("after")), kick=False)


@bp.post("/retry-failed")
def retry_failed() -> Response:
    """Requeue every failed item (ends the sites' holds: the user acted)."""
    for site in SITES:
        end_site_hold(site)
    return _apply(queue_service.retry_failed)


@bp.post("/clear-completed")
def clear_completed() -> Response:
    """Delete the completed history."""
    return _apply(queue_service.clear_completed, kick=False)


@bp.post("/pause")
def pause() -> Response:
    """Pause the whole queue: running downloads finish, no new ones start."""
    return _apply(queue_service.pause_queue, kick=False)


@bp.post("/resume")
def resume() -> Response:
    """Resume the whole queue."""
    return _apply(queue_service.resume_queue)
