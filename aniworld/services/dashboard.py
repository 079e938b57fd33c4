"""The home page's figures: queue, library and what needs the user's attention."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from aniworld.models import DownloadItem, ItemStatus
from aniworld.services.library.overview import count_unmatched, library_report
from aniworld.services.settings import AppSettings

# Failures only the user can clear: the site wants a captcha solved (spam block or a
# redirect that ends on the captcha page); both errors say so in their message.
ACTION_WORDS = ("captcha",)
LIST_LIMIT = 5


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
