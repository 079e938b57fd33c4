"""Sonarr's grabs as queue items: add, look up, pause, resume, relabel, delete.

A grab is a normal ``DownloadItem`` (the Queue page shows and controls it) marked by its
bridge columns: ``bridge_hash`` (the release's info hash, how Sonarr names it),
``bridge_category``, ``bridge_name`` (the release title: torrent name and file name) and
``save_path`` (the folder it downloads into instead of the library). Functions take a
Session and never commit.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, NotFoundError
from aniworld.models import DownloadItem, ItemStatus, Priority
from aniworld.services import queue as queue_service
from aniworld.services.bridge.categories import (
    check_name,
    check_save_path,
    create_category,
    load_bridge,
)
from aniworld.services.bridge.releases import parse_magnet, release_title
from aniworld.services.series import find_series

logger = logging.getLogger(__name__)

MAX_NAME = 255
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
        raise NotFoundError(f"the series {release.slug!r} is no longer in the Aniworld library; "
                            "add it again, then search again in Sonarr", "urls")
    bridge = load_bridge(session)
    found = bridge.find(category)
    item = queue_service.add_item(
        session, series, release.season, release.episode, release.language,
        found.priority if found else Priority.NORMAL, force=True)
    item.bridge_hash = release.info_hash
    item.bridge_category = category
    name = display_name.strip() or release_title(series.title, release.season, release.episode,
                                                 release.language)
    item.bridge_name = name[:MAX_NAME]
    item.save_path = explicit or str(bridge.path_of(category, library))
    session.flush()
    logger.info("bridge grab added item=%s hash=%s category=%s path=%s", item.id,
                item.bridge_hash, category, item.save_path)
    return item


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
        if delete_files and item.status is ItemStatus.COMPLETED and _file_present(item):
            doomed.append(Path(item.file_path))  # type: ignore[arg-type]
        if item.status is ItemStatus.DOWNLOADING:
            queue_service.cancel_item(session, item.id)
            item.bridge_hash = None  # hidden from Sonarr; the Queue page still tags it
        else:
            session.delete(item)
        logger.info("bridge grab deleted item=%s files=%s", item.id, delete_files)
    session.flush()
    return doomed


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
        raise ConflictError(f"category {category!r} does not exist; create it first")
    for item in grabs(session, hashes):
        item.bridge_category = category
    session.flush()
