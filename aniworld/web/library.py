"""The library page (series cards, scan, monitoring, download all missing) and the unmatched
folders."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.extensions import db
from aniworld.models import FolderState, LibraryFolder
from aniworld.phrases import Phrase
from aniworld.services.library import folders, monitoring, resolution, scan_state
from aniworld.services.library.overview import QueuedMissing, count_unmatched, library_report
from aniworld.services.search import search_sites
from aniworld.services.settings import load_settings
from aniworld.site.errors import SiteError
from aniworld.sites import SITES, SeriesRef, parse_series_key
from aniworld.web.context import queue_count
from aniworld.web.htmx import POLL_STOP, is_htmx, navigate, render, with_trigger
from aniworld.web.i18n import localize
from aniworld.web.keys import series_named
from aniworld.web.library_actions import (
    monitor_state,
    queue_all_missing,
    resolve_folder,
    start_monitor,
    start_scan,
)
from aniworld.web.resources import library_root, site_clients
from aniworld.web.search import failure_notice

bp = Blueprint("library", __name__, url_prefix="/library")

GONE_FOLDER = Phrase("no such library folder; it may have gone since the last scan")

MAX_QUERY_LENGTH = 100
# Mistakes a user can fix on the unmatched page; shown next to the folder, not as a page.
INLINE_ERRORS = (ConflictError, SiteError, ValidationError)


@bp.get("/")
def index() -> Response:
    """Cards of the library's series; ``?missing=1`` keeps those with episodes still missing."""
    return _cards(_flag(request.args, "missing"))


@bp.post("/scan")
def scan() -> BaseResponse:
    """Ask for a library scan; htmx gets the (now polling) status panel back."""
    start_scan()
    if not is_htmx():
        flash(_("Library scan requested; this page shows its progress."))
        return redirect(url_for("library.index"), 303)
    return render("library/index.html", "library/_scan.html", **_scan_context())


@bp.get("/scan-status")
def scan_status() -> BaseResponse:
    """Poll target: the status panel; 286 and ``libraryChanged`` once no scan is active."""
    if not is_htmx():
        return redirect(url_for("library.index"))
    context = _scan_context()
    return _poll("library/_scan.html", context["scan"].active, context)


@bp.post("/monitor")
def monitor() -> BaseResponse:
    """Check the monitored series now; htmx gets the (now polling) monitoring panel back."""
    _status, started = start_monitor()
    if not is_htmx():
        flash(_("Monitoring check requested; this page shows its result.") if started
              else _("A monitoring check is already on its way."))
        return redirect(url_for("library.index"), 303)
    return render("library/index.html", "library/_monitor.html", **_monitor_context())


@bp.get("/monitor-status")
def monitor_status() -> BaseResponse:
    """Poll target: the monitoring panel; 286 and ``libraryChanged`` once the round is over."""
    if not is_htmx():
        return redirect(url_for("library.index"))
    context = _monitor_context()
    return _poll("library/_monitor.html", context["monitor_active"], context)


def _poll(partial: str, active: bool, context: dict[str, Any]) -> Response:
    """A status panel's poll answer: the panel while its work is active, else the end.

    A panel polls only while its work is active, so an idle answer means "just finished":
    stop polling and let the cards reload with the result.
    """
    if active:
        return render("library/index.html", partial, **context)
    response = render("library/index.html", partial, POLL_STOP, **context)
    return with_trigger(response, "libraryChanged")


@bp.post("/download-missing")
def download_missing() -> BaseResponse:
    """Queue every missing episode of the library, or of the series ``series`` (a key)."""
    missing_only = _flag(request.form, "missing")
    key = request.form.get("series", "").strip()
    series_ids = [series_named(key, "series").id] if key else None
    message = _queued_message(queue_all_missing(series_ids))
    if not is_htmx():
        flash(message)
        return redirect(_index_url(missing_only), 303)
    response = _cards(missing_only, message=message, oob_badge=True, queue_count=queue_count())
    return with_trigger(response, "queueChanged")


@bp.context_processor
def helpers() -> dict[str, Any]:
    """Helpers the unmatched-folder templates use."""
    return {"candidates_of": folders.candidates_of}


@bp.get("/unmatched")
def unmatched() -> Response:
    """Folders the scan could not tie to a series, each with its candidates."""
    return render("library/unmatched.html", "library/_folders.html",
                  folders=folders.unmatched_folders(db.session), searched=None)


@bp.get("/unmatched/<int:folder_id>/search")
def search(folder_id: int) -> Response:
    """Search the site for a folder's series (``?q=``); htmx gets the candidates partial."""
    folder = _unmatched_folder(folder_id)
    query = request.args.get("q", "").strip()
    candidates: list[dict[str, object]] = []
    error = None
    try:
        candidates, error = _search(query)
    except (SiteError, ValidationError) as exc:
        error = localize(exc)  # shown under the folder's search box; the page itself is fine
    searched = {"folder_id": folder.id, "query": query, "candidates": candidates,
                "error": error}
    if is_htmx():
        return render("library/unmatched.html", "library/_candidates.html", folder=folder,
                      **searched)
    # Without JavaScript: the whole page, with this folder's list replaced by the results.
    return render("library/unmatched.html", "library/_folders.html",
                  folders=folders.unmatched_folders(db.session), searched=searched)


@bp.post("/unmatched/<int:folder_id>/resolve")
def resolve(folder_id: int) -> BaseResponse:
    """Tie the folder to the series ``key`` the user picked and write its marker."""
    try:
        _unmatched_folder(folder_id)  # NotFoundError is not inline: it is a 404
        folder, snapshot, warning = resolve_folder(folder_id, _chosen_key(), _unmatched_folder)
        name = folder.name
    except INLINE_ERRORS as exc:
        db.session.rollback()
        return _resolve_failed(folder_id, localize(exc))
    flash(_("Matched %(folder)s to %(series)s.", folder=name, series=snapshot.info.title))
    if warning:
        flash(_("Warning: %(warning)s", warning=localize(warning)))
    return navigate(url_for("library.unmatched"))


@bp.post("/unmatched/<int:folder_id>/ignore")
def ignore(folder_id: int) -> BaseResponse:
    """Leave the folder out of matching and of this list (its files stay untouched)."""
    folder = _unmatched_folder(folder_id)
    name = folder.name
    folders.ignore(db.session, folder)
    db.session.commit()
    message = _("Ignored %(folder)s; scans leave it alone from now on.", folder=name)
    if not is_htmx():
        flash(message)
        return redirect(url_for("library.unmatched"), 303)
    return render("library/unmatched.html", "library/_ignored.html", message=message)


def _cards(missing_only: bool, **extra: Any) -> Response:
    """The library page, or its cards section for htmx."""
    overview = library_report(db.session, load_settings(db.session))
    shown = [(r.series, r.counts) for r in overview if r.counts.missing or not missing_only]
    return render("library/index.html", "library/_series.html", series_counts=shown,
                  missing_only=missing_only, total=len(overview),
                  missing_total=sum(r.counts.missing for r in overview),
                  unmatched_count=count_unmatched(db.session),
                  refresh_url=_index_url(missing_only), **_scan_context(),
                  **_monitor_context(), **extra)


def _scan_context() -> dict[str, Any]:
    """The scan status and the library folder, for the status panel and the empty states."""
    root = library_root()
    return {"scan": scan_state.load_status(db.session), "library_dir": root,
            "library_missing": not root.is_dir()}


def _monitor_context() -> dict[str, Any]:
    """The monitoring status and how many series are monitored, for the monitoring panel."""
    status, active = monitor_state()
    return {"monitor": status, "monitor_active": active,
            "monitored_count": monitoring.monitored_count(db.session)}


def _index_url(missing_only: bool) -> str:
    return url_for("library.index", missing=1) if missing_only else url_for("library.index")


def _queued_message(result: QueuedMissing) -> str:
    """Sentence for "Download all missing": what was queued and what already was."""
    if not result.created and not result.skipped:
        return _("Nothing to queue: every episode is on disk or already on its way.")
    text = ngettext("Queued %(num)d episode(s) across %(series)d series",
                    "Queued %(num)d episode(s) across %(series)d series", result.created,
                    series=result.series)
    return text + (_("; %(num)d already queued.", num=result.skipped) if result.skipped else ".")


def _flag(values: Any, field: str) -> bool:
    """An optional ``0``/``1`` flag from ``values``; raises ValidationError for anything else."""
    value = values.get(field, "0")
    if value not in ("0", "1"):
        raise ValidationError(f"{field} must be 0 or 1", field)
    return value == "1"


def _unmatched_folder(folder_id: int) -> LibraryFolder:
    """The folder waiting for the user; raises NotFoundError or ConflictError."""
    folder = db.session.get(LibraryFolder, folder_id)
    if folder is None:
        raise NotFoundError(GONE_FOLDER)
    if folder.state != FolderState.UNMATCHED:
        raise ConflictError(Phrase("%(folder)s is %(state)s already; reload the page",
                                   folder=folder.name, state=str(folder.state)))
    return folder


def _chosen_key() -> SeriesRef:
    """The series picked in the resolve form (``<slug>`` or ``sto:<slug>``); ValidationError."""
    key = request.form.get("key", "").strip()
    if not key:
        raise ValidationError(Phrase("choose a series first"), "key")
    return parse_series_key(key)


def _search(query: str) -> tuple[list[dict[str, object]], str | None]:
    """Candidates for ``query`` from every site, and which sites failed (a sentence or None).

    Raises ValidationError for a bad query, the last SiteError when no site answered.
    """
    if not query:
        raise ValidationError(Phrase("type a title to search for"), "q")
    if len(query) > MAX_QUERY_LENGTH:
        raise ValidationError(Phrase("enter at most %(num)d characters", num=MAX_QUERY_LENGTH),
                              "q")
    found = search_sites(query, site_clients(SITES))
    # Each candidate says its site, so the pick names the series on the right one.
    candidates = [{"site": result.site, **candidate} for result, candidate
                  in zip(found.results, resolution.as_candidates(found.results), strict=False)]
    return candidates, failure_notice(found)


def _resolve_failed(folder_id: int, message: str) -> BaseResponse:
    """Show why resolving failed: next to the folder for htmx, as a notice otherwise."""
    if not is_htmx():
        flash(_("Could not match the folder: %(error)s", error=message))
        return redirect(url_for("library.unmatched"), 303)
    folder = db.session.get(LibraryFolder, folder_id)
    if folder is None:
        raise NotFoundError(GONE_FOLDER)
    return render("library/unmatched.html", "library/_candidates.html", folder=folder,
                  candidates=folders.candidates_of(folder), error=message, query="")
