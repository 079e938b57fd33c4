"""A site client per request or job, sharing the process's Redis for limits and cache."""

from __future__ import annotations

from flask import current_app

from aniworld.config import Config
from aniworld.extensions import db
from aniworld.services.settings import effective_site_settings, load_settings
from aniworld.site import SiteClient
from aniworld.web.resources import get_redis


def make_site_client() -> SiteClient:
    """Return a client for the site as currently configured; close it when done (``with``).

    Ends the session's read transaction, so call it before any write in the request.
    """
    config: Config = current_app.extensions["aniworld.config"]
    site = effective_site_settings(config, load_settings(db.session))
    # The site's answers can take seconds; do not hold a database snapshot meanwhile.
    db.session.rollback()
    return SiteClient(site, redis=get_redis())
