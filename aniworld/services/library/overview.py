"""Downloaded, queued and missing episodes per series, from the scan and the queue.

"Missing" follows the issue's definition: an episode the site offers in an acceptable
language (the language preference setting) that is neither on disk in an acceptable
language (per the last scan, or a finished download) nor on its way in the queue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.library.missing import MissingEpisode
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
from aniworld.services import queue as queue_service
from aniworld.services.episode_status import (
    EpisodeKey,
    EpisodeState,
    EpisodeStatus,
    episode_statuses,
    file_present,
)
from aniworld.services.settings import AppSettings


@dataclass(frozen=True)
class LibraryCounts:
    """Episode counts of one series; ``total`` counts what can be had (offered or on disk)."""

    total: int = 0
    on_disk: int = 0
    queued: int = 0
    missing: int = 0
    failed: int = 0


@dataclass(frozen=True)
class SeriesReport:
    """A series with its counts and its missing episodes in the language to fetch them in."""

    series: Series
    counts: LibraryCounts
    missing: list[MissingEpisode] = field(default_factory=list)


@dataclass(frozen=True)
class QueuedMissing:
    """What "download all missing" did: items created, duplicates skipped, series touched."""

    created: int
    skipped: int
    series: int


def disk_episodes(session: Session, acceptable: Sequence[Language],
                  series_ids: Collection[int] | None = None) -> dict[int, set[EpisodeKey]]:
    """Episodes on disk per series id: files of matched folders in an acceptable language.

    A file without a language tag counts for every language (see ``library.missing``).
    """
    allowed = {language.value for language in acceptable}
    query = (select(LibraryFolder.series_id, LibraryFile.season, LibraryFile.episode,
                    LibraryFile.language)
             .join(LibraryFolder, LibraryFile.folder_id == LibraryFolder.id)
             .where(LibraryFolder.state == FolderState.MATCHED,
                    LibraryFolder.series_id.is_not(None)))
    if series_ids is not None:
        query = query.where(LibraryFolder.series_id.in_(list(series_ids)))
    found: dict[int, set[EpisodeKey]] = defaultdict(set)
    for series_id, season, episode, language in session.execute(query):
        if language is None or language in allowed:
            found[series_id].add((season, episode))
    return found


def series_statuses(session: Session, series: Series, episodes: Iterable[Episode],
                    settings: AppSettings) -> dict[EpisodeKey, EpisodeStatus]:
    """Status of ``episodes`` of one series from its queue items and the last scan."""
    on_disk = disk_episodes(session, settings.language_order, [series.id]).get(series.id, set())
    return episode_statuses(episodes, series.items, file_present, on_disk)


def library_report(session: Session, settings: AppSettings,
                   series_ids: Collection[int] | None = None) -> list[SeriesReport]:
    """Counts and missing episodes of every series (or of ``series_ids``), by title.

    Reads episodes and items as plain rows: a library of 1,000 series has ~100,000
    episodes, too many to load as ORM objects for one page.
    """
    query = select(Series).order_by(Series.title)
    if series_ids is not None:
        query = query.where(Series.id.in_(list(series_ids)))
    all_series = list(session.scalars(query))
    ids = [series.id for series in all_series]
    episodes = group_by_series(session.execute(select(
        Episode.series_id, Episode.season, Episode.number, Episode.languages)
        .where(Episode.series_id.in_(ids))))
    items = item_rows(session, ids)
    on_disk = disk_episodes(session, settings.language_order, ids)
    return [_report(series, episodes.get(series.id, []), items.get(series.id, []),
                    on_disk.get(series.id, set()), settings.language_order)
            for series in all_series]


def item_rows(session: Session, series_ids: Collection[int]) -> dict[int, list[Row[Any]]]:
    """Queue items of ``series_ids`` per series, as rows of the columns ``episode_statuses`` reads.

    Cancelled items count as never queued; Sonarr's grabs (a ``save_path``) are not the library's.
    """
    return group_by_series(session.execute(
        select(DownloadItem.series_id, DownloadItem.id, DownloadItem.season,
               DownloadItem.episode, DownloadItem.status, DownloadItem.progress,
               DownloadItem.last_error, DownloadItem.last_error_phrase,
               DownloadItem.file_path, DownloadItem.save_path)
        .where(DownloadItem.series_id.in_(list(series_ids)),
               DownloadItem.status != ItemStatus.CANCELLED,
               DownloadItem.save_path.is_(None))))


def group_by_series(rows: Iterable[Row[Any]]) -> dict[int, list[Row[Any]]]:
    """``rows`` (each with a ``series_id`` column) grouped by series id, in their order."""
    grouped: dict[int, list[Row[Any]]] = defaultdict(list)
    for row in rows:
        grouped[row.series_id].append(row)
    return grouped


def _report(series: Series, episodes: list[Row[Any]], items: list[Row[Any]],
            on_disk: set[EpisodeKey], order: Sequence[Language]) -> SeriesReport:
    statuses = episode_statuses(episodes, items, file_present, on_disk)  # type: ignore[arg-type]
    # The same choice as queueing without a language (queue.languages), so "missing in
    # German Sub" here is what "download all missing" then queues.
    offers = queue_service.Offers(series, {(e.season, e.number): languages_from(e.languages)
                                           for e in episodes})
    total = on_disk_count = queued = failed = 0
    missing: list[MissingEpisode] = []
    for episode in sorted(episodes, key=lambda e: (e.season == 0, e.season, e.number)):
        status = statuses[(episode.season, episode.number)]
        language = offers.best((episode.season, episode.number), order)
        if status.state is EpisodeState.ON_DISK:
            on_disk_count += 1
        elif language is None:
            continue  # not offered in an acceptable language: neither owned nor missing
        elif status.state in (EpisodeState.QUEUED, EpisodeState.DOWNLOADING):
            queued += 1
        else:
            failed += status.state is EpisodeState.FAILED
            missing.append(MissingEpisode(episode.season, episode.number, language))
        total += 1
    counts = LibraryCounts(total, on_disk_count, queued, len(missing), failed)
    return SeriesReport(series, counts, missing)


def queue_missing(session: Session, settings: AppSettings,
                  series_ids: Collection[int] | None = None,
                  priority: Priority = Priority.NORMAL) -> QueuedMissing:
    """Queue every missing episode (of ``series_ids`` or of the whole library); no commit.

    One transaction for the caller to commit; see :func:`queue_episodes`.
    """
    created = skipped = touched = 0
    for report in library_report(session, settings, series_ids):
        if report.missing:
            queued, already = queue_episodes(session, report.series, report.missing, priority)
            created, skipped, touched = created + queued, skipped + already, touched + 1
    return QueuedMissing(created, skipped, touched)


def queue_episodes(session: Session, series: Series, episodes: Iterable[MissingEpisode],
                   priority: Priority = Priority.NORMAL) -> tuple[int, int]:
    """Queue ``episodes`` each in its language; returns (queued, already queued); no commit.

    An episode whose download failed is retried: its failed item still holds the
    episode's place in the queue, so adding it again would only be skipped.
    """
    by_language: dict[Language, list[EpisodeKey]] = defaultdict(list)
    for episode in episodes:
        by_language[episode.language].append((episode.season, episode.number))
    queued = already = 0
    for language, keys in by_language.items():
        result = queue_service.add_many(session, series, keys, language, priority)
        retried = _retry_failed(session, series, language, set(result.skipped))
        queued += len(result.created) + retried
        already += len(result.skipped) - retried
    return queued, already


def _retry_failed(session: Session, series: Series, language: Language,
                  keys: set[EpisodeKey]) -> int:
    """Retry the failed items among ``keys``; returns how many were requeued."""
    if not keys:
        return 0
    failed = session.execute(select(DownloadItem.id, DownloadItem.season, DownloadItem.episode)
                             .where(DownloadItem.series_id == series.id,
                                    DownloadItem.language == language,
                                    DownloadItem.status == ItemStatus.FAILED,
                                    DownloadItem.save_path.is_(None))).all()
    ids = [item_id for item_id, season, episode in failed if (season, episode) in keys]
    for item_id in ids:
        queue_service.retry_item(session, item_id)
    return len(ids)


def count_unmatched(session: Session) -> int:
    """How many library folders wait for the user to pick their series."""
    return count_folders(session, FolderState.UNMATCHED)


def count_folders(session: Session, state: FolderState) -> int:
    """How many library folders the last scan left in ``state``."""
    return session.scalar(select(func.count(LibraryFolder.id))
                          .where(LibraryFolder.state == state)) or 0
