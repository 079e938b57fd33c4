"""Walk the library folder: one FolderScan per series folder, re-reading only changed ones.

A folder's modification time changes when an entry directly inside it is added, removed
or renamed, so a scan remembers the time of the series folder and of every subfolder
(season folders) and re-reads a series only when one of them moved. Rewriting a file in
place does not change any folder time; Aniworld and most downloaders finish a file with a
rename, which does.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from aniworld.library.filenames import WORK_FOLDER, EpisodeFile, parse_name
from aniworld.library.marker import MARKER_NAME, InvalidMarker, Marker, load_marker
from aniworld.phrases import Phrase

logger = logging.getLogger(__name__)

MAX_DEPTH = 3
# Like git's "racy" index entries: a folder changed within this window of its reading may
# change again without its time moving (coarse timestamps, e.g. 2 s on FAT/SMB), so its
# time is not trusted and the folder is read again next time.
RACY_WINDOW_NS = 2_000_000_000
_UNTRUSTED = -1

_YEAR_TAG = re.compile(r"[\[(]\s*((?:19|20)\d\d)\s*[\])]")
_TAG = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class FolderScan:
    """What one series folder holds; ``dir_mtimes`` maps subfolder paths to their times.

    ``marker_error`` says why a marker that is there cannot be used ("" when it can).
    """

    name: str
    path: str
    mtime_ns: int
    marker: Marker | None
    title_guess: str
    year_guess: int | None
    files: list[EpisodeFile]
    dir_mtimes: dict[str, int] = field(default_factory=dict, repr=False)
    marker_error: str | Phrase = ""


def guess_title(folder_name: str) -> tuple[str, int | None]:
    """Title and year from a folder name: ``Title (2019)``, ``Title [2019] [1080p]``, ``Title``."""
    found = _YEAR_TAG.search(folder_name)
    year = int(found.group(1)) if found else None
    title = _TAG.sub(" ", folder_name)
    if " " not in title.strip():
        title = title.replace("_", " ").replace(".", " ")
    title = _SPACES.sub(" ", title).strip(" -_.")
    return (title or folder_name.strip()), year


def is_series_folder(entry: os.DirEntry[str]) -> bool:
    """True for a visible directory directly under the library root."""
    return not entry.name.startswith(".") and entry.is_dir()


def scan_tree(root: str | os.PathLike[str],
                 previous: Mapping[str, FolderScan] | None = None) -> dict[str, FolderScan]:
    """Scan every series folder under ``root``; folders unchanged since ``previous`` are reused.

    Raises OSError if ``root`` cannot be listed.
    """
    previous = previous or {}
    result: dict[str, FolderScan] = {}
    reread = 0
    with os.scandir(root) as entries:
        for entry in entries:
            if not is_series_folder(entry):
                continue
            old = previous.get(entry.name)
            if old is not None and old.path == entry.path and unchanged(old):
                result[entry.name] = old
                continue
            try:
                result[entry.name] = read_folder(entry.path, entry.name)
                reread += 1
            except OSError as exc:  # vanished or unreadable: report it, keep scanning
                logger.warning("library folder skipped path=%s error=%s", entry.path, exc)
    logger.info("library scanned root=%s folders=%d reread=%d", root, len(result), reread)
    return result


def unchanged(scan: FolderScan) -> bool:
    """True if the folder and every recorded subfolder still have their recorded times."""
    for path, mtime_ns in scan.dir_mtimes.items():
        if mtime_ns == _UNTRUSTED:
            return False
        try:
            if os.stat(path).st_mtime_ns != mtime_ns:
                return False
        except OSError:
            return False
    return bool(scan.dir_mtimes)


def read_folder(path: str, name: str) -> FolderScan:
    """Read one series folder completely (marker, episode files, folder times)."""
    started_ns = time.time_ns()
    dir_mtimes: dict[str, int] = {}
    files: list[EpisodeFile] = []
    has_marker = _walk(path, "", 0, dir_mtimes, files)
    mtime_ns = dir_mtimes[path]
    for folder, folder_ns in dir_mtimes.items():
        if folder_ns > started_ns - RACY_WINDOW_NS:
            dir_mtimes[folder] = _UNTRUSTED
    files.sort(key=lambda item: (item.season, item.episode, item.path))
    title, year = guess_title(name)
    marker, marker_error = None, ""
    try:
        marker = load_marker(path) if has_marker else None
    except InvalidMarker as exc:
        marker_error = exc.phrase
        # Fixing the file in place leaves the folder's time alone: read it again next time.
        dir_mtimes[path] = _UNTRUSTED
    return FolderScan(name, path, mtime_ns, marker, title, year, files, dir_mtimes,
                      marker_error)


def _walk(path: str, folder: str, depth: int, dir_mtimes: dict[str, int],
          files: list[EpisodeFile]) -> bool:
    """Collect files below ``path``; return True if a marker file lies directly inside."""
    # The time is taken before listing, so a change during the listing is seen next time.
    dir_mtimes[path] = os.stat(path).st_mtime_ns
    has_marker = False
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name == MARKER_NAME:
                has_marker = True
            elif entry.name.startswith(".") or entry.name == WORK_FOLDER:
                continue
            elif entry.is_dir(follow_symlinks=False):
                if depth < MAX_DEPTH:
                    _walk(entry.path, entry.name, depth + 1, dir_mtimes, files)
            else:
                _add_file(entry, folder, files)
    return has_marker


def _add_file(entry: os.DirEntry[str], folder: str, files: list[EpisodeFile]) -> None:
    """Append the EpisodeFile for ``entry`` if it is one; stat only plausible video names."""
    # Parse first: stat is a system call per file on Linux, skipped for non-episodes.
    found = parse_name(entry.name, folder)
    if found is None:
        return
    try:
        size = entry.stat().st_size
    except OSError:  # removed between listing and stat
        return
    if size > 0:
        files.append(EpisodeFile(entry.path, *found, size))
