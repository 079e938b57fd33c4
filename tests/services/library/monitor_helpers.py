"""Helpers of the monitoring tests: per-series options and what a round asked the stand-in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from aniworld.languages import Language
from aniworld.models import DownloadItem, FolderState, LibraryFile, LibraryFolder, Series
from aniworld.services.library.preferences import apply_preferences
from tests.fakesite.server import FakeSite


def set_options(sessions: sessionmaker[Session], series_id: int, **options: Any) -> int:
    """Store a series' preferences as the series page does (committed); returns its id."""
    with sessions() as session:
        apply_preferences(session.get(Series, series_id), options)
        session.commit()
    return series_id


def only_new(sessions: sessionmaker[Session], series_id: int) -> int:
    """Monitor only the episodes that appear from now on; returns the series id."""
    return set_options(sessions, series_id, monitor_scope="new")


def paths(fakesite: FakeSite, server: str = "site") -> list[str]:
    """Paths the stand-in's ``server`` answered, in order."""
    return [record.path for record in fakesite.logs[server].snapshot()]


def put_on_disk(session: Session, series_id: int, *episodes: tuple[int, int]) -> None:
    """Record files of ``episodes`` in a matched library folder, as a scan would."""
    folder = LibraryFolder(name=f"folder-{series_id}", series_id=series_id,
                           state=FolderState.MATCHED.value)
    session.add(folder)
    session.flush()
    for season, number in episodes:
        session.add(LibraryFile(folder_id=folder.id, season=season, episode=number, size=1,
                                path=f"S{season:02d}E{number:02d}.mkv"))


def items_of(session: Session, series_id: int) -> list[tuple[int, int, Language]]:
    """(season, episode, language) of the series' queue items, in id order."""
    rows = session.execute(select(DownloadItem.season, DownloadItem.episode,
                                  DownloadItem.language)
                           .where(DownloadItem.series_id == series_id)
                           .order_by(DownloadItem.id))
    return [tuple(row) for row in rows]  # type: ignore[misc]
