"""Episodes held in a language the user ranks lower than one the site now offers.

The Wanted view lists them and monitoring queues them (:func:`queue_upgrades`); both ask
:func:`find_upgrades`, so they agree. What is held comes from the last scan (files of
matched folders, with the language their name carries) and from finished downloads (the
item's language). After the worker swapped a new file in, :func:`record_swap` makes the
library show it at once, without waiting for the next scan.
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.library.swap import real_path, relative_to_library
from aniworld.models import (
    DownloadItem,
    Episode,
    FolderState,
    ItemStatus,
    LibraryFile,
    LibraryFolder,
    Priority,
    Series,
)
from aniworld.models.episode import languages_from
from aniworld.phrases import N_, Phrase
from aniworld.services.episode_status import EpisodeKey, file_present
from aniworld.services.library.preferences import preferences, upgrade_language
from aniworld.services.queue._common import (
    POSITION_STEP,
    duplicates_as_conflict,
    next_position,
)
from aniworld.services.settings import AppSettings

logger = logging.getLogger(__name__)

# Items in these states already bring the episode (or are the upgrade itself).
_BUSY = (ItemStatus.PENDING, ItemStatus.DOWNLOADING, ItemStatus.PAUSED)
# Upgrades wait behind missing episodes: a better copy of something the user can already
# watch is worth less than an episode they cannot.
UPGRADE_PRIORITY = Priority.LOW
REPLACED_NOTE = N_("replaced by a language upgrade; the old file went to the holding folder")


@dataclass(frozen=True)
class Holding:
    """One copy of an episode the library has: its language (None = untagged) and path.

    The path of a scanned file is relative to the library, a finished download's absolute.
    """

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
                    LibraryFile.language, LibraryFolder.name, LibraryFile.path)
             .join(LibraryFolder, LibraryFile.folder_id == LibraryFolder.id)
             .where(LibraryFolder.state == FolderState.MATCHED,
                    LibraryFolder.series_id.is_not(None)))
    done = (select(DownloadItem.series_id, DownloadItem.season, DownloadItem.episode,
                   DownloadItem.language, DownloadItem.file_path)
            .where(DownloadItem.status == ItemStatus.COMPLETED,
                   DownloadItem.file_path.is_not(None),
                   # A Sonarr grab's file is Sonarr's to import: never a copy to replace.
                   DownloadItem.save_path.is_(None)))
    if series_ids is not None:
        files = files.where(LibraryFolder.series_id.in_(list(series_ids)))
        done = done.where(DownloadItem.series_id.in_(list(series_ids)))
    finished = [tuple(row) for row in session.execute(done)
                if file_present(Path(row.file_path))]
    scanned = [(series_id, season, episode, language, os.path.join(folder, path))
               for series_id, season, episode, language, folder, path in session.execute(files)]
    for series_id, season, episode, language, path in [*scanned, *finished]:
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
        .where(DownloadItem.status.in_(_BUSY), DownloadItem.save_path.is_(None),
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


def queue_upgrades(session: Session, settings: AppSettings, series_ids: Collection[int],
                   episodes: Collection[EpisodeKey] | None = None) -> list[DownloadItem]:
    """Queue one upgrade per episode :func:`find_upgrades` offers (only ``episodes``); no commit.

    Each item fetches the target language even though the episode is on disk (force) and
    names the copies it replaces. An episode with a failed item is left to the user, so
    one episode never has two upgrades (nor an upgrade beside a failed download).
    """
    found = [upgrade for upgrade in find_upgrades(session, settings, series_ids)
             if episodes is None or upgrade.key in episodes]
    if not found:
        return []
    failed = {tuple(row) for row in session.execute(
        select(DownloadItem.series_id, DownloadItem.season, DownloadItem.episode)
        .where(DownloadItem.status == ItemStatus.FAILED, DownloadItem.save_path.is_(None),
               DownloadItem.series_id.in_(list(series_ids))))}
    position = next_position(session, UPGRADE_PRIORITY)
    items = []
    for upgrade in found:
        if (upgrade.series_id, *upgrade.key) in failed:
            continue
        items.append(DownloadItem(
            series_id=upgrade.series_id, season=upgrade.season, episode=upgrade.episode,
            language=upgrade.target, priority=UPGRADE_PRIORITY, position=position,
            force=True, upgrade_from=upgrade.current,
            replaces=json.dumps([copy.path for copy in upgrade.held])))
        position += POSITION_STEP
    session.add_all(items)
    with duplicates_as_conflict(Phrase("An upgrade")):
        session.flush()
    for item in items:
        logger.info("upgrade queued item_id=%s series_id=%s episode=%s from=%s to=%s",
                    item.id, item.series_id, item.code, item.upgrade_from, item.language)
    return items


def queue_series_upgrades(session: Session, series: Series, settings: AppSettings) -> int:
    """Queue the upgrades of ``series`` if it is monitored; returns how many (no commit).

    After a refresh (a dub appeared) and after the user changed the series' preferences
    or switched monitoring on: the catalogue is already stored, so nothing waits for the
    next monitoring round.
    """
    if not series.monitored:
        return 0
    session.flush()
    return len(queue_upgrades(session, settings, [series.id]))


def record_swap(session: Session, item_id: int, library: Path, placed: Path,
                removed: Sequence[Path], size: int) -> None:
    """Show an upgrade's new file in the library at once; no commit.

    The replaced copies stop counting (their scan rows go, finished downloads that named
    them lose their path) and the new file gets a scan row in its series folder's row,
    if that folder was scanned. The next scan re-reads the folder anyway (its times
    changed), so this only bridges the time until then.
    """
    item = session.get(DownloadItem, item_id)
    if item is None:
        return
    gone = {real_path(path) for path in removed} | {real_path(placed)}
    session.execute(update(DownloadItem).where(
        DownloadItem.series_id == item.series_id, DownloadItem.season == item.season,
        DownloadItem.episode == item.episode, DownloadItem.id != item.id,
        DownloadItem.status == ItemStatus.COMPLETED,
        DownloadItem.file_path.in_(sorted(str(path) for path in gone)))
        .values(file_path=None, note=REPLACED_NOTE))
    relative = {str(path) for path in (relative_to_library(library, p) for p in gone)
                if path is not None}
    rows = session.execute(select(LibraryFile.id, LibraryFolder.name, LibraryFile.path)
                           .join(LibraryFolder, LibraryFile.folder_id == LibraryFolder.id)
                           .where(LibraryFolder.series_id == item.series_id,
                                  LibraryFile.season == item.season,
                                  LibraryFile.episode == item.episode)).all()
    stale = [row.id for row in rows if os.path.join(row.name, row.path) in relative]
    if stale:
        session.execute(delete(LibraryFile).where(LibraryFile.id.in_(stale)))
    _add_scan_row(session, item, relative_to_library(library, real_path(placed)), size)


def _add_scan_row(session: Session, item: DownloadItem, relative: Path | None,
                  size: int) -> None:
    if relative is None or len(relative.parts) < 2:
        return
    folder = session.scalar(select(LibraryFolder).where(
        LibraryFolder.name == relative.parts[0], LibraryFolder.series_id == item.series_id))
    if folder is not None:
        session.add(LibraryFile(folder_id=folder.id, season=item.season, episode=item.episode,
                                language=item.language.value, size=size,
                                path=str(Path(*relative.parts[1:]))))

