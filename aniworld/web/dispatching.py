"""Wake the dispatcher after a committed queue change, so downloads start at once."""

from __future__ import annotations

import logging

import redis
from sqlalchemy.orm import sessionmaker

from aniworld.extensions import db
from aniworld.tasks import dispatch
from aniworld.web.resources import get_redis

logger = logging.getLogger(__name__)


def kick_dispatcher() -> None:
    """Dispatch waiting items now; if Redis is down the scheduler catches up later."""
    try:
        dispatch.pump(sessionmaker(db.engine, expire_on_commit=False), get_redis())
    except redis.RedisError as exc:
        logger.warning("dispatch deferred to the scheduler error=%s", exc)
