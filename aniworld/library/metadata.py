"""Metadata files beside the videos: ``poster.<ext>`` and ``tvshow.nfo`` per series folder,
``<video name>.nfo`` per episode file. No database, no network.

A file the user wrote is never overwritten: each series folder keeps a record
(``.aniworld-metadata.json``) of the SHA-256 of every file Aniworld wrote there, and a file
counts as ours only while its bytes still match that record. An edited NFO, a poster the
user chose, or any file without a record (a lost record included) is left alone. Writes are
atomic (temporary file + rename) and the record is updated under an exclusive lock of the
folder's ``.aniworld-metadata.lock``, so two workers finishing episodes of one series — on
one host or on several sharing the library — do not lose each other's entries.
The scanner reads video extensions only, so none of these files ever count as episodes.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from aniworld.covers import write_atomically
from aniworld.library.swap import relative_to_library

logger = logging.getLogger(__name__)

RECORD_NAME = ".aniworld-metadata.json"
# A dot file, so the library scan skips it; it stays (removing it would race the next lock).
LOCK_NAME = ".aniworld-metadata.lock"
# POSIX record locks belong to the process: its threads take turns here first.
_PROCESS_LOCK = threading.Lock()
TVSHOW_NAME = "tvshow.nfo"
POSTER_STEM = "poster"
NFO_SUFFIX = ".nfo"


class Outcome(StrEnum):
    """What happened to one metadata file."""

    WRITTEN = "written"
    UNCHANGED = "unchanged"
    KEPT = "kept"  # the user's own file: left as it is


@dataclass
class MetadataReport:
    """Counts of one run, and the files left alone because the user wrote them."""

    written: int = 0
    unchanged: int = 0
    kept: list[Path] = field(default_factory=list)

    def note(self, path: Path, outcome: Outcome) -> None:
        """Count one file's outcome."""
        if outcome is Outcome.WRITTEN:
            self.written += 1
        elif outcome is Outcome.UNCHANGED:
            self.unchanged += 1
        else:
            self.kept.append(path)

    def merge(self, other: MetadataReport) -> None:
        """Add another run's counts to these."""
        self.written += other.written
        self.unchanged += other.unchanged
        self.kept += other.kept


def series_folder(library: Path, video: Path) -> Path | None:
    """The top-level library folder holding ``video``; None when it lies directly in the
    library folder, outside it (no folder of its own to describe) or in a hidden folder
    (``.aniworld``: the work area and the bridge's grabs; the scan skips them too)."""
    relative = relative_to_library(library, video)
    if relative is None or len(relative.parts) < 2 or ".." in relative.parts \
            or relative.parts[0].startswith("."):
        return None
    return library / relative.parts[0]


def episode_nfo_path(video: Path) -> Path:
    """Where an episode file's NFO goes: its own name with ``.nfo``."""
    return video.with_suffix(NFO_SUFFIX)


class FolderRecord:
    """The record of one series folder: relative path -> SHA-256 of what Aniworld wrote."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.path = folder / RECORD_NAME
        self.hashes = self._load()
        self._saved = dict(self.hashes)

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            # Unreadable: every existing file counts as the user's, which is the safe side.
            logger.warning("metadata record unreadable path=%s error=%s", self.path, exc)
            return {}
        files = data.get("files") if isinstance(data, dict) else None
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}

    def name(self, path: Path) -> str:
        """``path`` as the record names it (relative to the folder); ValueError if outside."""
        relative = relative_to_library(self.folder, path)
        if relative is None or ".." in relative.parts:
            raise ValueError(f"{path} is not inside {self.folder}")
        return relative.as_posix()

    def owns(self, path: Path) -> bool:
        """True when ``path`` is missing or still holds exactly what Aniworld wrote there."""
        try:
            current = path.read_bytes()
        except FileNotFoundError:
            return True
        return self.hashes.get(self.name(path)) == _sha256(current)

    def write(self, path: Path, data: bytes) -> Outcome:
        """Write ``data`` to ``path`` unless the user owns it there."""
        if not self.owns(path):
            logger.info("metadata file kept (written by the user) path=%s", path)
            return Outcome.KEPT
        digest = _sha256(data)
        name = self.name(path)
        if path.exists() and self.hashes.get(name) == digest:
            return Outcome.UNCHANGED
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
        self.hashes[name] = digest
        return Outcome.WRITTEN

    def remove(self, path: Path) -> bool:
        """Delete our own file at ``path`` (True); a user's file stays (False)."""
        if not path.exists() or not self.owns(path):
            return False
        path.unlink()
        self.hashes.pop(self.name(path), None)
        return True

    def save(self) -> None:
        """Store the record if it changed."""
        if self.hashes == self._saved:
            return
        payload = json.dumps({"files": dict(sorted(self.hashes.items()))}, indent=2) + "\n"
        write_atomically(self.path, payload.encode())
        self._saved = dict(self.hashes)


@contextmanager
def folder_record(folder: Path) -> Iterator[FolderRecord]:
    """The folder's record under an exclusive lock; saved on a clean exit.

    A POSIX record lock (``lockf``) of a lock file opened for writing, not ``flock`` on the
    folder: NFS and CIFS pass record locks to the server, so a worker on another host
    waits too (``flock`` stays on one host on CIFS, and NFS refuses an exclusive lock on a
    descriptor opened read-only). Not re-entrant.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with _PROCESS_LOCK:
        descriptor = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX)
            record = FolderRecord(folder)
            yield record
            record.save()
        finally:
            os.close(descriptor)  # closing releases the lock


def write_show(folder: Path, tvshow: bytes, poster: tuple[bytes, str] | None) -> MetadataReport:
    """Write ``tvshow.nfo`` and, given (bytes, extension), ``poster.<extension>`` in ``folder``.

    A poster of another extension that Aniworld wrote before is removed (the cover changed
    kind); one the user put there stays, and so does theirs under the new name.
    """
    report = MetadataReport()
    with folder_record(folder) as record:
        path = folder / TVSHOW_NAME
        report.note(path, record.write(path, tvshow))
        if poster is not None:
            data, extension = poster
            target = folder / f"{POSTER_STEM}.{extension}"
            report.note(target, record.write(target, data))
            for other in folder.glob(f"{POSTER_STEM}.*"):
                if other != target and record.name(other) in record.hashes:
                    record.remove(other)
    return report


def write_episode(folder: Path, video: Path, document: bytes) -> MetadataReport:
    """Write the NFO of ``video`` (inside the series ``folder``)."""
    report = MetadataReport()
    with folder_record(folder) as record:
        path = episode_nfo_path(video)
        report.note(path, record.write(path, document))
    return report


def follow_replaced(folder: Path, replaced: Iterable[Path], video: Path) -> None:
    """After an upgrade put ``video`` in place of ``replaced`` copies, move their NFOs along.

    Our NFO beside a copy that is gone is deleted (the new file gets a fresh one); a user's
    NFO moves to the new file's name when that name has none yet, else it stays.
    """
    target = episode_nfo_path(video)
    with folder_record(folder) as record:
        for old in replaced:
            nfo = episode_nfo_path(old)
            if nfo == target or old.exists() or not nfo.exists() or not _inside(folder, nfo):
                continue
            if record.remove(nfo):
                logger.info("metadata of a replaced copy removed path=%s", nfo)
            elif not target.exists():
                os.replace(nfo, target)
                logger.info("metadata of a replaced copy moved path=%s to=%s", nfo, target)


def _inside(folder: Path, path: Path) -> bool:
    relative = relative_to_library(folder, path)
    return relative is not None and ".." not in relative.parts


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
