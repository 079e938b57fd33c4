"""Tell the media server (Jellyfin, Emby, Plex) about new files, batched per series.

A finished download only records its file (:func:`on_event`, one INSERT); the scheduler's
tick calls :func:`flush`, which sends each due series' files in one request (rules in
``services/media_refresh.py``). No transaction stays open while the server is asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from aniworld.library.swap import relative_to_library
from aniworld.mediaserver import MediaServerClient, ServerSettings, make_client
from aniworld.mediaserver.errors import MediaServerError
from aniworld.models import DownloadItem, utcnow
from aniworld.services import media_refresh
from aniworld.services.media_refresh import Batch, Target
from aniworld.services.settings import effective_library_dir, load_settings
from aniworld.tasks.events import DownloadFinished, Event
from aniworld.tasks.runtime import Runtime

logger = logging.getLogger(__name__)

ClientFactory = Callable[[ServerSettings], MediaServerClient]


def on_event(runtime: Runtime, event: Event) -> None:
    """Record the file of a finished download in the library (not one already there)."""
    if not isinstance(event, DownloadFinished) or event.already_present:
        return
    with runtime.sessions() as session:
        settings = load_settings(session)
        if media_refresh.server_kind(runtime.config, settings) is None:
            return
        library = effective_library_dir(runtime.config, settings)
        relative = relative_to_library(library, Path(event.file_path))
        if relative is None or any(part.startswith(".") for part in relative.parts[:1]):
            return  # outside the library, or in its hidden work area
        row = session.execute(select(DownloadItem.series_id, DownloadItem.save_path)
                              .where(DownloadItem.id == event.item_id)).first()
        if row is None or row.save_path is not None:
            # A bridge grab is Sonarr's: it imports the file and tells the server.
            return
        series_id = row.series_id
        media_refresh.record(session, series_id, event.file_path)
        session.commit()
    logger.debug("media refresh recorded item=%s path=%s", event.item_id, event.file_path)


def flush(runtime: Runtime, now: datetime | None = None,
          client_factory: ClientFactory = make_client) -> int:
    """Send the refreshes that are due; returns how many series were announced."""
    now = now or utcnow()
    plan = _plan(runtime, now)
    if plan is None:
        return 0
    configured, batches = plan
    client = client_factory(configured.server)
    sent = 0
    for batch in batches:
        error = _announce(runtime, client, configured, batch, now)
        if error is None:
            sent += 1
        elif error.server_wide:
            break  # the next series would fail alike: wait for the back-off
    return sent


def _announce(runtime: Runtime, client: MediaServerClient, configured: Target, batch: Batch,
              now: datetime) -> MediaServerError | None:
    """Send one series' files and record the outcome; the error, if it failed."""
    try:
        _send(client, configured, batch)
    except MediaServerError as exc:
        logger.warning("media server refresh failed series=%s files=%s error=%s",
                       batch.series_id, len(batch.paths), exc.message)
        with runtime.sessions() as session:
            media_refresh.mark_failed(session, batch.series_id, exc, now)
            session.commit()
        return exc
    with runtime.sessions() as session:
        media_refresh.mark_sent(session, batch, now)
        session.commit()
    return None


def _plan(runtime: Runtime, now: datetime) -> tuple[Target, list[Batch]] | None:
    """The server and the due batches; None when nothing is to be sent now."""
    with runtime.sessions() as session:
        settings = load_settings(session)
        if (media_refresh.server_kind(runtime.config, settings) is None
                or media_refresh.load_status(session).backing_off(now)):
            return None
        batches = media_refresh.due(session, now)
        if not batches:
            return None
        try:
            configured = media_refresh.target(runtime.config, settings)
        except MediaServerError as exc:
            logger.warning("media server refresh not sent error=%s", exc.message)
            media_refresh.record_server_error(session, exc.phrase, now)
            session.commit()
            return None
    return (configured, batches) if configured else None


def _send(client: MediaServerClient, configured: Target, batch: Batch) -> None:
    changes = [change for change in map(configured.paths.change, batch.paths) if change]
    if len(changes) < len(batch.paths):
        # The library folder moved since the download: those files are not the server's.
        logger.warning("media refresh dropped files outside the library series=%s count=%s",
                       batch.series_id, len(batch.paths) - len(changes))
    if changes:
        client.refresh(changes)
        logger.info("media server refreshed server=%s series=%s files=%s",
                    configured.server.kind, batch.series_id, len(changes))
