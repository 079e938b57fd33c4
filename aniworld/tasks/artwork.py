"""Covers and metadata files, in the background.

- A finished download (``DownloadFinished``, an already present file and an upgrade too)
  gets ``tvshow.nfo``, ``poster.<ext>`` in its series folder and an ``.nfo`` beside the file
  when the ``write_metadata`` setting is on; after an upgrade the NFO of a replaced copy
  follows the new file (library/metadata.py ``follow_replaced``) whatever the setting. The
  subscriber never asks the site (it must not delay the download slot): a cover not cached
  yet is queued and its job writes the poster.
- :func:`fetch_cover` (an RQ job the cover route and the subscriber enqueue when a cover is
  not cached yet) reads a cover through the series' own site client — its limiter, mirrors,
  transport and address checks — and keeps it in the cover cache; the poster of each of the
  series' library folders follows.
- :func:`write_library` (the Settings page's "Write now") writes the metadata of every
  series folder of the library, or of one series, and records what it did.
"""

from __future__ import annotations

import logging
from pathlib import Path

from redis import RedisError

from aniworld.covers import CoverRejected, CoverStore, StoredCover
from aniworld.errors import AniworldError, ValidationError
from aniworld.library.metadata import (
    MetadataReport,
    follow_replaced,
    series_folder,
    write_episode,
    write_show,
)
from aniworld.library.nfo import episode_nfo, tvshow_nfo
from aniworld.phrases import Phrase
from aniworld.services import artwork
from aniworld.services.artwork import FAILED, FINISHED, RUNNING, SeriesArt, SeriesFiles
from aniworld.services.settings import (
    AppSettings,
    effective_library_dir,
    integration_value,
    load_settings,
)
from aniworld.site import SiteError
from aniworld.tasks import dispatch
from aniworld.tasks.events import DownloadFinished, Event
from aniworld.tasks.runtime import Runtime
from aniworld.tasks.site_clients import open_client

logger = logging.getLogger(__name__)


def on_event(runtime: Runtime, event: Event) -> None:
    """Write the metadata of a finished download."""
    if isinstance(event, DownloadFinished):
        write_item(runtime, event.item_id, Path(event.file_path))


def write_item(runtime: Runtime, item_id: int, video: Path) -> MetadataReport | None:
    """Metadata of one finished item's file; None when nothing was written."""
    with runtime.sessions() as session:
        settings = load_settings(session)
        art = artwork.item_art(session, item_id)
    library = effective_library_dir(runtime.config, settings)
    # Only inside a series folder of the library: a bridge grab in a category folder is
    # Sonarr's to name and describe, and a file directly in the library has no show folder.
    folder = series_folder(library, video)
    if art is None or folder is None:
        return None
    if art.replaces:
        follow_replaced(folder, [library / path for path in art.replaces], video)
    if not integration_value(runtime.config, settings, "write_metadata"):
        return None
    report = write_show(folder, tvshow_nfo(art.series.show),
                        _cached_poster(runtime, settings, art.series))
    report.merge(write_episode(folder, video, episode_nfo(art.episode)))
    logger.info("metadata written item=%s folder=%s written=%d kept=%d", item_id, folder,
                report.written, len(report.kept))
    return report


def cover_store(runtime: Runtime, settings: AppSettings) -> CoverStore:
    """The installation's cover cache, in the library every host shares."""
    return CoverStore.in_library(effective_library_dir(runtime.config, settings))


def fetch_cover(runtime: Runtime, site: str, key: str, source: str) -> StoredCover:
    """Keep the cover at ``source`` of (site, key), fetched unless cached; a poster follows.

    Raises SiteError, ValidationError (not the site's address) or CoverRejected.
    """
    with runtime.sessions() as session:
        settings = load_settings(session)
        found = artwork.series_by_key(session, site, key)
    stored = _cover(runtime, settings, site, key, source)
    if found is not None and found[0].cover == source \
            and integration_value(runtime.config, settings, "write_metadata"):
        series, folders = found
        library = effective_library_dir(runtime.config, settings)
        for name in _existing_folders(library, folders):
            write_show(library / name, tvshow_nfo(series.show), _as_poster(stored))
    return stored


def _cover(runtime: Runtime, settings: AppSettings, site: str, key: str,
           source: str) -> StoredCover:
    store = cover_store(runtime, settings)
    found = store.find(site, key, source)
    if found is not None:
        return found
    with open_client(runtime, settings, site) as client:
        image = client.image(source, key)
    return store.save(site, key, source, image.data)


def _cached_poster(runtime: Runtime, settings: AppSettings,
                   series: SeriesArt) -> tuple[bytes, str] | None:
    """The cached cover as (bytes, extension); a missing one is queued (its job writes the
    poster), an older one serves meanwhile."""
    if not series.cover:
        return None
    store = cover_store(runtime, settings)
    stored = store.find(series.site, series.key, series.cover)
    if stored is None:
        try:
            dispatch.enqueue_cover(runtime.redis, series.site, series.key, series.cover)
        except RedisError as exc:
            logger.warning("cover fetch not queued site=%s key=%s error=%s", series.site,
                           series.key, exc)
        stored = store.find(series.site, series.key)
    return _as_poster(stored)


def _poster(runtime: Runtime, settings: AppSettings,
            series: SeriesArt) -> tuple[bytes, str] | None:
    """The series' cover as (bytes, extension), fetched now if needed; None without one."""
    if not series.cover:
        return None
    try:
        stored: StoredCover | None = _cover(runtime, settings, series.site, series.key,
                                            series.cover)
    except (SiteError, ValidationError, CoverRejected) as exc:
        # The poster comes with the next run or cover fetch; an older cover is better than none.
        logger.warning("cover not fetched site=%s key=%s error=%s", series.site, series.key,
                       exc)
        stored = cover_store(runtime, settings).find(series.site, series.key)
    return _as_poster(stored)


def _as_poster(stored: StoredCover | None) -> tuple[bytes, str] | None:
    return (stored.path.read_bytes(), stored.extension) if stored is not None else None


def write_library(runtime: Runtime, series_id: int | None = None) -> str:
    """Write the metadata of the library's series folders (or of one series); the message.

    The run's state and message go to the status the Settings page shows.
    """
    _record(runtime, RUNNING, Phrase("Writing metadata…"))
    try:
        with runtime.sessions() as session:
            settings = load_settings(session)
            targets = artwork.library_files(session, series_id)
        library = effective_library_dir(runtime.config, settings)
        report, posters = MetadataReport(), 0
        for target in targets:
            written, poster = _write_series(runtime, settings, library, target)
            report.merge(written)
            posters += poster
    except Exception as exc:
        reason = exc.phrase if isinstance(exc, AniworldError) else str(exc)
        _record(runtime, FAILED, Phrase("Writing metadata failed: %(error)s", error=reason))
        raise
    message = _summary(report, len(targets), posters)
    _record(runtime, FINISHED, message)
    return str(message)


def _write_series(runtime: Runtime, settings: AppSettings, library: Path,
                  target: SeriesFiles) -> tuple[MetadataReport, int]:
    """One series' folders and files; the report and whether a poster was written."""
    report = MetadataReport()
    files = {library / path: nfo for path, nfo in target.files}
    folders = {library / name for name in _existing_folders(library, target.folders)}
    folders |= {folder for video in files if video.is_file()
                if (folder := series_folder(library, video)) is not None}
    poster = _poster(runtime, settings, target.series) if folders else None
    for folder in sorted(folders):
        report.merge(write_show(folder, tvshow_nfo(target.series.show), poster))
    for video, nfo in sorted(files.items()):
        folder = series_folder(library, video)
        if folder is not None and video.is_file():
            report.merge(write_episode(folder, video, episode_nfo(nfo)))
    return report, int(poster is not None and bool(folders))


def _existing_folders(library: Path, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name and (library / name).is_dir()]


def _summary(report: MetadataReport, series: int, posters: int) -> Phrase:
    if not series:
        return Phrase("No series folder in the library yet: scan the library or download an "
                      "episode.")
    text = Phrase("Metadata of %(series)s series: %(written)s files written, %(unchanged)s "
                  "unchanged, %(posters)s with a poster.", series=series,
                  written=report.written, unchanged=report.unchanged, posters=posters)
    kept = len(report.kept)
    names = ", ".join(str(path.name) for path in report.kept[:3])
    if kept == 1:
        return Phrase("%(summary)s 1 file you wrote yourself was left alone (%(names)s).",
                      summary=text, names=names)
    if kept > 3:
        return Phrase("%(summary)s %(count)s files you wrote yourself were left alone "
                      "(%(names)s and %(more)s more).", summary=text, count=kept, names=names,
                      more=kept - 3)
    if kept:
        return Phrase("%(summary)s %(count)s files you wrote yourself were left alone "
                      "(%(names)s).", summary=text, count=kept, names=names)
    return text


def _record(runtime: Runtime, state: str, message: str | Phrase) -> None:
    with runtime.sessions() as session:
        artwork.record_write(session, state, message)
        session.commit()
