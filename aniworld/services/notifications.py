"""Notifications with the database: which URLs are in effect, item facts, the notifier status.

Session in, no commit. The status (``notify.status`` in the ``setting`` table) is the
last delivery's outcome, so the Settings page can show a broken notifier and its error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from aniworld.config import Config
from aniworld.models import DownloadItem
from aniworld.models.download_item import episode_code
from aniworld.notifications import Delivery, Episode
from aniworld.services.integration_settings import NOTIFY_STATUS_KEY, split_notify_urls
from aniworld.services.settings import AppSettings, integration_value
from aniworld.services.settings_store import get_record, set_record

STATUS_KEY = NOTIFY_STATUS_KEY
STORED, ENVIRONMENT = "stored", "environment"


@dataclass(frozen=True)
class NotifyStatus:
    """The last delivery's outcome; ``error`` is empty while the notifiers work."""

    error: str = ""  # every failing URL (named without secrets) with Apprise's reason
    target: str = ""  # the first failing URL, e.g. "JSON json://127.0.0.1:8080 (URL 1)"
    event: str = ""  # the message that failed: completed, failed, …, test
    error_at: str | None = None  # ISO time, UTC
    error_phrase: str | None = None  # ``error`` as phrase JSON (the reader's language)
    success_at: str | None = None  # last time every URL took a message

    @property
    def broken(self) -> bool:
        """Whether the last delivery failed."""
        return bool(self.error)


@dataclass(frozen=True)
class NotifyTargets:
    """The Apprise URLs in effect and where they come from."""

    urls: tuple[str, ...]
    source: str | None  # STORED, ENVIRONMENT or None (no URL at all)


def targets(config: Config, settings: AppSettings) -> NotifyTargets:
    """The stored URLs, else ``ANIWORLD_NOTIFY_URLS``'s."""
    urls = split_notify_urls(integration_value(config, settings, "notify_urls") or "")
    if not urls:
        return NotifyTargets((), None)
    return NotifyTargets(urls, STORED if settings.notify_urls else ENVIRONMENT)


def locale(settings: AppSettings) -> str:
    """The language of the messages: Settings' default, German only when it says ``de``.

    "auto" follows each browser on the pages; a message has no browser, so it is English.
    """
    return "de" if settings.ui_language == "de" else "en"


def wants(config: Config, settings: AppSettings, event: str) -> bool:
    """Whether a message for ``event`` would go anywhere (URLs set, event switched on)."""
    return event in settings.notify_events and bool(targets(config, settings).urls)


def item_episode(session: Session, item_id: int) -> tuple[Episode, bool] | None:
    """The episode of queue item ``item_id`` and whether it is an upgrade; None if it is gone."""
    item = session.get(DownloadItem, item_id)
    if item is None:
        return None
    episode = Episode(item.series.title, episode_code(item.season, item.episode),
                      item.language.label)
    return episode, item.upgrade_from is not None


def load_status(session: Session) -> NotifyStatus:
    """The notifier status (a fresh one before the first delivery)."""
    return get_record(session, STATUS_KEY, NotifyStatus)


def record_delivery(session: Session, delivery: Delivery, event: str,
                    now: datetime | None = None) -> NotifyStatus:
    """Store the outcome of one delivery: its error, or that every URL took it (no commit)."""
    moment = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    status = load_status(session)
    if delivery.ok:
        status = NotifyStatus(success_at=moment)
    else:
        phrase = delivery.phrase
        status = replace(status, error=delivery.error, target=delivery.target, event=event,
                         error_at=moment, error_phrase=phrase.to_json() if phrase else None)
    return set_record(session, STATUS_KEY, status)
