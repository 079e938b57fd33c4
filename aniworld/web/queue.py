"""The queue page: a structure partial and a progress fragment that poll cheaply, and actions.

Both polled answers are the same for every session (no CSRF token inside: htmx sends it from
the page's meta tag), so each is rendered once per version, language and time zone and then
served to every browser from a per-app cache.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, current_app, redirect, request, url_for
from flask_babel import get_timezone
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.extensions import db
from aniworld.models import ItemStatus, Priority
from aniworld.phrases import Phrase
from aniworld.services import queue as queue_service
from aniworld.services.queue import GroupItems, GroupPage, PendingGroup, PendingSummary
from aniworld.sites import SITES
from aniworld.web.htmx import POLL_STOP, is_htmx, render, with_trigger
from aniworld.web.i18n import localize, page_language
from aniworld.web.ids import MAX_ID
from aniworld.web.parsing import form_priority, whole_number
from aniworld.web.resources import end_item_site_hold, end_site_hold, kick_dispatcher

bp = Blueprint("queue", __name__, url_prefix="/queue")

# The first finished items of each kind on the page; "more" loads HISTORY_PAGE at a time.
HISTORY_SHOWN = 10
HISTORY_PAGE = 50
HISTORY_KINDS = (ItemStatus.COMPLETED.value, ItemStatus.FAILED.value, ItemStatus.CANCELLED.value)
# A waiting list this long or shorter is shown in full; a longer one as pages of groups.
GROUP_PAGE = 50
ITEM_PAGE = 50  # episodes per page of an opened group
# Errors a user can fix by looking at the fresh queue; shown inline instead of an error page.
INLINE_ERRORS = (ConflictError, NotFoundError, ValidationError)
Change = Callable[[Session], object]
_MISSING = object()


@dataclass(frozen=True)
class Pending:
    """The waiting list as the page shows it: in full (``open``) or a first page of groups."""

    summary: PendingSummary
    open: list[tuple[PendingGroup, GroupItems]] | None
    page: GroupPage | None


@bp.context_processor
def formatting() -> dict[str, Any]:
    """Helpers and page sizes the queue templates use."""
    return {"format_eta": format_eta, "priorities": list(Priority), "item_page": ITEM_PAGE,
            "group_page": GROUP_PAGE, "history_page": HISTORY_PAGE}


def format_eta(seconds: int | None) -> str:
    """Render a remaining time like ``1 h 05 min``, ``3 min 07 s`` or ``42 s``."""
    if seconds is None or seconds < 0:
        return "–"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def render_locale() -> tuple[str, str]:
    """Language and time zone the partials are rendered in: part of every shared render's key.

    A German and an English browser never share a render; nor do renders from before and
    after a change of the time zone in Settings (retry times are shown in it).
    """
    return page_language(), str(get_timezone())


def shared(name: str, key: Hashable, make: Callable[[], Any]) -> Any:
    """``make()``'s result for ``key``, made once and kept for every session (one entry).

    Per app, not per module: two apps in one process (tests) must never share results.
    Versions only move forward, so the newest entry is the only one worth keeping.
    """
    cache: dict[Hashable, Any] = current_app.extensions.setdefault(f"aniworld.queue.{name}", {})
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        # Threads of one worker may race here; the worst case is one render too many.
        value = make()
        cache.clear()
        cache[key] = value
    return value


def shared_render(name: str, key: Hashable, make: Callable[[], Response]) -> Response:
    """An htmx answer rendered once per ``key`` (language, time zone) for every session."""
    def render_now() -> tuple[bytes, int]:
        response = make()
        return response.get_data(), response.status_code

    body, status = shared(name, (key, *render_locale()), render_now)
    response = Response(body, status, content_type="text/html; charset=utf-8")
    response.vary.add("HX-Request")
    return response


def _pending() -> Pending:
    """The waiting list, read once per version of it (grouping takes the most time)."""
    def read() -> Pending:
        summary = queue_service.pending_summary(db.session)
        if summary.total <= GROUP_PAGE:
            return Pending(summary, queue_service.open_groups(db.session, GROUP_PAGE), None)
        return Pending(summary, None, queue_service.pending_groups(db.session, GROUP_PAGE))
    version = queue_service.waiting_version(db.session)
    return shared("pending", version, read)  # type: ignore[no-any-return]


def _context(error: str | None = None) -> dict[str, Any]:
    """Everything ``queue/_queue.html`` needs, read in one go."""
    version = queue_service.queue_version(db.session)
    pending = _pending()
    view = queue_service.list_queue(db.session, history_limit=HISTORY_SHOWN, pending_limit=0)
    history = {status.value: count
               for status, count in queue_service.history_counts(db.session).items()}
    ids = [item.id for item in view.active]
    progress = queue_service.active_progress(db.session, ids)
    return {"view": view, "version": version, "pending": pending, "history": history,
            "polling": bool(view.active) or pending.summary.total > pending.summary.paused,
            "error": error, "form_token": not is_htmx(), "progress_ids": _id_text(ids),
            "progress_version": queue_service.progress_version(progress)}


def _id_text(ids: list[int]) -> str:
    return ",".join(map(str, ids))


def _partial(status: int | None = None, error: str | None = None) -> Response:
    """The queue partial with the navigation badge out of band; 286 once idle."""
    context = _context(error)
    if status is None:
        status = 200 if context["polling"] else POLL_STOP
    return render("queue/index.html", "queue/_queue.html", status, oob_badge=True, **context)


def apply_change(change: Change, *, kick: bool = True) -> Response:
    """Run ``change``, commit, wake the dispatcher, and answer htmx or redirect (PRG)."""
    try:
        change(db.session)
    except INLINE_ERRORS as exc:
        if not is_htmx():
            raise
        db.session.rollback()
        return _partial(status=200, error=localize(exc))
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
        raise ValidationError(Phrase("%(field)s must be a queue item id", field=field), field)
    return int(raw)


def _unchanged() -> Response:
    """204: the poller keeps what it shows."""
    response = Response(status=204)
    response.vary.add("HX-Request")
    return response


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
        return _unchanged()
    return shared_render("partial", version, _partial)


@bp.get("/progress")
def progress() -> Response:
    """Progress poll of the running items ``ids``: 204 unchanged, 286 once none runs, else
    their figures out of band (one render per progress version for every browser)."""
    if not is_htmx():
        return redirect(url_for("queue.index"))  # type: ignore[return-value]
    ids = _ids(request.args.get("ids", ""))
    running = queue_service.active_progress(db.session, ids)
    if not running:
        # The structure poll brings the next poller along with the next running item.
        return Response(status=POLL_STOP)
    version = queue_service.progress_version(running)
    if request.args.get("p") == version:
        return _unchanged()
    shown = _id_text([item.id for item in running])
    return shared_render("progress", (shown, version), lambda: render(
        "queue/_progress.html", "queue/_progress.html", progress=running,
        progress_ids=shown, progress_version=version))


def _ids(raw: str) -> list[int]:
    """Item ids from a comma-separated list (at most 100; anything else is ignored)."""
    parts = [part for part in raw.split(",")[:100] if part.isdigit()]
    return [int(part) for part in parts if 1 <= int(part) <= MAX_ID]


@bp.get("/history/<kind>")
def history(kind: str) -> Response:
    """The next page of finished items of ``kind`` (completed, failed, cancelled) for htmx."""
    if kind not in HISTORY_KINDS:
        raise NotFoundError(f"there is no {kind!r} history; use one of: "
                            + ", ".join(HISTORY_KINDS))
    if not is_htmx():
        return redirect(url_for("queue.index"))  # type: ignore[return-value]
    offset = whole_number(request.args, "offset", 0)
    status = ItemStatus(kind)
    items = queue_service.finished_items(db.session, status, HISTORY_PAGE, offset)
    total = queue_service.history_counts(db.session)[status]
    return render("queue/_history.html", "queue/_history.html", kind=kind, items=items,
                  offset=offset, total=total, form_token=False)


@bp.route("/<int:item_id>", methods=["POST", "DELETE"])
def remove(item_id: int) -> Response:
    """Remove an item (a running one is cancelled); POST for browsers without JS."""
    return apply_change(lambda session: queue_service.remove_item(session, item_id))


@bp.post("/<int:item_id>/retry")
def retry(item_id: int) -> Response:
    """Put a failed or cancelled item back into the queue (ends its site's hold: the user acted)."""
    end_item_site_hold(item_id)
    return apply_change(lambda session: queue_service.retry_item(session, item_id))


@bp.post("/<int:item_id>/pause")
def pause_item(item_id: int) -> Response:
    """Hold one item; a running download stops and keeps its partial data."""
    return apply_change(lambda session: queue_service.pause_item(session, item_id))


@bp.post("/<int:item_id>/resume")
def resume_item(item_id: int) -> Response:
    """Let a paused item download again."""
    return apply_change(lambda session: queue_service.resume_item(session, item_id))


@bp.post("/<int:item_id>/cancel")
def cancel_item(item_id: int) -> Response:
    """Cancel one item and drop its partial data."""
    return apply_change(lambda session: queue_service.cancel_item(session, item_id))


@bp.post("/<int:item_id>/priority")
def set_priority(item_id: int) -> Response:
    """Move an item to the end of another priority group."""
    return apply_change(lambda session: queue_service.set_priority(
        session, item_id, form_priority()), kick=False)


@bp.post("/<int:item_id>/move")
def move(item_id: int) -> Response:
    """Place an item right before or after a neighbour (the Move up / down buttons)."""
    return apply_change(lambda session: queue_service.move_item(
        session, item_id, before=_form_id("before"), after=_form_id("after")), kick=False)


@bp.post("/retry-failed")
def retry_failed() -> Response:
    """Requeue every failed item (ends the sites' holds: the user acted)."""
    for site in SITES:
        end_site_hold(site)
    return apply_change(queue_service.retry_failed)


@bp.post("/clear-completed")
def clear_completed() -> Response:
    """Delete the completed history."""
    return apply_change(queue_service.clear_completed, kick=False)


@bp.post("/pause")
def pause() -> Response:
    """Pause the whole queue: running downloads finish, no new ones start."""
    return apply_change(queue_service.pause_queue, kick=False)


@bp.post("/resume")
def resume() -> Response:
    """Resume the whole queue."""
    return apply_change(queue_service.resume_queue)


from aniworld.web import queue_groups  # noqa: E402,F401  (registers the group routes on bp)
