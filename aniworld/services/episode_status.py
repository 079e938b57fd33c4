"""Where each episode of a series stands: on disk, missing, queued, downloading or failed.

The derivation is a pure function over the episodes, their queue items, a file-exists
callable (for finished items) and the episodes the library scan found on disk. Sonarr's
grabs (items with a ``save_path``) are Sonarr's downloads, not the library's: they leave
the episode as it is (a finished grab is no copy, a running one does not queue it).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from aniworld.models import ItemStatus

EpisodeKey = tuple[int, int]


class EpisodeLike(Protocol):
    """An episode row: the model or a selected row with these columns."""

    season: int
    number: int


class ItemLike(Protocol):
    """A queue item row: the model or a selected row with these columns."""

    id: int
    season: int
    episode: int
    status: ItemStatus
    progress: float
    last_error: str | None
    last_error_phrase: str | None
    file_path: str | None
    save_path: str | None


class EpisodeState(StrEnum):
    """What the library page shows for one episode; the value doubles as a CSS suffix."""

    ON_DISK = "on-disk"
    DOWNLOADING = "downloading"
    QUEUED = "queued"
    FAILED = "failed"
    MISSING = "missing"


# When several items concern one episode (other languages, retries), the most telling wins:
# running work first, then a finished file, then the latest failure.
_RANK = {EpisodeState.DOWNLOADING: 0, EpisodeState.QUEUED: 1, EpisodeState.ON_DISK: 2,
         EpisodeState.FAILED: 3, EpisodeState.MISSING: 4}
_ITEM_STATES = {ItemStatus.DOWNLOADING: EpisodeState.DOWNLOADING,
                ItemStatus.PENDING: EpisodeState.QUEUED, ItemStatus.PAUSED: EpisodeState.QUEUED,
                ItemStatus.FAILED: EpisodeState.FAILED}


@dataclass(frozen=True)
class EpisodeStatus:
    """The state of one episode, with the progress or error that explains it."""

    state: EpisodeState
    progress: float = 0.0
    error: str = ""  # English (the API)
    # ``error`` as phrase JSON (the item's ``last_error_phrase``), for the reader's language.
    error_phrase: str | None = None

    @property
    def label(self) -> str:
        """Short text for the table, e.g. ``downloading 42 %`` or ``failed: no hoster``."""
        if self.state is EpisodeState.DOWNLOADING:
            return f"downloading {int(self.progress)} %"
        if self.state is EpisodeState.FAILED:
            return f"failed: {self.error}" if self.error else "failed"
        return self.state.value.replace("-", " ")

    @property
    def wanted(self) -> bool:
        """True if nothing is on disk or on its way (missing, or failed)."""
        return self.state in (EpisodeState.MISSING, EpisodeState.FAILED)


MISSING = EpisodeStatus(EpisodeState.MISSING)
ON_DISK = EpisodeStatus(EpisodeState.ON_DISK)


@dataclass(frozen=True)
class StatusCounts:
    """How many episodes of a series are on disk and how many are still wanted."""

    total: int
    on_disk: int
    missing: int


def episode_statuses(episodes: Iterable[EpisodeLike], items: Iterable[ItemLike],
                     exists: Callable[[Path], bool],
                     on_disk: Collection[EpisodeKey] = frozenset(),
                     ) -> dict[EpisodeKey, EpisodeStatus]:
    """Status per ``(season, number)`` from queue items, their files and the library scan.

    ``on_disk`` holds the episodes the last scan found in an acceptable language.
    """
    by_episode: dict[EpisodeKey, list[ItemLike]] = {}
    for item in sorted(items, key=lambda i: i.id or 0):
        if item.save_path is not None:
            continue  # a Sonarr grab
        by_episode.setdefault((item.season, item.episode), []).append(item)
    result: dict[EpisodeKey, EpisodeStatus] = {}
    for episode in episodes:
        key = (episode.season, episode.number)
        status = _best(_item_status(item, exists) for item in by_episode.get(key, []))
        if status.wanted and key in on_disk:
            status = ON_DISK
        result[key] = status
    return result


def _item_status(item: ItemLike, exists: Callable[[Path], bool]) -> EpisodeStatus:
    if item.status is ItemStatus.COMPLETED:
        return ON_DISK if item.file_path and exists(Path(item.file_path)) else MISSING
    state = _ITEM_STATES.get(item.status)
    if state is None:  # cancelled: as if never queued
        return MISSING
    return EpisodeStatus(state, item.progress or 0.0, item.last_error or "",
                         item.last_error_phrase)


def _best(statuses: Iterable[EpisodeStatus]) -> EpisodeStatus:
    # Items arrive oldest first; "<=" lets the newest of equal rank (e.g. failures) win.
    best = MISSING
    for status in statuses:
        if _RANK[status.state] <= _RANK[best.state]:
            best = status
    return best


def count_statuses(statuses: dict[EpisodeKey, EpisodeStatus]) -> StatusCounts:
    """Count episodes on disk and episodes still wanted (missing or failed)."""
    values = list(statuses.values())
    return StatusCounts(total=len(values),
                        on_disk=sum(s.state is EpisodeState.ON_DISK for s in values),
                        missing=sum(s.wanted for s in values))


def file_present(path: Path) -> bool:
    """True for a non-empty regular file (the downloader's notion of "done")."""
    try:
        return path.is_file() and path.stat().st_size > 0
    except OSError:
        return False


@dataclass(frozen=True)
class DownloadPlan:
    """Episodes to queue, and how many were left out because they are on disk or queued."""

    keys: list[EpisodeKey]
    not_wanted: int


def plan_downloads(episodes: Iterable[EpisodeLike], statuses: dict[EpisodeKey, EpisodeStatus],
                   *, only_wanted: bool = True) -> DownloadPlan:
    """Pick the episodes to queue: every one, or only the wanted ones if asked.

    Which language each is queued in (and whether it is offered) is the queue's choice.
    """
    keys, not_wanted = [], 0
    for episode in episodes:
        key = (episode.season, episode.number)
        if only_wanted and not statuses.get(key, MISSING).wanted:
            not_wanted += 1
        else:
            keys.append(key)
    return DownloadPlan(keys, not_wanted)
