"""The resources a request needs beyond the database session, in one place.

The app's Redis connection, the dispatcher kick after a committed queue change, a site
client as currently configured, and the library folder in effect. Views call these; the
core never does.
"""

from __future__ import annotations

import logging
from pathlib import Path

import redis
from flask import current_app
from sqlalchemy.orm import sessionmaker

from aniworld.config import Config
from aniworld.errors import AniworldError
from aniworld.extensions import db
from aniworld.services.settings import effective_library_dir, effective_site_settings, load_settings
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.limiter import SiteLimiter
from aniworld.sites import DEFAULT_SITE
from aniworld.tasks import dispatch

logger = logging.getLogger(__name__)


def _config() -> Config:
    return current_app.extensions["aniworld.config"]


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


def kick_dispatcher() -> None:
    """Dispatch waiting items now; if Redis is down the scheduler catches up later.

    Call it after the queue change is committed: a worker must find the row dispatched.
    """
    try:
        dispatch.pump(sessionmaker(db.engine, expire_on_commit=False), get_redis())
    except redis.RedisError as exc:
        logger.warning("dispatch deferred to the scheduler error=%s", exc)


def make_site_client(site: str = DEFAULT_SITE) -> SiteClient:
    """Return a client for ``site`` as currently configured; close it when done (``with``).

    Ends the session's read transaction, so call it before any write in the request.
    """
    settings = site_settings(site)
    # The site's answers can take seconds; do not hold a database snapshot meanwhile.
    db.session.rollback()
    return SiteClient(settings, redis=get_redis())


def site_settings(site: str = DEFAULT_SITE) -> SiteSettings:
    """The settings of ``site`` in effect (stored overrides over the environment)."""
    return effective_site_settings(_config(), load_settings(db.session), site)


def end_site_hold() -> None:
    """Let the site be asked again now (a retry or new site settings: the user acted).

    The hold after a challenge tells the user to import cookies and retry; without this
    their retry would wait out the rest of the cool-down.
    """
    try:
        base_url = site_settings().base_url
    except AniworldError as exc:
        logger.warning("site hold kept: site settings error=%s", exc)
        return
    SiteLimiter(base_url, get_redis()).release_hold()


def library_root() -> Path:
    """The library folder in effect (settings first, then ``ANIWORLD_LIBRARY_DIR``)."""
    return effective_library_dir(_config(), load_settings(db.session))
