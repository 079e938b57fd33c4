"""JSON shapes of API resources.

A series is named by its public key (bare slug on aniworld.to, ``sto:<slug>`` on s.to) and
its ``site`` is given beside it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aniworld.languages import Language
from aniworld.models import DownloadItem, LibraryFolder, Priority
from aniworld.services.library.folders import candidates_of
from aniworld.services.library.overview import SeriesReport
from aniworld.services.library.wanted import WantedEpisode, WantedPage
from aniworld.services.queue import BulkResult, GroupItems, GroupPage, PendingItem, QueueView
from aniworld.sites import public_series_key


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def item_to_dict(item: DownloadItem) -> dict[str, Any]:
    """Serialise one queue item with everything a client shows."""
    return {
        "id": item.id,
        "series_key": item.series.public_key,
        "site": item.series.site,
        "series_title": item.series.title,
        "season": item.season,
        "episode": item.episode,
        "language": item.language,
        "priority": Priority(item.priority).label,
        "position": item.position,
        "status": item.status,
        "progress": round(item.progress, 2),
        "downloaded_bytes": item.downloaded_bytes,
        "total_bytes": item.total_bytes,
        "speed": item.speed,
        "eta_seconds": item.eta_seconds,
        "attempts": item.attempts,
        "error": item.last_error,
        "hoster": item.hoster,
        "file_path": item.file_path,
        "note": item.note,
        "force": item.force,
        "language_fallback": item.language_fallback,
        # A language upgrade: the language it replaces and the copies' paths (else null, []).
        "upgrade_from": item.upgrade_from,
        "replaces": item.replaced_paths,
        "retry_at": _iso(item.not_before),
        "created_at": _iso(item.created_at),
        "started_at": _iso(item.started_at),
        "completed_at": _iso(item.completed_at),
        "updated_at": _iso(item.updated_at),
    }


def bulk_to_dict(result: BulkResult) -> dict[str, Any]:
    """Serialise a bulk add: created items, skipped and refused episodes, languages used."""
    return {
        "created": [item_to_dict(item) for item in result.created],
        "skipped": [{"season": season, "episode": episode} for season, episode in result.skipped],
        "not_offered": [{"season": season, "episode": episode, "languages": _values(offered)}
                        for (season, episode), offered in result.not_offered.items()],
        "languages_chosen": {language.value: count
                             for language, count in result.languages_chosen.items()},
    }


def _values(languages: frozenset[Language]) -> list[str]:
    return [language.value for language in Language if language in languages]


def queue_to_dict(view: QueueView) -> dict[str, Any]:
    """Serialise the grouped queue."""
    groups = ("active", "pending", "completed", "failed", "cancelled")
    body: dict[str, Any] = {"paused": view.paused}
    for group in groups:
        body[group] = [item_to_dict(item) for item in getattr(view, group)]
    return body


def group_page_to_dict(page: GroupPage) -> dict[str, Any]:
    """Serialise a page of queue groups (runs of one series' waiting items)."""
    return {
        "groups": [{"id": group.id, "first_id": group.first_id,
                    "series_key": public_series_key(group.series_site, group.series_key),
                    "site": group.series_site, "series_title": group.series_title,
                    "priority": group.priority.label, "count": group.count,
                    "paused": group.paused, "episodes": group.episodes,
                    "language": group.language} for group in page.groups],
        "offset": page.offset, "total_groups": page.total, "total_items": page.items,
    }


def group_items_to_dict(page: GroupItems) -> dict[str, Any]:
    """Serialise a page of one group's items."""
    return {"group": page.group_id, "offset": page.offset, "total": page.total,
            "paused": page.paused, "items": [_waiting_to_dict(item) for item in page.items]}


def _waiting_to_dict(item: PendingItem) -> dict[str, Any]:
    return {"id": item.id, "season": item.season, "episode": item.episode,
            "language": item.language, "priority": item.priority.label,
            "position": item.position, "status": item.status, "attempts": item.attempts,
            "downloaded_bytes": item.downloaded_bytes, "error": item.last_error,
            "retry_at": _iso(item.not_before), "note": item.note,
            "upgrade_from": item.upgrade_from}


def missing_to_dict(report: SeriesReport) -> dict[str, Any]:
    """Serialise one series' missing episodes, each in the language it would be fetched in."""
    return {
        "key": report.series.public_key,
        "site": report.series.site,
        "title": report.series.title,
        "missing_count": len(report.missing),
        "episodes": [{"season": m.season, "episode": m.number, "language": m.language.value}
                     for m in report.missing],
    }


def folder_to_dict(folder: LibraryFolder) -> dict[str, Any]:
    """Serialise a library folder as the last scan (and the user's choices) left it."""
    series = folder.series
    return {
        "id": folder.id,
        "name": folder.name,
        "state": folder.state,
        "series_key": series.public_key if series is not None else None,
        "series_title": series.title if series is not None else None,
        "title_guess": folder.title_guess,
        "year_guess": folder.year_guess,
        "file_count": folder.file_count,
        "reason": folder.reason,
        "candidates": candidates_of(folder),
        "scanned_at": _iso(folder.scanned_at),
    }


def wanted_to_dict(page: WantedPage, per_page: int) -> dict[str, Any]:
    """Serialise a page of the Wanted view: series groups by public key, and the totals."""
    return {
        "series": [{"key": group.key, "site": group.site, "title": group.title,
                    "monitored": group.monitored, "wanted_count": len(group.episodes),
                    "episodes": [_wanted_episode(episode) for episode in group.episodes]}
                   for group in page.groups],
        "total": page.total, "missing": page.missing, "upgrades": page.upgrades,
        "series_total": page.series_total, "page": page.page, "pages": page.pages,
        "per_page": per_page,
    }


def _wanted_episode(episode: WantedEpisode) -> dict[str, Any]:
    return {"season": episode.season, "episode": episode.episode, "code": episode.code,
            "kind": episode.kind.value, "language": episode.language.value,
            "current": episode.current.value if episode.current else None,
            "failed": episode.failed, "since": _iso(episode.since)}
