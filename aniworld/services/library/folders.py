"""Keep the scan's view of the library folder in the database, and tie folders to series.

Only folders the scanner re-read are written again; an unchanged folder costs nothing.
Linking here needs no network: a marker naming a series already in the database, or a
title equal to one, is enough. Everything else waits for :mod:`.matcher`.
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from aniworld.library import FolderScan, Marker, write_marker
from aniworld.library.marker import MARKER_NAME
from aniworld.library.matching import title_keys
from aniworld.models import FolderState, LibraryFile, LibraryFolder, Series, utcnow
from aniworld.phrases import Phrase
from aniworld.services.series import find_series
from aniworld.sites import DEFAULT_SITE

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
    """Write re-read folders and their files, drop vanished folders (no commit).

    Unchanged folders still waiting for a match are offered to :func:`link_known` again,
    so a series added since (e.g. from the search page) links its folder without a search.
    """
    existing = {folder.name: folder for folder in session.scalars(select(LibraryFolder))}
    gone = [folder.id for name, folder in existing.items() if name not in scans]
    for chunk in _chunks(gone):
        session.execute(delete(LibraryFolder).where(LibraryFolder.id.in_(chunk)))
    reread = [(existing.get(name) or LibraryFolder(name=name), scan)
              for name, scan in scans.items()
              if scan is not previous.get(name) or name not in existing]
    for folder, scan in reread:
        _write_folder(session, folder, scan)
    session.flush()  # one flush gives every new folder its id
    _replace_files(session, reread)
    titles = TitleIndex(session)
    written = {id(folder) for folder, _ in reread}
    for folder, scan in reread:
        if not scan.marker_error:
            link_known(session, folder, root, titles)
    for name, folder in existing.items():
        if name in scans and id(folder) not in written \
                and folder.state == FolderState.UNMATCHED:
            link_known(session, folder, root, titles)
    session.flush()
    return StoreResult(len(reread), len(gone), len(scans) - len(reread))


def _chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    """``values`` in slices small enough for any database's parameter limit."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


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
    if folder.state != FolderState.IGNORED:
        _note_marker_error(folder, scan.marker_error)
    session.add(folder)


def _note_marker_error(folder: LibraryFolder, error: str | Phrase) -> None:
    """Leave a folder with an unusable marker to the user; forget a fixed marker's error."""
    if error:
        # The user's marker says something we cannot read: ask, rather than guess by title.
        folder.state, folder.series_id, folder.match_tried = FolderState.UNMATCHED, None, True
        folder.set_reason(error)
        folder.candidates = "[]"
    elif (folder.reason or "").startswith(MARKER_NAME + " "):  # only marker errors do
        folder.set_reason("")
        folder.match_tried = False


def _replace_files(session: Session, reread: list[tuple[LibraryFolder, FolderScan]]) -> None:
    """Swap the file rows of re-read folders: one DELETE per 500 folders, one INSERT.

    Core statements, not ORM objects: a first scan writes 100,000 rows.
    """
    for chunk in _chunks([folder.id for folder, _ in reread]):
        session.execute(delete(LibraryFile).where(LibraryFile.folder_id.in_(chunk)))
    rows = [{"folder_id": folder.id, "season": f.season, "episode": f.episode,
             "language": f.language.value if f.language else None, "size": f.size,
             "path": _relative(f.path, scan.path)}
            for folder, scan in reread for f in scan.files]
    if rows:
        session.connection().execute(LibraryFile.__table__.insert(), rows)


def _relative(path: str, folder: str) -> str:
    """``path`` below ``folder`` (the scanner builds one from the other, so slicing is safe)."""
    prefix = folder + os.sep
    return path[len(prefix):] if path.startswith(prefix) else os.path.relpath(path, folder)


def link_known(session: Session, folder: LibraryFolder, root: Path | None = None,
               titles: TitleIndex | None = None) -> bool:
    """Tie ``folder`` to a series already in the database if its marker or title says which.

    A title match writes the folder's marker below ``root`` (when given). Returns True if
    the folder is matched afterwards. Pass one ``titles`` index when linking many folders.
    """
    if folder.state == FolderState.IGNORED:
        return False
    if folder.state == FolderState.MATCHED:
        if folder.series_id is not None:
            return True
        folder.state = FolderState.UNMATCHED  # its series was deleted underneath it
    if folder.marker_key:
        series = find_series(session, folder.marker_key, folder.marker_site or DEFAULT_SITE)
    else:
        series = (titles or TitleIndex(session)).find(folder.title_guess, folder.year_guess)
    if series is None:
        return False
    link(session, folder, series, write=folder.marker_key is None, root=root)
    return True


class TitleIndex:
    """The database's series by title key, read once (on first use) for a whole scan.

    Comparing every new folder with every series title would cost a query and a title
    normalisation per series for each folder: about 25 s instead of 0.5 s for a first
    scan of 1,000 folders beside 1,000 series.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._by_key: dict[str, list[tuple[int, int | None]]] | None = None

    def find(self, title: str, year: int | None) -> Series | None:
        """The one series with this title (and year, when both are known), else None."""
        keys = title_keys(title)
        if not keys:
            return None
        index = self._index()
        same = {series_id for key in keys for series_id, series_year in index.get(key, ())
                if year is None or series_year in (None, year)}
        return self.session.get(Series, same.pop()) if len(same) == 1 else None

    def _index(self) -> dict[str, list[tuple[int, int | None]]]:
        if self._by_key is None:
            self._by_key = defaultdict(list)
            rows = self.session.execute(select(Series.id, Series.title, Series.year))
            for series_id, title, year in rows:
                for key in title_keys(title):
                    self._by_key[key].append((series_id, year))
        return self._by_key


def link(session: Session, folder: LibraryFolder, series: Series, *, write: bool = True,
         root: Path | None = None) -> Phrase | None:
    """Record that ``folder`` holds ``series``; write its marker when ``root`` is given.

    Returns a warning for the user if the marker could not be written (no commit).
    """
    if folder.series_id not in (None, series.id):
        _release(session, folder)
    folder.state, folder.series_id, folder.series = FolderState.MATCHED, series.id, series
    folder.candidates, folder.match_tried = "[]", True
    folder.set_reason("")
    if not series.folder:
        series.folder = folder.name
    logger.info("library folder linked folder=%r series=%s/%s", folder.name, series.site,
                series.key)
    if not write or root is None:
        return None
    if folder.name in ("", ".", "..") or "/" in folder.name or "\0" in folder.name:
        # Only entries directly in the library (as the scanner lists them) get a marker;
        # a name that walks elsewhere is never written through.
        logger.warning("marker not written folder=%r: not an entry of the library", folder.name)
        return Phrase("%(name)s is not a folder directly in the library; no marker written",
                      name=repr(folder.name))
    warning = write_series_marker(root / folder.name,
                                  Marker(series.site, series.key, series.title))
    if warning is None:
        # Record the marker just written, so the next scan does not take it for a new one.
        folder.marker_site, folder.marker_key = series.site, series.key
    return warning


def _release(session: Session, folder: LibraryFolder) -> None:
    """Stop the folder's current series from downloading into it."""
    old = session.get(Series, folder.series_id) if folder.series_id is not None else None
    if old is not None and old.folder == folder.name:
        old.folder = None


def write_series_marker(path: Path, marker: Marker) -> Phrase | None:
    """Write the folder's ``.aniworld.json``; a warning instead of an error if it fails.

    A read-only share must not fail a match or a finished download.
    """
    try:
        write_marker(path, marker)
    except OSError as exc:
        logger.warning("marker not written folder=%s error=%s", path, exc)
        return Phrase("could not write %(path)s/.aniworld.json (%(error)s)", path=str(path),
                      error=str(exc.strerror or exc))
    return None


def ignore(session: Session, folder: LibraryFolder) -> None:
    """Leave the folder out of matching and of the unmatched list (no commit)."""
    _release(session, folder)
    folder.state, folder.series_id = FolderState.IGNORED, None
    folder.set_reason("")


def forget_series(session: Session, series: Series) -> None:
    """Before ``series`` is deleted: its folders wait for the user again (no commit).

    Not searched again automatically: the user removed the series on purpose.
    """
    for folder in session.scalars(select(LibraryFolder)
                                  .where(LibraryFolder.series_id == series.id)):
        folder.state, folder.series_id, folder.match_tried = FolderState.UNMATCHED, None, True
        folder.set_reason(Phrase("%(series)s was removed from the library; pick a series or "
                                 "ignore", series=series.title))


def unmatched_folders(session: Session) -> list[LibraryFolder]:
    """Folders waiting for the user to pick their series, by name."""
    return list(session.scalars(select(LibraryFolder)
                                .where(LibraryFolder.state == FolderState.UNMATCHED)
                                .order_by(LibraryFolder.name)))


def candidates_of(folder: LibraryFolder) -> list[dict[str, object]]:
    """The search results stored for an unmatched folder (site, key, title, year).

    Candidates stored before s.to came along have no site: they are aniworld's.
    """
    try:
        data = json.loads(folder.candidates)
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    return [{"site": DEFAULT_SITE, **c} for c in data if isinstance(c, dict)]
