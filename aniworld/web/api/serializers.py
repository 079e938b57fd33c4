"""JSON shapes of API resources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aniworld.models import DownloadItem, Priority
from aniworld.services.queue import QueueView


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def item_to_dict(item: DownloadItem) -> dict[str, Any]:
    """Serialise one queue item with everything a client shows."""
    return {
        "id": item.id,
        "series_key": item.series.key,
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
        "retry_at": _iso(item.not_before),
        "created_at": _iso(item.created_at),
        "started_at": _iso(item.started_at),
        "completed_at": _iso(item.completed_at),
        "updated_at": _iso(item.updated_at),
    }


def queue_to_dict(view: QueueView) -> dict[str, Any]:
    """Serialise the grouped queue."""
    groups = ("active", "pending", "completed", "failed", "cancelled")
    body: dict[str, Any] = {"paused": view.paused}
    for group in groups:
        body[group] = [item_to_dict(item) for item in getattr(view, group)]
    return body
