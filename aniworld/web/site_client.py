"""A site client per request or job, sharing the process's Redis for limits and cache."""

from __future__ import annotations

from flask import current_app

from aniworld.config import Config
from aniworld.site import SiteClient
from aniworld.web.redis_client import get_redis


def make_site_client() -> SiteClient:
    """Return a new client for the configured site; close it when done (use ``with``)."""
    config: Config = current_app.extensions["aniworld.config"]
    return SiteClient(config.site, redis=get_redis())
