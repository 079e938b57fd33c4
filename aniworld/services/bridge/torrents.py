"""A grab as qBittorrent describes a torrent: ``torrents/info``, ``properties`` and ``files``.

The fields and states are those Sonarr's qBittorrent client reads (QBittorrentTorrent,
its GetItems switch): ``hash``, ``name``, ``size``, ``progress`` (0 to 1), ``eta`` (8640000 =
unknown), ``state``, ``category``, ``save_path``, ``content_path`` (the file: Sonarr imports
it when the state says "completed" and it differs from ``save_path``), ``ratio`` and the
seeding limits (-2 = the global ones, which ``app/preferences`` reaches at ratio 0, so a
finished grab may be moved and removed by Sonarr at once).

States follow qBittorrent 4.6 (Web API 2.9), which every Sonarr version understands:
waiting → ``queuedDL``, downloading → ``downloading``, paused → ``pausedDL``, finished →
``pausedUP`` (``missingFiles`` once the file is gone), failed or cancelled → ``error``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from aniworld.models import DownloadItem, ItemStatus

UNKNOWN_ETA = 8640000
STATES = {
    ItemStatus.PENDING: "queuedDL",
    ItemStatus.DOWNLOADING: "downloading",
    ItemStatus.PAUSED: "pausedDL",
    ItemStatus.COMPLETED: "pausedUP",
    ItemStatus.FAILED: "error",
    ItemStatus.CANCELLED: "error",
}
# torrents/info ``filter`` → the states it keeps (qBittorrent's TorrentFilter rules).
_DOWNLOADING = {"queuedDL", "downloading", "pausedDL"}
FILTERS: dict[str, set[str]] = {
    "downloading": _DOWNLOADING,
    "seeding": set(),
    "completed": {"pausedUP", "missingFiles"},
    "paused": {"pausedDL", "pausedUP"},
    "stopped": {"pausedDL", "pausedUP"},
    "active": {"downloading"},
    "inactive": {"queuedDL", "pausedDL", "pausedUP", "error", "missingFiles"},
    "resumed": {"queuedDL", "downloading", "error"},
    "running": {"queuedDL", "downloading", "error"},
    "errored": {"error", "missingFiles"},
    "stalled": set(), "stalled_uploading": set(), "stalled_downloading": set(),
    "checking": set(), "moving": set(),
}


def _epoch(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment is not None else -1


def _present(item: DownloadItem) -> bool:
    return bool(item.file_path) and Path(item.file_path).is_file()  # type: ignore[arg-type]


def content_path(item: DownloadItem) -> str:
    """The file (finished) or the folder it will land in."""
    return item.file_path or str(Path(item.save_path or "") / (item.bridge_name or ""))


def state(item: DownloadItem) -> str:
    """The qBittorrent state of the grab."""
    if item.status is ItemStatus.COMPLETED and not _present(item):
        return "missingFiles"
    return STATES[item.status]


def size(item: DownloadItem) -> int:
    """Bytes of the file (finished), else as far as the download knows (0: not yet)."""
    if item.status is ItemStatus.COMPLETED and _present(item):
        return Path(item.file_path).stat().st_size  # type: ignore[arg-type]
    return item.total_bytes or item.downloaded_bytes or 0


def torrent_info(item: DownloadItem) -> dict[str, Any]:
    """One entry of ``torrents/info``."""
    done = item.status is ItemStatus.COMPLETED
    total = size(item)
    progress = 1.0 if done else round(item.progress / 100.0, 4)
    eta = 0 if done else item.eta_seconds if item.eta_seconds is not None else UNKNOWN_ETA
    return {
        "hash": item.bridge_hash, "infohash_v1": item.bridge_hash, "infohash_v2": "",
        "name": item.bridge_name, "size": total, "total_size": total,
        "progress": progress, "eta": eta, "state": state(item),
        "category": item.bridge_category or "", "tags": "",
        "save_path": item.save_path, "download_path": "", "content_path": content_path(item),
        "root_path": content_path(item) if done else "",
        "added_on": _epoch(item.created_at), "completion_on": _epoch(item.completed_at),
        "last_activity": _epoch(item.updated_at), "seen_complete": _epoch(item.completed_at),
        "dlspeed": int(item.speed or 0), "upspeed": 0, "dl_limit": -1, "up_limit": -1,
        "downloaded": item.downloaded_bytes or (total if done else 0), "uploaded": 0,
        "downloaded_session": 0, "uploaded_session": 0,
        "amount_left": 0 if done else max(total - (item.downloaded_bytes or 0), 0),
        "completed": total if done else item.downloaded_bytes or 0,
        "ratio": 0, "ratio_limit": -2, "max_ratio": -1,
        "seeding_time": 0, "seeding_time_limit": -2, "max_seeding_time": -1,
        "inactive_seeding_time_limit": -2, "max_inactive_seeding_time": -1,
        "time_active": 0, "num_seeds": 0, "num_complete": 0, "num_leechs": 0,
        "num_incomplete": 0, "availability": -1, "priority": int(item.priority) + 1,
        "auto_tmm": False, "force_start": False, "seq_dl": False, "f_l_piece_prio": False,
        "super_seeding": False, "private": False, "tracker": "", "trackers_count": 0,
        "magnet_uri": "",
    }


def torrent_properties(item: DownloadItem) -> dict[str, Any]:
    """``torrents/properties`` of the grab (Sonarr reads ``save_path`` and ``seeding_time``)."""
    info = torrent_info(item)
    return {
        "hash": info["hash"], "infohash_v1": info["hash"], "infohash_v2": "",
        "name": info["name"], "save_path": item.save_path, "download_path": "",
        "creation_date": info["added_on"], "addition_date": info["added_on"],
        "completion_date": info["completion_on"], "last_seen": info["seen_complete"],
        "total_size": info["size"], "total_downloaded": info["downloaded"],
        "total_downloaded_session": 0, "total_uploaded": 0, "total_uploaded_session": 0,
        "total_wasted": 0, "dl_speed": info["dlspeed"], "dl_speed_avg": info["dlspeed"],
        "up_speed": 0, "up_speed_avg": 0, "dl_limit": -1, "up_limit": -1,
        "eta": info["eta"], "time_elapsed": 0, "seeding_time": 0, "share_ratio": 0,
        "nb_connections": 0, "nb_connections_limit": -1, "peers": 0, "peers_total": 0,
        "seeds": 0, "seeds_total": 0, "pieces_have": 1 if info["progress"] == 1 else 0,
        "pieces_num": 1, "piece_size": info["size"], "reannounce": 0,
        "comment": "Aniworld bridge grab", "created_by": "Aniworld", "is_private": False,
        "isPrivate": False, "popularity": 0,
    }


def torrent_files(item: DownloadItem) -> list[dict[str, Any]]:
    """``torrents/files``: the one file, named relative to the save path."""
    info = torrent_info(item)
    name = Path(content_path(item)).name
    return [{"index": 0, "name": name, "size": info["size"], "progress": info["progress"],
             "priority": 1, "is_seed": info["progress"] == 1, "piece_range": [0, 0],
             "availability": 1 if info["progress"] == 1 else 0}]


def _sort_key(value: Any) -> tuple[bool, int, float, str]:
    """Order any field's values without comparing numbers to text: missing last, then
    numbers (booleans too) by value, then text."""
    if value is None:
        return (True, 0, 0.0, "")
    if isinstance(value, bool | int | float):
        return (False, 0, float(value), "")
    return (False, 1, 0.0, str(value))


def select_torrents(torrents: Iterable[dict[str, Any]], status_filter: str | None = None,
                    sort: str | None = None, reverse: bool = False, limit: int | None = None,
                    offset: int = 0) -> list[dict[str, Any]]:
    """Apply ``torrents/info``'s filter, sort, reverse, limit and offset."""
    chosen = list(torrents)
    if status_filter and status_filter != "all":
        states = FILTERS.get(status_filter)
        if states is not None:
            chosen = [torrent for torrent in chosen if torrent["state"] in states]
    if sort:
        chosen.sort(key=lambda torrent: _sort_key(torrent.get(sort)), reverse=reverse)
    if offset < 0:
        offset = max(len(chosen) + offset, 0)
    chosen = chosen[offset:]
    return chosen[:limit] if limit is not None and limit > 0 else chosen
