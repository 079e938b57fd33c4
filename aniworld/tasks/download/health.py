"""The job's side of hoster health: read the breaker before choosing, record each outcome.

Each read or write is its own short transaction, never one held open during a download.
Health is advice: a database error here is logged and the download goes on.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError

from aniworld.downloader.errors import (
    DownloadCancelled,
    DownloadError,
    DownloadPaused,
    FfmpegMissing,
    InsufficientDiskSpace,
)
from aniworld.errors import AniworldError
from aniworld.hosters import HosterError, UnsupportedHoster
from aniworld.services import hoster_health
from aniworld.services.hoster_health import Breaker
from aniworld.services.settings import AppSettings
from aniworld.tasks.runtime import Runtime
from aniworld.urlguard import BlockedUrl

logger = logging.getLogger(__name__)

# Failures of this machine or of the user, not of the hoster.
_NOT_THE_HOSTERS = (DownloadCancelled, DownloadPaused, InsufficientDiskSpace, FfmpegMissing,
                    UnsupportedHoster)


def counts_against_hoster(error: BaseException) -> bool:
    """Return whether ``error`` says something about the hoster (its page, server or file)."""
    if isinstance(error, _NOT_THE_HOSTERS):
        return False
    return isinstance(error, HosterError | DownloadError | BlockedUrl)


def breaker(settings: AppSettings) -> Breaker:
    """The breaker the settings ask for."""
    return Breaker(settings.breaker_failures, timedelta(minutes=settings.breaker_cooldown_minutes))


def cooling(runtime: Runtime, site: str) -> frozenset[str]:
    """Lower-case names of the hosters to try last now (breaker open)."""
    try:
        with runtime.sessions() as session:
            return hoster_health.cooling_down(session, site)
    except SQLAlchemyError as exc:
        logger.warning("hoster health unreadable site=%s error=%s", site, exc)
        return frozenset()


def record_success(runtime: Runtime, site: str, hoster: str,
                   bytes_per_second: float | None) -> None:
    """Count a delivered file for ``hoster`` (closes its breaker)."""
    try:
        with runtime.sessions() as session:
            hoster_health.record_success(session, site, hoster, bytes_per_second)
            session.commit()
    except SQLAlchemyError as exc:
        logger.warning("hoster success not recorded site=%s hoster=%s error=%s",
                       site, hoster, exc)


def record_failure(runtime: Runtime, site: str, hoster: str, error: AniworldError,
                   settings: AppSettings) -> None:
    """Count ``error`` against ``hoster`` if it is the hoster's fault."""
    if not counts_against_hoster(error):
        return
    try:
        with runtime.sessions() as session:
            hoster_health.record_failure(session, site, hoster, error.code, error.phrase,
                                         breaker(settings))
            session.commit()
    except SQLAlchemyError as exc:
        logger.warning("hoster failure not recorded site=%s hoster=%s error=%s",
                       site, hoster, exc)
