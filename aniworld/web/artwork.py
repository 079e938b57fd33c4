"""Covers served from Aniworld's own origin, and the artwork/metadata settings section.

Pages never link the site's images: ``cover_url`` (a template global) points at
``/covers/<site>/<key>``, which answers from the local cover cache with validators and a
long private cache lifetime (the URL carries a digest of the cover's address, so a new
cover gets a new URL). A cover not cached yet is fetched by a worker (``fetch_cover`` on
the notify queue, which every worker serves first) — never inside the request — and
answered 204 meanwhile (no content, so no error in the browser's console);
``static/app.js`` shows a neutral box and asks again for about two minutes. A search result
is no library series: the search page notes its cover's address in Redis for a day, so the
same route finds it.
"""

from __future__ import annotations

import logging

import redis
from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from aniworld.covers import CoverStore, StoredCover, is_cover_key, source_digest
from aniworld.errors import NotFoundError, ValidationError
from aniworld.extensions import db
from aniworld.models import Series
from aniworld.phrases import Phrase
from aniworld.services.artwork import FAILED, WriteStatus, load_write_status, record_write
from aniworld.services.artwork import request_write as request_metadata_run
from aniworld.services.settings import save_settings
from aniworld.site.types import SearchResult
from aniworld.tasks import dispatch
from aniworld.web.htmx import POLL_STOP, render
from aniworld.web.keys import series_named
from aniworld.web.resources import get_redis, library_root
from aniworld.web.settings import integration, render_section, saved

logger = logging.getLogger(__name__)

bp = Blueprint("artwork", __name__, url_prefix="")

# The URL names the cover's version (?v=), so a browser may keep it for a week.
COVER_MAX_AGE = 7 * 24 * 3600
SEARCH_NOTE_SECONDS = 24 * 3600
PENDING_RETRY_SECONDS = 2


def _note_key(site: str, key: str) -> str:
    return f"aniworld:cover-source:{site}:{key}"


@bp.app_template_global()
def cover_url(site: str, key: str, source: str | None) -> str | None:
    """The local address of a series' cover (None when the site shows none)."""
    if not source or not is_cover_key(site, key):
        return None
    return url_for("artwork.cover", site=site, key=key, v=source_digest(source))


@bp.app_template_global()
def artwork_write_status() -> WriteStatus:
    """The last "write metadata now" run (for the settings section)."""
    return load_write_status(db.session)


def note_search_covers(results: list[SearchResult]) -> None:
    """Remember where the covers of search results come from, for the cover route."""
    pairs = [(r.site, r.key, r.cover) for r in results if r.cover and is_cover_key(r.site, r.key)]
    if not pairs:
        return
    try:
        with get_redis().pipeline(transaction=False) as pipe:
            for site, key, source in pairs:
                pipe.set(_note_key(site, key), source, ex=SEARCH_NOTE_SECONDS)
            pipe.execute()
    except redis.RedisError as exc:
        logger.warning("search covers not noted error=%s", exc)


@bp.get("/covers/<site>/<key>")
def cover(site: str, key: str) -> Response:
    """A cover from the cache (200/304); 204 while a worker fetches it."""
    if not is_cover_key(site, key):
        raise NotFoundError("no such cover")
    source = _source(site, key)
    store = CoverStore.in_library(library_root())
    exact = store.find(site, key, source) if source else None
    if exact is not None:
        return _send(exact, COVER_MAX_AGE)
    if source:
        _queue_fetch(site, key, source)
    older = store.find(site, key)
    # An older cover shows until the new one is there; the browser revalidates it each time.
    return _send(older, 0) if older is not None else _pending()


def _source(site: str, key: str) -> str | None:
    """The cover address of the library's series, else of a recent search result."""
    stored = db.session.scalar(select(Series.cover).where(Series.site == site,
                                                          Series.key == key))
    if stored:
        return stored
    try:
        noted = get_redis().get(_note_key(site, key))
    except redis.RedisError as exc:
        logger.warning("cover source not read error=%s", exc)
        return None
    return noted.decode() if isinstance(noted, bytes) else noted


def _queue_fetch(site: str, key: str, source: str) -> None:
    try:
        dispatch.enqueue_cover(get_redis(), site, key, source)
    except redis.RedisError as exc:
        logger.warning("cover fetch not queued site=%s key=%s error=%s", site, key, exc)


def _send(stored: StoredCover, max_age: int) -> Response:
    response = Response(stored.path.read_bytes(), mimetype=stored.mime_type)
    response.set_etag(stored.etag)
    response.last_modified = stored.modified
    response.cache_control.private = True
    if max_age:
        response.cache_control.max_age = max_age
    else:
        response.cache_control.no_cache = True
    return response.make_conditional(request)


def _pending() -> Response:
    response = Response(status=204)
    response.cache_control.no_store = True
    response.headers["Retry-After"] = str(PENDING_RETRY_SECONDS)
    return response


@bp.post("/settings/artwork")
def save() -> Response:
    """Store whether metadata files are written (a missing checkbox is off)."""
    save_settings(db.session, write_metadata=request.form.get("write_metadata") == "on")
    db.session.commit()
    return saved("artwork", _("Artwork settings saved."))


@bp.post("/settings/artwork/write")
def write_now() -> Response:
    """Write the metadata of the library, or of the series the form names, in the background."""
    if not integration("write_metadata"):
        return render_section("artwork", errors={
            "form": _("Writing metadata files is off: tick the box and save first.")})
    key = request.form.get("series", "").strip()
    try:
        series = series_named(key, "series", ValidationError) if key else None
    except ValidationError as exc:
        return render_section("artwork", errors={"series": exc})
    if load_write_status(db.session).active and _run_alive():
        return render_section("artwork", notice=_("A metadata run is already on its way."))
    request_metadata_run(db.session, series.public_key if series else None)
    db.session.commit()
    try:
        dispatch.enqueue_metadata(get_redis(), series.id if series else None)
    except redis.RedisError as exc:
        logger.warning("metadata run not queued error=%s", exc)
        record_write(db.session, FAILED, Phrase(
            "No worker could be reached (Redis is unreachable); try again once Aniworld's "
            "banner is gone."))
        db.session.commit()
    return render_section("artwork", notice=_("Writing metadata in the background…"))


def _run_alive() -> bool:
    try:
        return dispatch.job_alive(get_redis(), dispatch.METADATA_JOB_ID)
    except redis.RedisError:
        return True  # better a refused click than two runs


@bp.get("/settings/artwork/status")
def write_status() -> Response:
    """The run's status line; polled while it runs, 286 (stop polling) once it is done."""
    status = load_write_status(db.session)
    return render("settings/_artwork_status.html", "settings/_artwork_status.html",
                  200 if status.active else POLL_STOP, write=status)
