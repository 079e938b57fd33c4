"""Sonarr's grabs as queue items: add, look up, pause, resume, relabel, delete.

A grab is a normal ``DownloadItem`` (the Queue page shows and controls it) marked by its
bridge columns: ``bridge_hash`` (the release's info hash, how Sonarr names it),
``bridge_category``, ``bridge_name`` (the release title: torrent name and file name) and
``save_path`` (the folder it downloads into instead of the library). The name is built here
from the series, episode and language (never taken from the link), with the start of the
hash so releases of equally named series of both sites differ; a save path inside the
library must lie in the bridge's own folder. Functions take a Session and never commit.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError, ValidationError
from aniworld.models import DownloadItem, ItemStatus, Priority
from aniworld.phrases import Phrase
from aniworld.services import queue as queue_service
from aniworld.services.bridge.catalogue import title_variants
from aniworld.services.bridge.categories import (
    DEFAULT_FOLDER,
    check_name,
    check_save_path,
    create_category,
    load_bridge,
)
from aniworld.services.bridge.releases import ReleaseId, parse_magnet, release_title
from aniworld.services.series import find_series

logger = logging.getLogger(__name__)

MAX_NAME = 255
HASH_SUFFIX = 8  # hex digits of the info hash at the end of a grab's name
_RETRYABLE = (ItemStatus.FAILED, ItemStatus.CANCELLED)


def add_grab(session: Session, link: str, category: str, library: Path,
             save_path: str = "") -> DownloadItem:
    """Queue the release of a magnet link from our Torznab feed; return its item.

    The release's language is the one Sonarr chose: no fallback to another. An unknown
    category is created (as qBittorrent does). Adding a release that is already there
    keeps it (a failed or cancelled one is retried). Raises ``ReleaseLinkError``,
    ``NotFoundError`` (series gone), ``ValidationError`` or ``ConflictError`` (the episode
    is in the queue in that language already, outside the bridge).
    """
    release, display_name = parse_magnet(link)
    if category:
        check_name(category)
        if load_bridge(session).find(category) is None:
            create_category(session, category)
    explicit = check_save_path(save_path)
    existing = find_grab(session, release.info_hash)
    if existing is not None and _keep(session, existing):
        return existing
    series = find_series(session, release.slug, release.site)
    if series is None:
        raise NotFoundError(Phrase("the series %(slug)s is no longer in the Aniworld library; "
                                   "add it again, then search again in Sonarr",
                                   slug=repr(release.slug)), "urls")
    bridge = load_bridge(session)
    found = bridge.find(category)
    target = explicit or str(bridge.path_of(category, library))
    check_outside_library(target, library)
    item = queue_service.add_item(
        session, series, release.season, release.episode, release.language,
        found.priority if found else Priority.NORMAL, force=True)
    item.bridge_hash = release.info_hash
    item.bridge_category = category
    item.bridge_name = grab_name(release, title_variants(series), display_name)
    item.save_path = target
    session.flush()
    logger.info("bridge grab added item=%s hash=%s category=%s path=%s", item.id,
                item.bridge_hash, category, item.save_path)
    return item


def grab_name(release: ReleaseId, titles: list[str], display_name: str = "") -> str:
    """The grab's torrent and file name: the release title plus the hash's start.

    The link's display name only picks which of the series' ``titles`` (the first unless
    it names another, as the Torznab result did); it is never used as it is.
    """
    built = [release_title(title, release.season, release.episode, release.language, long)
             for title in titles for long in (False, True)]
    name = display_name.strip() if display_name.strip() in built else built[0]
    suffix = f" [{release.info_hash[:HASH_SUFFIX]}]"
    return name[:MAX_NAME - len(suffix)] + suffix


def check_outside_library(save_path: str, library: Path) -> None:
    """Refuse a save path inside the library other than the bridge's folder (ValidationError).

    The library's folders are Aniworld's and the media server's; Sonarr imports from a
    folder of its own.
    """
    path, root = Path(os.path.realpath(save_path)), Path(os.path.realpath(library))
    if not path.is_relative_to(root) or path.is_relative_to(root / DEFAULT_FOLDER):
        return
    raise ValidationError(Phrase("the save path %(path)s lies inside the Aniworld library; use "
                                 "a folder outside it, or one under %(folder)s",
                                 path=save_path, folder=str(library / DEFAULT_FOLDER)),
                          "savepath")


def _keep(session: Session, item: DownloadItem) -> bool:
    """Whether a grab already there answers a second add (else it is replaced)."""
    if item.status in _RETRYABLE:
        queue_service.retry_item(session, item.id)
        return True
    if item.status is ItemStatus.COMPLETED and not _file_present(item):
        # Sonarr wants it again and the file is gone (imported and moved, or deleted).
        session.delete(item)
        session.flush()
        return False
    return True


def _file_present(item: DownloadItem) -> bool:
    return bool(item.file_path) and Path(item.file_path).is_file()  # type: ignore[arg-type]


def find_grab(session: Session, info_hash: str) -> DownloadItem | None:
    """The grab with this hash (as qBittorrent: any case), or None."""
    return session.scalar(select(DownloadItem).where(
        DownloadItem.bridge_hash == info_hash.lower())
        .execution_options(populate_existing=True))


def grabs(session: Session, hashes: Collection[str] | None = None,
          category: str | None = None) -> list[DownloadItem]:
    """Every grab, or those with one of ``hashes`` and/or in ``category`` ("" = none)."""
    statement = select(DownloadItem).where(DownloadItem.bridge_hash.is_not(None))
    if hashes is not None:
        statement = statement.where(DownloadItem.bridge_hash.in_([h.lower() for h in hashes]))
    if category is not None:
        statement = statement.where(DownloadItem.bridge_category == category)
    # Fresh rows: a job changes them with plain UPDATEs the identity map does not see.
    return list(session.scalars(statement.order_by(DownloadItem.id)
                                .execution_options(populate_existing=True)))


def delete_grabs(session: Session, hashes: Collection[str] | None,
                 delete_files: bool) -> list[Path]:
    """Remove grabs (``None``: all); return the files to delete once this is committed.

    A running download is cancelled (its job stops and drops the partial data) and leaves
    the bridge's list at once; the others are deleted from the queue.
    """
    doomed: list[Path] = []
    for item in grabs(session, hashes):
        if delete_files and item.status is ItemStatus.COMPLETED and _own_file(item):
            doomed.append(Path(item.file_path))  # type: ignore[arg-type]
        if item.status is ItemStatus.DOWNLOADING:
            queue_service.cancel_item(session, item.id)
            item.bridge_hash = None  # hidden from Sonarr; the Queue page still tags it
        else:
            session.delete(item)
        logger.info("bridge grab deleted item=%s files=%s", item.id, delete_files)
    session.flush()
    return doomed


def _own_file(item: DownloadItem) -> bool:
    """Whether the grab's finished file is there and lies in its own save path."""
    if not _file_present(item) or not item.save_path:
        return False
    folder = Path(os.path.realpath(item.save_path))
    return Path(os.path.realpath(item.file_path)).is_relative_to(folder)  # type: ignore[arg-type]


def delete_files(paths: Collection[Path]) -> None:
    """Delete finished files of removed grabs (already gone: nothing to do)."""
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            logger.warning("bridge file not deleted path=%s error=%s", path, exc)


def pause_grabs(session: Session, hashes: Collection[str] | None) -> None:
    """Hold the grabs that are waiting or downloading (others are left as they are)."""
    for item in grabs(session, hashes):
        if item.status in (ItemStatus.PENDING, ItemStatus.DOWNLOADING):
            queue_service.pause_item(session, item.id)


def resume_grabs(session: Session, hashes: Collection[str] | None) -> None:
    """Resume paused grabs and retry failed or cancelled ones."""
    for item in grabs(session, hashes):
        if item.status is ItemStatus.PAUSED:
            queue_service.resume_item(session, item.id)
        elif item.status in _RETRYABLE:
            queue_service.retry_item(session, item.id)


def prioritise_grabs(session: Session, hashes: Collection[str] | None,
                     priority: Priority) -> None:
    """Give unfinished grabs ``priority`` (Sonarr's "first" sends ``topPrio``)."""
    for item in grabs(session, hashes):
        if item.status is not ItemStatus.COMPLETED:
            queue_service.set_priority(session, item.id, priority)


def label_grabs(session: Session, hashes: Collection[str] | None, category: str) -> None:
    """Move grabs to another category ("" = none); the files stay where they are.

    Raises ``ConflictError`` for a category that does not exist (qBittorrent's 409).
    """
    if category and load_bridge(session).find(check_name(category)) is None:
        raise ConflictError(Phrase("category %(name)s does not exist; create it first",
                                   name=repr(category)))
    for item in grabs(session, hashes):
        item.bridge_category = category
    session.flush()
