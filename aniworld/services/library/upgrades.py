"""Episodes held in a language the user ranks lower than one the site now offers.

The Wanted view lists them and monitoring queues them; both ask :func:`find_upgrades`, so
they agree. What is held comes from the last scan (files of matched folders, with the
language their name carries) and from finished downloads (the item's language).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import (
    DownloadItem,
    Episode,
    FolderState,
    ItemStatus,
    LibraryFile,
    LibraryFolder,
    Series,
)
from aniworld.models.episode import languages_from
from aniworld.services.episode_status import EpisodeKey, file_present
from aniworld.services.library.preferences import preferences, upgrade_language
from aniworld.services.settings import AppSettings

# Items in these states already bring the episode (or are the upgrade itself).
_BUSY = (ItemStatus.PENDING, ItemStatus.DOWNLOADING, ItemStatus.PAUSED)


@dataclass(frozen=True)
class Holding:
    """One copy of an episode the library has: its language (None = untagged) and path."""

    language: Language | None
    path: str


@dataclass(frozen=True)
class Upgrade:
    """An episode to fetch again in ``target``; ``held`` are the copies it replaces."""

    series_id: int
    season: int
    episode: int
    current: Language
    target: Language
    held: tuple[Holding, ...]

    @property
    def key(self) -> EpisodeKey:
        """(season, episode)."""
        return self.season, self.episode


def held_episodes(session: Session, series_ids: Collection[int] | None = None
                  ) -> dict[int, dict[EpisodeKey, list[Holding]]]:
    """What the library holds per series id and episode (scan files + finished downloads).

    A finished download counts only while its file is still there.
    """
    held: dict[int, dict[EpisodeKey, list[Holding]]] = defaultdict(lambda: defaultdict(list))
    files = (select(LibraryFolder.series_id, LibraryFile.season, LibraryFile.episode,
                    LibraryFile.language, LibraryFile.path)
             .join(LibraryFolder, LibraryFile.folder_id == LibraryFolder.id)
             .where(LibraryFolder.state == FolderState.MATCHED,
                    LibraryFolder.series_id.is_not(None)))
    done = (select(DownloadItem.series_id, DownloadItem.season, DownloadItem.episode,
                   DownloadItem.language, DownloadItem.file_path)
            .where(DownloadItem.status == ItemStatus.COMPLETED,
                   DownloadItem.file_path.is_not(None)))
    if series_ids is not None:
        files = files.where(LibraryFolder.series_id.in_(list(series_ids)))
        done = done.where(DownloadItem.series_id.in_(list(series_ids)))
    finished = [row for row in session.execute(done) if file_present(Path(row.file_path))]
    for series_id, season, episode, language, path in [*session.execute(files), *finished]:
        copies = held[series_id][(season, episode)]
        holding = Holding(Language.parse(language) if language else None, path)
        if all(copy.path != holding.path for copy in copies):
            copies.append(holding)
    return held


def find_upgrades(session: Session, settings: AppSettings,
                  series_ids: Collection[int] | None = None) -> list[Upgrade]:
    """Episodes to upgrade by each series' preferences, in series and episode order.

    An episode with an untagged copy, or one already queued or downloading in any
    language, is never offered as an upgrade.
    """
    query = select(Series)
    if series_ids is not None:
        query = query.where(Series.id.in_(list(series_ids)))
    series_by_id = {series.id: series for series in session.scalars(query)}
    if not series_by_id:
        return []
    held = held_episodes(session, series_by_id)
    busy = {(row.series_id, row.season, row.episode) for row in session.execute(
        select(DownloadItem.series_id, DownloadItem.season, DownloadItem.episode)
        .where(DownloadItem.status.in_(_BUSY),
               DownloadItem.series_id.in_(list(series_by_id))))}
    offered = session.execute(
        select(Episode.series_id, Episode.season, Episode.number, Episode.languages)
        .where(Episode.series_id.in_(list(held)))
        .order_by(Episode.series_id, Episode.season, Episode.number))
    found = []
    for series_id, season, number, languages in offered:
        copies = held[series_id].get((season, number))
        if not copies or (series_id, season, number) in busy:
            continue
        upgrade = _upgrade(series_by_id[series_id], settings, season, number, copies,
                           languages_from(languages))
        if upgrade is not None:
            found.append(upgrade)
    return found


def episode_upgrade(series: Series, settings: AppSettings, season: int, number: int,
                    copies: list[Holding], offered: frozenset[Language]) -> Upgrade | None:
    """The upgrade of one held episode that is not busy, by the series' preferences, or None.

    For callers that read the held copies themselves (the Wanted view); ``copies`` must
    not be empty.
    """
    return _upgrade(series, settings, season, number, copies, offered)


def _upgrade(series: Series, settings: AppSettings, season: int, number: int,
             copies: list[Holding], offered: frozenset[Language]) -> Upgrade | None:
    if any(copy.language is None for copy in copies):
        return None
    prefs = preferences(series, settings)
    rank = {language: index for index, language in enumerate(prefs.language_order)}
    current = min((copy.language for copy in copies if copy.language is not None),
                  key=lambda language: rank.get(language, len(rank)))
    target = upgrade_language(current, offered, prefs.language_order, prefs.upgrade_until)
    if target is None:
        return None
    return Upgrade(series.id, season, number, current, target, tuple(copies))
