"""What background work tells the integrations: one event type per thing that happened.

The download runner, the monitoring round, the scan and the site hold publish events;
subscribers (notifications, media-server refresh, artwork/NFO, metrics) react. A subscriber
that fails is logged and skipped: an integration never fails or delays the work it reports on.
Events carry ids and facts, not ORM objects: a subscriber reads what else it needs itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from aniworld.phrases import Phrase
from aniworld.tasks.runtime import Runtime

logger = logging.getLogger(__name__)


class ActionKind(StrEnum):
    """Why a human is needed."""

    CAPTCHA = "captcha"
    SITE_CHALLENGE = "site_challenge"
    DISK_RESERVE = "disk_reserve"


@dataclass(frozen=True)
class DownloadFinished:
    """Queue item ``item_id`` completed; its file is ``file_path`` (an upgrade included)."""

    item_id: int
    file_path: str
    already_present: bool = False


@dataclass(frozen=True)
class DownloadFailed:
    """Queue item ``item_id`` failed for good (no retry left) with ``reason``."""

    item_id: int
    reason: str | Phrase


@dataclass(frozen=True)
class ActionNeeded:
    """Work stopped until a person acts: solve a captcha, pass a challenge, free disk space."""

    kind: ActionKind
    message: str | Phrase  # what to do, in the reader's language when it is a Phrase
    site: str | None = None
    item_id: int | None = None


@dataclass(frozen=True)
class MonitorQueued:
    """A monitoring round queued new episodes: ``series`` maps a title to its count."""

    queued: int
    series: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class UnmatchedFolders:
    """A library scan left folders it could not match to a series."""

    folders: tuple[str, ...]


Event = DownloadFinished | DownloadFailed | ActionNeeded | MonitorQueued | UnmatchedFolders
Subscriber = Callable[[Runtime, Event], None]


def _subscribers() -> tuple[Subscriber, ...]:
    # Imported here: the subscribers import the runtime and services, not the other way round.
    from aniworld.tasks import artwork, media_refresh, metrics, notify

    return (metrics.on_event, artwork.on_event, media_refresh.on_event, notify.on_event)


def publish(runtime: Runtime, event: Event) -> None:
    """Hand ``event`` to every subscriber; a subscriber's error is logged, never raised."""
    for subscriber in _subscribers():
        try:
            subscriber(runtime, event)
        except Exception:
            logger.exception("event subscriber failed subscriber=%s event=%s",
                             getattr(subscriber, "__module__", subscriber), type(event).__name__)
