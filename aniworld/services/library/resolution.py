"""Tie a library folder to a site series: the candidates a folder offers, the user's pick.

Takes a Session and never commits; fetch the snapshot from the site before opening the
write transaction.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from aniworld.models import LibraryFolder, Series
from aniworld.services import catalog
from aniworld.services.library.folders import link
from aniworld.services.series import DEFAULT_SITE, find_series
from aniworld.site.types import SearchResult

MAX_CANDIDATES = 12


def as_candidates(results: list[SearchResult]) -> list[dict[str, object]]:
    """The first search results as the candidates an unmatched folder offers the user."""
    return [{"key": r.key, "title": r.title, "year": r.year} for r in results[:MAX_CANDIDATES]]


def stored_series(session: Session, snapshot: catalog.SeriesSnapshot) -> Series:
    """The series of ``snapshot``: the database's row, or a new one stored from it."""
    existing = find_series(session, snapshot.info.key, DEFAULT_SITE)
    return existing if existing is not None else catalog.store_snapshot(session, snapshot)


def resolve(session: Session, folder: LibraryFolder, snapshot: catalog.SeriesSnapshot,
            root: Path) -> str | None:
    """The user picked ``snapshot``'s series for ``folder``; returns a marker warning.

    Fetch the snapshot before opening the write transaction (no commit here).
    """
    return link(session, folder, stored_series(session, snapshot), root=root)
