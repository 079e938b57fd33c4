"""The app's Redis connection, created lazily from the configured URL."""

from __future__ import annotations

import redis
from flask import current_app

from aniworld.config import Config


def get_redis() -> redis.Redis:
    """Return the shared Redis client of the current app (short timeouts: never hang a page)."""
    client = current_app.extensions.get("aniworld.redis")
    if client is None:
        config: Config = current_app.extensions["aniworld.config"]
        client = redis.Redis.from_url(
            config.redis_url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=30
        )
        current_app.extensions["aniworld.redis"] = client
    return client
