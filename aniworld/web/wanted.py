"""The Wanted page: every missing or upgradable episode by series, with one-click downloads."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.languages import Language
from aniworld.models import Series
from aniworld.phrases import Phrase
from aniworld.services.episode_status import EpisodeKey
from aniworld.services.library.wanted import (
    QueuedWanted,
    WantedFilter,
    WantedKind,
    WantedPage,
    WantedSeries,
    WantedSort,
    queue_wanted,
    wanted,
    wanted_page,
)
from aniworld.services.settings import load_settings
from aniworld.web import parsing
from aniworld.web.context import queue_count
from aniworld.web.htmx import is_htmx, render, with_trigger
from aniworld.web.keys import series_named
from aniworld.web.resources import kick_dispatcher

bp = Blueprint("wanted", __name__, url_prefix="/wanted")

ROWS_SHOWN = 20  # rows per series on the list; "show all" opens the series alone
EPISODE_VALUE = re.compile(r"^(\d{1,5})-(\d{1,5})$")  # a row's button: "<season>-<episode>"


@bp.get("/")
def index() -> Response:
    """Wanted episodes by series; filters, order, page and ``series`` come from the query."""
    return render("wanted/index.html", "wanted/_list.html", **_list_context())


@bp.post("/download")
def download() -> BaseResponse:
    """Queue a row (``series`` and ``episode``), a series (``series``) or everything listed.

    The filters of the list the button was on come in the query, so "everything" means
    what the user saw. htmx gets the series' group back, its queued rows marked, or the
    whole list after "Download all".
    """
    wanted_filter = parsing.wanted_filter(request.args)
    key = request.form.get("series", "").strip()
    series = series_named(key, "series") if key else None
    episodes = _episodes(request.form.get("episode")) if series else None
    result = queue_wanted(db.session, load_settings(db.session), wanted_filter,
                          [series.id] if series else None, episodes)
    db.session.commit()
    if result.created:
        kick_dispatcher()
    message = _queued_message(result)
    if not is_htmx():
        flash(message)
        return redirect(url_for("wanted.index", **request.args), 303)
    extra = {"message": message, "oob_badge": True, "queue_count": queue_count()}
    if series is None:
        response = render("wanted/index.html", "wanted/_list.html", **_list_context(), **extra)
    else:
        response = render("wanted/index.html", "wanted/_downloaded.html",
                          group=_group_of(result, series), queued=result.queued.get(series.id),
                          args=_args(wanted_filter), here=request.args.to_dict(),
                          single=request.args.get("series"), rows_shown=ROWS_SHOWN, **extra)
    return with_trigger(response, "queueChanged")


def _list_context() -> dict[str, Any]:
    """The filters, the page of groups and what the templates need to link back."""
    wanted_filter = parsing.wanted_filter(request.args)
    key = request.args.get("series", "").strip()
    settings = load_settings(db.session)
    if key:
        # One series alone, every row shown (the list's "show all").
        one = series_named(key, "series")
        groups = wanted(db.session, settings, wanted_filter, [one.id])
        page = _single(groups)
    else:
        page = wanted_page(db.session, settings, wanted_filter, parsing.page_number(request.args))
    args = _args(wanted_filter)
    # ``args`` reproduce the filters; ``here`` this very list (the series alone, the page).
    here = {**args, "series": key} if key else {**args, "page": str(page.page)}
    return {"filter": wanted_filter, "listing": page, "single": key or None, "args": args,
            "here": here, "rows_shown": ROWS_SHOWN, "languages": list(Language)}


def _single(groups: list[WantedSeries]) -> WantedPage:
    missing = sum(e.kind is WantedKind.MISSING for g in groups for e in g.episodes)
    upgrades = sum(len(g.episodes) for g in groups) - missing
    return WantedPage(groups, 1, 1, len(groups), missing, upgrades)


def _args(wanted_filter: WantedFilter) -> dict[str, str]:
    """The query arguments that reproduce ``wanted_filter`` (defaults left out)."""
    args = {}
    if wanted_filter.kind is not WantedKind.ALL:
        args["kind"] = wanted_filter.kind.value
    if wanted_filter.language is not None:
        args["language"] = wanted_filter.language.value
    if wanted_filter.monitored:
        args["monitored"] = "1"
    if wanted_filter.sort is not WantedSort.AIR:
        args["sort"] = wanted_filter.sort.value
    return args


def _episodes(value: str | None) -> list[EpisodeKey] | None:
    """The row a button named (``<season>-<episode>``), or None for the whole series."""
    if value is None:
        return None
    match = EPISODE_VALUE.match(value)
    if match is None:
        raise ValidationError(Phrase("episode must be <season>-<episode>, e.g. 1-5"), "episode")
    return [(int(match.group(1)), int(match.group(2)))]


def _group_of(result: QueuedWanted, series: Series) -> WantedSeries:
    """The series' group as it was before queueing (empty when nothing was wanted)."""
    return next((group for group in result.groups if group.series_id == series.id),
                WantedSeries(series.id, series.public_key, series.title, series.site,
                             series.monitored))


def _queued_message(result: QueuedWanted) -> str:
    """Sentence for a download button: what was queued and what already was."""
    if not result.created and not result.skipped:
        return _("Nothing to queue: everything listed is on disk or already on its way.")
    if result.series > 1:
        text = ngettext("Queued %(num)d episode(s) across %(series)d series",
                        "Queued %(num)d episode(s) across %(series)d series", result.created,
                        series=result.series)
    else:
        text = ngettext("Queued %(num)d episode(s)", "Queued %(num)d episode(s)", result.created)
    return text + (_("; %(num)d already queued.", num=result.skipped) if result.skipped else ".")
