"""Match library folders to site series through the site's search (network; polite).

The background half of matching: it opens a short session per step and commits it. What
a user's choice needs (candidates, linking a chosen series) is in
:mod:`aniworld.services.library.resolution`.

Every site request goes through the one :class:`SiteClient`, so its rate limit, cache and
typed errors apply. No database transaction stays open while a request is in flight.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.library import match_folder
from aniworld.models import FolderState, LibraryFolder
from aniworld.services import catalog
from aniworld.services.library import resolution
from aniworld.services.library.folders import link
from aniworld.site import SiteClient
from aniworld.site.errors import SiteError, SiteNotFound

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MatchResult:
    """How many folders were matched, left for the user, and why matching stopped early."""

    matched: int
    unmatched: int
    stopped: str = ""


def pending_folder_ids(session: Session) -> list[int]:
    """Folders no search has been tried for yet, by name."""
    return list(session.scalars(
        select(LibraryFolder.id)
        .where(LibraryFolder.state == FolderState.UNMATCHED, LibraryFolder.match_tried.is_(False))
        .order_by(LibraryFolder.name)))


def match_pending(sessions: sessionmaker[Session], client: SiteClient, root: Path,
                  progress: Progress | None = None) -> MatchResult:
    """Try every folder not tried yet; stop at the first site failure (challenge, outage)."""
    with sessions() as session:
        ids = pending_folder_ids(session)
    matched = unmatched = 0
    for done, folder_id in enumerate(ids):
        if progress is not None:
            progress(done, len(ids))
        try:
            if match_one(sessions, client, root, folder_id):
                matched += 1
            else:
                unmatched += 1
        except SiteError as exc:
            logger.warning("library matching stopped folder_id=%s error=%s", folder_id, exc)
            return MatchResult(matched, unmatched, exc.message)
    return MatchResult(matched, unmatched)


def match_one(sessions: sessionmaker[Session], client: SiteClient, root: Path,
              folder_id: int) -> bool:
    """Match one folder by its marker or its title; True if it is matched afterwards."""
    with sessions() as session:
        folder = session.get(LibraryFolder, folder_id)
        if folder is None or folder.state != FolderState.UNMATCHED:
            return folder is not None and folder.state == FolderState.MATCHED
        title, year, marker_key = folder.title_guess, folder.year_guess, folder.marker_key
    if marker_key:
        return _match_by_marker(sessions, client, folder_id, marker_key)
    results = client.search(title[:200]) if title.strip() else []
    found = match_folder(title, year, results)
    head = _head(title)
    if found.result is None and head:
        known = {result.key for result in results}
        results += [r for r in client.search(head[:200]) if r.key not in known]
        found = match_folder(title, year, results)
    snapshot = _fetch(client, found.result.key) if found.result else None
    reason = found.reason
    if found.result is not None and snapshot is None:
        reason = f"the site lists {found.result.title!r} but has no page for it any more"
    with sessions() as session:
        folder = session.get(LibraryFolder, folder_id)
        if folder is None or folder.state != FolderState.UNMATCHED:
            # Removed, ignored or resolved by the user while the site answered: theirs wins.
            return folder is not None and folder.state == FolderState.MATCHED
        if snapshot is not None:
            series = resolution.stored_series(session, snapshot)
            link(session, folder, series, root=root)
        else:
            folder.reason, folder.match_tried = reason, True
            folder.candidates = json.dumps(resolution.as_candidates(results), ensure_ascii=False)
        session.commit()
    logger.info("library folder matched=%s title=%r reason=%s", snapshot is not None, title,
                reason)
    return snapshot is not None


def _head(title: str) -> str:
    """The title before " - ", searched when the whole title finds nothing confident.

    Folder names cannot hold ":" on Windows shares, so "Kämpfer des Lichts: Die Rückkehr"
    is written "Kämpfer des Lichts - Die Rückkehr" (Aniworld's own naming does this too)
    and the site's substring search finds nothing for it. The head finds the series; the
    comparison of whole normalised titles still decides.
    """
    head = title.split(" - ", 1)[0].strip(" -")
    return head if head and head != title.strip() else ""


def _fetch(client: SiteClient, key: str) -> catalog.SeriesSnapshot | None:
    """The series ``key`` from the site, or None if the site no longer has it."""
    try:
        return catalog.fetch_series(client, key)
    except SiteNotFound:
        return None


def _match_by_marker(sessions: sessionmaker[Session], client: SiteClient, folder_id: int,
                     key: str) -> bool:
    """Re-create the marker's series from the site (the database lost it)."""
    snapshot = _fetch(client, key)
    with sessions() as session:
        folder = session.get(LibraryFolder, folder_id)
        if folder is None or folder.state != FolderState.UNMATCHED:
            return folder is not None and folder.state == FolderState.MATCHED
        if snapshot is None:
            folder.match_tried = True
            folder.reason = f"the marker names {key!r}, which the site does not know (any more)"
        else:
            link(session, folder, resolution.stored_series(session, snapshot), write=False)
        session.commit()
    return snapshot is not None
