"""Start a library scan and queue missing episodes from a request (pages and API share these)."""

from __future__ import annotations

import logging
from collections.abc import Collection

import redis

from aniworld import dispatch
from aniworld.extensions import db
from aniworld.models import Priority
from aniworld.services.library import scan_state
from aniworld.services.library.overview import QueuedMissing, queue_missing
from aniworld.services.library.scan_state import ScanStatus
from aniworld.services.settings import load_settings
from aniworld.web.dispatching import kick_dispatcher
from aniworld.web.redis_client import get_redis

logger = logging.getLogger(__name__)


def start_scan() -> ScanStatus:
    """Ask for a scan (committed) and hand it to RQ unless one is already on its way.

    If Redis is down the request stays in the database and the scheduler enqueues it later.
    """
    status, needed = scan_state.request_scan(db.session)
    db.session.commit()
    if needed:
        try:
            dispatch.enqueue_scan(get_redis())
        except redis.RedisError as exc:
            logger.warning("scan enqueue deferred to the scheduler error=%s", exc)
    return status


def queue_all_missing(series_ids: Collection[int] | None = None,
                      priority: Priority = Priority.NORMAL) -> QueuedMissing:
    """Queue every missing episode (of ``series_ids`` or the whole library) in one commit."""
    result = queue_missing(db.session, load_settings(db.session), series_ids, priority)
    db.session.commit()
    if result.created:
        kick_dispatcher()
    return result
