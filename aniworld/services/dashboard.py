"""The home page's figures: queue, library and what needs the user's attention."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session, joinedload

from aniworld.models import DownloadItem, Episode, ItemStatus, Series, utcnow
from aniworld.models.download_item import episode_code
from aniworld.services.episode_status import EpisodeStatus, episode_statuses, file_present
from aniworld.services.library.overview import (
    count_unmatched,
    disk_episodes,
    group_by_series,
    item_rows,
    library_report,
)
from aniworld.services.settings import AppSettings

# Failures only the user can clear: the site wants a captcha solved (spam block or a
# redirect that ends on the captcha page); both errors say so in their message.
ACTION_WORDS = ("captcha",)
LIST_LIMIT = 5
NEW_DAYS = 7
NEW_LIMIT = 10


@dataclass(frozen=True)
class QueueSummary:
    """Counts per state, the running downloads and the latest failures."""

    downloading: int = 0
    pending: int = 0
    paused: int = 0
    failed: int = 0
    current: list[DownloadItem] = field(default_factory=list)
    failures: list[DownloadItem] = field(default_factory=list)

    @property
    def action_needed(self) -> list[DownloadItem]:
        """Failed items the user must act on outside Aniworld (e.g. solve a captcha)."""
        return [item for item in self.failures
                if any(word in (item.last_error or "").lower() for word in ACTION_WORDS)]


@dataclass(frozen=True)
class LibrarySummary:
    """Series in the library, episodes on disk and missing, folders waiting for a match."""

    series: int = 0
    on_disk: int = 0
    missing: int = 0
    unmatched: int = 0


def queue_summary(session: Session, limit: int = LIST_LIMIT) -> QueueSummary:
    """Count the queue by state and load the running and the latest failed items."""
    counts: dict[ItemStatus, int] = {status: count for status, count in session.execute(
        select(DownloadItem.status, func.count(DownloadItem.id)).group_by(DownloadItem.status))}
    return QueueSummary(
        downloading=counts.get(ItemStatus.DOWNLOADING, 0),
        pending=counts.get(ItemStatus.PENDING, 0), paused=counts.get(ItemStatus.PAUSED, 0),
        failed=counts.get(ItemStatus.FAILED, 0),
        current=_items(session, ItemStatus.DOWNLOADING, limit),
        failures=_items(session, ItemStatus.FAILED, limit))


def _items(session: Session, status: ItemStatus, limit: int) -> list[DownloadItem]:
    query = (select(DownloadItem).options(joinedload(DownloadItem.series))
             .where(DownloadItem.status == status)
             .order_by(DownloadItem.updated_at.desc(), DownloadItem.id.desc()).limit(limit))
    return list(session.scalars(query))


def library_summary(session: Session, settings: AppSettings) -> LibrarySummary:
    """Sum the library report over every series, plus the unmatched folders."""
    reports = library_report(session, settings)
    return LibrarySummary(
        series=len(reports),
        on_disk=sum(report.counts.on_disk for report in reports),
        missing=sum(report.counts.missing for report in reports),
        unmatched=count_unmatched(session))


@dataclass(frozen=True)
class NewEpisode:
    """An episode a refresh found (or found in a new language) lately, with its state."""

    series_key: str
    series_title: str
    season: int
    episode: int
    title: str
    since: datetime
    new_language: bool  # it gained a language; otherwise the site listed it for the first time
    status: EpisodeStatus

    @property
    def code(self) -> str:
        """``S01E05``, or ``Film 3`` for season 0."""
        return episode_code(self.season, self.episode)


def whats_new(session: Session, settings: AppSettings, now: datetime | None = None,
              days: int = NEW_DAYS, limit: int = NEW_LIMIT) -> list[NewEpisode]:
    """Episodes of library series first seen or given a language in the last ``days``.

    Newest first, at most ``limit``, each with its state (on disk, queued, downloading,
    failed or missing) as the series page derives it.
    """
    since = (now or utcnow()) - timedelta(days=days)
    rows = session.execute(
        select(Episode.series_id, Episode.season, Episode.number, Episode.title_de,
               Episode.title_en, Episode.first_seen_at, Episode.languages_changed_at)
        .where(or_(Episode.first_seen_at >= since, Episode.languages_changed_at >= since))).all()
    rows.sort(key=lambda row: (_seen(row, since), -row.series_id, -row.season, -row.number),
              reverse=True)
    rows = rows[:limit]
    ids = {row.series_id for row in rows}
    series = {one.id: one for one in session.scalars(select(Series).where(Series.id.in_(ids)))}
    statuses = _statuses(session, settings, rows)
    return [NewEpisode(series[row.series_id].public_key, series[row.series_id].title, row.season,
                       row.number, row.title_de or row.title_en, _seen(row, since),
                       _seen(row, since) != row.first_seen_at,
                       statuses[row.series_id][(row.season, row.number)]) for row in rows]


def _seen(row: Row[Any], since: datetime) -> datetime:
    """The row's latest stamp within the window."""
    stamps = (row.first_seen_at, row.languages_changed_at)
    return max(stamp for stamp in stamps if stamp is not None and stamp >= since)


def _statuses(session: Session, settings: AppSettings, rows: list[Row[Any]],
              ) -> dict[int, dict[tuple[int, int], EpisodeStatus]]:
    """Each row's episode status from its series' queue items and the last scan."""
    by_series = group_by_series(rows)
    items = item_rows(session, by_series)
    on_disk = disk_episodes(session, settings.language_order, list(by_series))
    return {series_id: episode_statuses(
                episodes, items.get(series_id, []),  # type: ignore[arg-type]
                file_present, on_disk.get(series_id, set()))
            for series_id, episodes in by_series.items()}
