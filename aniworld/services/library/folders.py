"""Keep the scan's view of the library folder in the database, and tie folders to series.

Only folders the scanner re-read are written again; an unchanged folder costs nothing.
Linking here needs no network: a marker naming a series already in the database, or a
title equal to one, is enough. Everything else waits for :mod:`.matcher`.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from aniworld.library import FolderScan, Marker, write_marker
from aniworld.library.matching import title_keys
from aniworld.models import FolderState, LibraryFile, LibraryFolder, Series, utcnow
from aniworld.services.series import DEFAULT_SITE, find_series

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreResult:
    """How many folders were written, removed and left as they were."""

    written: int
    removed: int
    unchanged: int


def previous_scans(session: Session, root: Path) -> dict[str, FolderScan]:
    """What the last scan recorded, as FolderScans the scanner can compare (without files)."""
    rows = session.execute(select(LibraryFolder.name, LibraryFolder.mtime_ns,
                                  LibraryFolder.dir_mtimes)).all()
    return {name: FolderScan(name, os.path.join(root, name), mtime_ns, None, "", None, [],
                             _mtimes(raw)) for name, mtime_ns, raw in rows}


def _mtimes(raw: str) -> dict[str, int]:
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


def store_scans(session: Session, root: Path, scans: Mapping[str, FolderScan],
                previous: Mapping[str, FolderScan]) -> StoreResult:
    """Write re-read folders and their files, drop vanished folders (no commit)."""
    existing = {folder.name: folder for folder in session.scalars(select(LibraryFolder))}
    gone = [folder.id for name, folder in existing.items() if name not in scans]
    if gone:
        session.execute(delete(LibraryFolder).where(LibraryFolder.id.in_(gone)))
    written = 0
    for name, scan in scans.items():
        if scan is previous.get(name) and name in existing:
            continue
        folder = existing.get(name) or LibraryFolder(name=name)
        _write_folder(session, folder, scan)
        link_known(session, folder, root)
        written += 1
    session.flush()
    return StoreResult(written, len(gone), len(scans) - written)


def _write_folder(session: Session, folder: LibraryFolder, scan: FolderScan) -> None:
    marker = scan.marker
    found = (marker.site, marker.key) if marker else (None, None)
    if found != (folder.marker_site, folder.marker_key) and folder.state != FolderState.IGNORED:
        # A marker appeared, changed or went away: the old link no longer counts.
        folder.state, folder.series_id, folder.match_tried = FolderState.UNMATCHED, None, False
    folder.marker_site = marker.site if marker else None
    folder.marker_key = marker.key if marker else None
    folder.title_guess, folder.year_guess = scan.title_guess[:500], scan.year_guess
    folder.dir_mtimes, folder.mtime_ns = json.dumps(scan.dir_mtimes), scan.mtime_ns
    folder.file_count, folder.scanned_at = len(scan.files), utcnow()
    session.add(folder)
    session.flush()
    session.execute(delete(LibraryFile).where(LibraryFile.folder_id == folder.id))
    rows = [{"folder_id": folder.id, "season": f.season, "episode": f.episode,
             "language": f.language.value if f.language else None, "size": f.size,
             "path": os.path.relpath(f.path, scan.path)} for f in scan.files]
    if rows:
        session.execute(insert(LibraryFile), rows)


def link_known(session: Session, folder: LibraryFolder, root: Path | None = None) -> bool:
    """Tie ``folder`` to a series already in the database if its marker or title says which.

    A title match writes the folder's marker below ``root`` (when given). Returns True if
    the folder is matched afterwards.
    """
    if folder.state == FolderState.IGNORED:
        return False
    if folder.state == FolderState.MATCHED and folder.series_id is not None:
        return True
    if folder.marker_key:
        series = find_series(session, folder.marker_key, folder.marker_site or DEFAULT_SITE)
    else:
        series = _series_by_title(session, folder.title_guess, folder.year_guess)
    if series is None:
        return False
    link(session, folder, series, write=folder.marker_key is None, root=root)
    return True


def _series_by_title(session: Session, title: str, year: int | None) -> Series | None:
    """The one series in the database with this title (and year, when both are known)."""
    keys = title_keys(title)
    if not keys:
        return None
    same = [s for s in session.scalars(select(Series))
            if keys & title_keys(s.title) and (year is None or s.year in (None, year))]
    return same[0] if len(same) == 1 else None


def link(session: Session, folder: LibraryFolder, series: Series, *, write: bool = True,
         root: Path | None = None) -> str | None:
    """Record that ``folder`` holds ``series``; write its marker when ``root`` is given.

    Returns a warning for the user if the marker could not be written (no commit).
    """
    folder.state, folder.series_id, folder.series = FolderState.MATCHED, series.id, series
    folder.reason, folder.candidates, folder.match_tried = "", "[]", True
    if not series.folder:
        series.folder = folder.name
    logger.info("library folder linked folder=%r series=%s/%s", folder.name, series.site,
                series.key)
    if not write or root is None:
        return None
    return write_series_marker(root / folder.name, series)


def write_series_marker(path: Path, series: Series) -> str | None:
    """Write the folder's ``.aniworld.json``; a warning instead of an error if it fails."""
    try:
        write_marker(path, Marker(series.site, series.key, series.title))
    except OSError as exc:
        logger.warning("marker not written folder=%s error=%s", path, exc)
        return f"could not write {path}/.aniworld.json ({exc.strerror or exc})"
    return None


def ignore(session: Session, folder: LibraryFolder) -> None:
    """Leave the folder out of matching and of the unmatched list (no commit)."""
    folder.state, folder.series_id, folder.reason = FolderState.IGNORED, None, ""


def unmatched_folders(session: Session) -> list[LibraryFolder]:
    """Folders waiting for the user to pick their series, by name."""
    return list(session.scalars(select(LibraryFolder)
                                .where(LibraryFolder.state == FolderState.UNMATCHED)
                                .order_by(LibraryFolder.name)))


def candidates_of(folder: LibraryFolder) -> list[dict[str, object]]:
    """The search results stored for an unmatched folder (key, title, year)."""
    try:
        data = json.loads(folder.candidates)
    except ValueError:
        return []
    return [c for c in data if isinstance(c, dict)] if isinstance(data, list) else []
