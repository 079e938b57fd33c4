"""Tie a library folder to a site series: the candidates a folder offers, the user's pick.

Takes a Session and never commits; fetch the snapshot from the site before opening the
write transaction.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from aniworld.models import LibraryFolder, Series
from aniworld.phrases import Phrase
from aniworld.services import catalog
from aniworld.services.library.folders import link
from aniworld.services.series import find_series
from aniworld.site.types import SearchResult

MAX_CANDIDATES = 12


def as_candidates(results: list[SearchResult]) -> list[dict[str, object]]:
    """The first search results as the candidates an unmatched folder offers the user.

    Each names its site, since both sites may offer a series of the same slug.
    """
    return [{"site": r.site, "key": r.key, "title": r.title, "year": r.year}
            for r in results[:MAX_CANDIDATES]]


def stored_series(session: Session, snapshot: catalog.SeriesSnapshot) -> Series:
    """The series of ``snapshot`` (on its site): the database's row, or a new one from it."""
    existing = find_series(session, snapshot.info.key, snapshot.site)
    return existing if existing is not None else catalog.store_snapshot(session, snapshot)


def resolve(session: Session, folder: LibraryFolder, snapshot: catalog.SeriesSnapshot,
            root: Path, *, site: str | None = None) -> Phrase | None:
    """The user picked ``snapshot``'s series for ``folder``; returns a marker warning.

    ``site`` is the site the snapshot was read from (default: the snapshot's own). Fetch
    the snapshot before opening the write transaction (no commit here).
    """
    if site is not None and site != snapshot.site:
        snapshot = replace(snapshot, site=site)
    return link(session, folder, stored_series(session, snapshot), root=root)
