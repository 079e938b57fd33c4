"""Notifications through Apprise: one RQ job per message, retried, never blocking a download.

:func:`on_event` runs in the process that published the event (a download's work horse,
a monitoring round, a scan): it reads the few facts the message needs, words it and
enqueues :func:`send` on the ``notify`` queue. That is all it does, so a slow or broken
notifier never delays or fails the work it reports on; with Redis away the message is
logged and dropped. :func:`send` delivers to the URLs in effect at that moment, records
the outcome (the Settings page shows a broken notifier) and raises on a failure another
try may fix, so RQ tries again later (``dispatch.NOTIFY_RETRY_INTERVALS``).
"""

from __future__ import annotations

import logging
from pathlib import Path

import redis
from rq import get_current_job
from rq.job import Job
from sqlalchemy.orm import Session

from aniworld.errors import AniworldError
from aniworld.notifications import Delivery, Message, messages, sender
from aniworld.phrases import Phrase
from aniworld.services import notifications
from aniworld.services.settings import load_settings
from aniworld.sites import SITE_LABELS
from aniworld.tasks import dispatch
from aniworld.tasks.events import (
    ActionNeeded,
    DownloadFailed,
    DownloadFinished,
    Event,
    MonitorQueued,
    UnmatchedFolders,
)
from aniworld.tasks.runtime import Runtime, get_runtime

logger = logging.getLogger(__name__)

# Seconds one URL may take in the background job (the Settings test waits less).
SEND_TIMEOUT = 30.0
# job.meta key: fingerprints of the URLs an earlier try of this job delivered to.
DELIVERED = "delivered"


class NotificationFailed(AniworldError):
    """A notifier did not take the message; RQ tries the job again later."""

    code = "notification_failed"
    status = 502


def event_name(event: Event) -> str | None:
    """The Settings switch of ``event`` (None for an event that sends nothing)."""
    if isinstance(event, DownloadFinished):
        return None if event.already_present else "completed"
    return {DownloadFailed: "failed", ActionNeeded: "action", MonitorQueued: "monitor",
            UnmatchedFolders: "unmatched"}.get(type(event))


def on_event(runtime: Runtime, event: Event) -> None:
    """Enqueue the message of ``event`` if its switch is on and a URL is set."""
    name = event_name(event)
    if name is None:
        return  # a file that was already there: nothing arrived
    with runtime.sessions() as session:
        settings = load_settings(session)
        if not notifications.wants(runtime.config, settings, name):
            return
        message = _message(session, event, notifications.locale(settings))
    if message is None:
        return
    try:
        dispatch.enqueue_notification(runtime.redis, message.event, message.title,
                                      message.body, message.kind)
    except redis.RedisError as exc:
        logger.warning("notification dropped event=%s: redis unavailable error=%s", name, exc)


def _message(session: Session, event: Event, locale: str) -> Message | None:
    """The words of ``event`` in ``locale``; None for an item that vanished meanwhile."""
    if isinstance(event, DownloadFinished | DownloadFailed):
        found = notifications.item_episode(session, event.item_id)
        if found is None:
            return None
        episode, upgrade = found
        if isinstance(event, DownloadFailed):
            return messages.failed(episode, event.reason, locale)
        return messages.completed(episode, _size(event.file_path), event.file_path, upgrade,
                                  locale)
    if isinstance(event, ActionNeeded):
        site = SITE_LABELS.get(event.site, event.site) if event.site else None
        return messages.action(event.kind.value, event.message, site, locale)
    if isinstance(event, MonitorQueued):
        return messages.monitor_queued(event.queued, event.series, locale)
    return messages.unmatched(event.folders, locale)


def _size(path: str) -> int | None:
    try:
        return Path(path).stat().st_size
    except OSError:
        return None


def send(event: str, title: str, body: str, kind: str = "info") -> str:
    """RQ job: deliver one message to every URL in effect; raises so RQ retries a failure."""
    return deliver(get_runtime(), Message(event, title, body, kind), get_current_job())


def deliver(runtime: Runtime, message: Message, job: Job | None = None) -> str:
    """Deliver ``message``, record the outcome; raises NotificationFailed if a retry may help.

    URLs an earlier try of ``job`` reached are skipped, so a retry does not repeat the
    message where it already arrived.
    """
    event = message.event
    with runtime.sessions() as session:
        urls = notifications.targets(runtime.config, load_settings(session)).urls
    if not urls:
        return "no notification URL is set"
    done = set(job.meta.get(DELIVERED, ())) if job is not None else set()
    delivery = sender.send(urls, message, timeout=SEND_TIMEOUT, skip=done)
    if job is not None and delivery.delivered:
        job.meta[DELIVERED] = sorted(done | delivery.delivered)
        job.save_meta()
    _record(runtime, delivery, event)
    if delivery.retryable:
        raise NotificationFailed(Phrase("notification not delivered: %(error)s",
                                        error=delivery.error))
    return delivery.error or f"delivered to {len(delivery.delivered)} URL(s)"


def _record(runtime: Runtime, delivery: Delivery, event: str) -> None:
    """Store the outcome for the Settings page; a database error must not hide the send's."""
    try:
        with runtime.sessions() as session:
            notifications.record_delivery(session, delivery, event)
            session.commit()
    except Exception:  # noqa: BLE001 - the delivery's own outcome matters more
        logger.exception("notifier status not recorded event=%s", event)
