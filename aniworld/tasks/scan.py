"""One library scan from start to end: read folders, store them, match new ones, report.

Called by the RQ job and by ``flask scan``; it owns the sessions and commits, and progress
lands in :mod:`aniworld.services.library.scan_state`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from aniworld.errors import AniworldError
from aniworld.library import scan_tree
from aniworld.models import FolderState
from aniworld.phrases import Number, Phrase
from aniworld.services.library import scan_state
from aniworld.services.library.folders import previous_scans, store_scans
from aniworld.services.library.overview import count_folders
from aniworld.tasks.folder_matching import (
    MatchResult,
    match_pending,
    pending_folder_ids,
    tried_unmatched,
)
from aniworld.tasks.site_clients import ClientFactory

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 1.0


@dataclass(frozen=True)
class ScanSummary:
    """The figures a finished scan reports."""

    folders: int
    reread: int
    removed: int
    matched: int
    unmatched: int
    seconds: float
    stopped: str | Phrase = ""
    # The folders this scan's searches could not match (they wait for the user's choice).
    new_unmatched: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """One sentence for the CLI and the log (English)."""
        return str(self.phrase)

    @property
    def phrase(self) -> Phrase:
        """The same sentence for the library page, in the reader's language."""
        values = {"folders": self.folders, "seconds": Number(self.seconds, 1),
                  "reread": self.reread, "removed": self.removed, "matched": self.matched,
                  "unmatched": self.unmatched}
        if self.stopped:
            return Phrase("Scanned %(folders)s folder(s) in %(seconds)s s (%(reread)s re-read, "
                          "%(removed)s gone); %(matched)s matched, %(unmatched)s need your "
                          "choice. Matching stopped: %(stopped)s", stopped=self.stopped,
                          **values)
        return Phrase("Scanned %(folders)s folder(s) in %(seconds)s s (%(reread)s re-read, "
                      "%(removed)s gone); %(matched)s matched, %(unmatched)s need your "
                      "choice.", **values)


def run_library_scan(sessions: sessionmaker[Session], root: Path, clients: ClientFactory,
             *, match: bool = True) -> ScanSummary:
    """Scan ``root`` and record the outcome in the scan status; raises OSError if unreadable.

    ``clients(site)`` opens a client of that site; each is opened only if matching needs it.
    """
    started = time.monotonic()
    with sessions() as session:
        scan_state.begin(session)
        session.commit()
    try:
        summary = _scan(sessions, root, clients, match, started)
    except Exception as exc:
        with sessions() as session:
            scan_state.finish(session, _failure(root, exc), failed=True)
            session.commit()
        raise
    with sessions() as session:
        scan_state.finish(session, summary.phrase)
        session.commit()
    logger.info("library scan done %s", summary.message)
    return summary


class LibraryFolderEmpty(AniworldError, OSError):
    """The library folder is empty although the last scan found series in it.

    Usually an unmounted network share: storing that scan would forget every folder's
    match, choice and "ignore". An OSError too, so callers treat it like an unreadable
    folder.
    """

    code = "library_folder_empty"
    status = 409


def _failure(root: Path, exc: Exception) -> Phrase:
    if isinstance(exc, LibraryFolderEmpty):
        return exc.phrase
    if isinstance(exc, FileNotFoundError):
        return Phrase("The library folder %(folder)s does not exist; check it in Settings.",
                      folder=str(root))
    if isinstance(exc, OSError):
        return Phrase("The library folder %(folder)s cannot be read (%(reason)s).",
                      folder=str(root), reason=str(exc.strerror or exc))
    return Phrase("The scan failed (%(error)s); see the worker log.",
                  error=f"{type(exc).__name__}: {exc}")


def _scan(sessions: sessionmaker[Session], root: Path, clients: ClientFactory, match: bool,
          started: float) -> ScanSummary:
    with sessions() as session:
        previous = previous_scans(session, root)
    scans = scan_tree(root, previous)
    if previous and not scans:
        raise LibraryFolderEmpty(Phrase(
            "The library folder %(folder)s is empty, but the last scan found %(count)s "
            "series folder(s) in it. Is the drive or network share mounted? Nothing was "
            "changed. If you emptied it on purpose, the first scan after a series folder "
            "appears in it again forgets the old ones.", folder=str(root),
            count=len(previous)))
    with sessions() as session:
        stored = store_scans(session, root, scans, previous)
        scan_state.report(session, scan_state.MATCHING, 0, 0)
        pending = pending_folder_ids(session) if match else []
        session.commit()
    result = MatchResult(0, 0)
    if match:
        result = match_pending(sessions, clients, root, _Reporter(sessions))
    with sessions() as session:
        waiting = count_folders(session, FolderState.UNMATCHED)
        matched = count_folders(session, FolderState.MATCHED)
        left = tried_unmatched(session, pending) if result.unmatched else ()
    return ScanSummary(len(scans), stored.written, stored.removed, matched, waiting,
                       time.monotonic() - started, result.stopped, left)


class _Reporter:
    """Writes matching progress at most once a second (each write is a commit)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions, self.last = sessions, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL and done:
            return
        self.last = now
        with self.sessions() as session:
            scan_state.report(session, scan_state.MATCHING, done, total)
            session.commit()
