"""The resources a request needs beyond the database session, in one place.

The app's Redis connection, the dispatcher kick after a committed queue change, a site
client as currently configured, and the library folder in effect. Views call these; the
core never does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import redis
from flask import current_app
from sqlalchemy.orm import sessionmaker

from aniworld.config import Config
from aniworld.errors import AniworldError
from aniworld.extensions import db
from aniworld.models import DownloadItem
from aniworld.services.bridge.sessions import BridgeSessions
from aniworld.services.settings import effective_library_dir, effective_site_settings, load_settings
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.engines import ENGINES
from aniworld.site.limiter import SiteHold, SiteLimiter
from aniworld.site.mirrors import parse_base
from aniworld.sites import DEFAULT_SITE, SITES
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


def site_clients(sites: Iterable[str]) -> dict[str, Callable[[], SiteClient]]:
    """One client factory per site, for :func:`aniworld.services.search.search_sites`."""
    return {site: partial(make_site_client, site) for site in sites}


def _limiter(site: str, connection: redis.Redis | None = None) -> SiteLimiter | None:
    """The shared limiter of ``site``, or None when its stored settings do not combine."""
    try:
        base_url = site_settings(site).base_url
    except AniworldError as exc:  # the settings page shows that error; not ours to raise
        logger.warning("site settings error site=%s error=%s", site, exc)
        return None
    return SiteLimiter(base_url, connection or get_redis())


def end_site_hold(site: str = DEFAULT_SITE) -> None:
    """Let ``site`` be asked again now (a retry or new site settings: the user acted).

    The hold after a challenge tells the user to import cookies and retry; without this
    their retry would wait out the rest of the cool-down.
    """
    limiter = _limiter(site)
    if limiter is not None:
        limiter.release_hold()


def end_bridge_sessions(key_digest: str) -> None:
    """End the qBittorrent bridge sessions of a revoked API key.

    Without Redis they cannot be ended now, and need not be: a session counts only while
    a key with its digest exists.
    """
    try:
        ended = BridgeSessions(get_redis()).end_key(key_digest)
    except redis.RedisError as exc:
        logger.warning("bridge sessions of a revoked key not ended error=%s", exc)
        return
    if ended:
        logger.info("bridge sessions ended count=%s", ended)


def end_item_site_hold(item_id: int) -> None:
    """End the hold of the site a queue item's series is from (its retry: the user acted)."""
    item = db.session.get(DownloadItem, item_id)
    if item is not None:
        end_site_hold(item.series.site)


def site_holds(connection: redis.Redis | None = None) -> dict[str, SiteHold]:
    """The sites whose requests pause after a challenge, with their hold."""
    holds = {}
    for site in SITES:
        limiter = _limiter(site, connection)
        # The limiter falls back to its in-process state if Redis is away.
        hold = limiter.notice() if limiter is not None else None
        if hold is not None:
            holds[site] = hold
    return holds


def site_series_url(site: str, key: str) -> str | None:
    """The address of the series ``key`` on ``site`` for the user's browser, or None."""
    try:
        settings = site_settings(site)
    except AniworldError:
        return None
    base = parse_base(settings.base_url)
    # The IP form (http://<ip>#<host>) is for our requests; a browser wants the host name.
    origin = f"{urlsplit(base.url).scheme}://{base.host}" if base.host else base.url
    return origin + ENGINES[settings.engine].series_path(key)


def library_root() -> Path:
    """The library folder in effect (settings first, then ``ANIWORLD_LIBRARY_DIR``)."""
    return effective_library_dir(_config(), load_settings(db.session))
