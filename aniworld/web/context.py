"""Values every page template can use: queue badge count, service banner, the sites, errors."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from aniworld.extensions import db
from aniworld.models import DownloadItem, ItemStatus
from aniworld.phrases import stored
from aniworld.sites import DEFAULT_SITE, SITE_LABELS, SITES, public_series_key
from aniworld.web.i18n import localize
from aniworld.web.service_status import service_status

OPEN_STATUSES = (ItemStatus.PENDING, ItemStatus.DOWNLOADING, ItemStatus.PAUSED)
# Navigation entries as (endpoint, label).
NAV_LINKS = (("library.index", _l("Library")), ("wanted.index", _l("Wanted")),
             ("search.index", _l("Search")), ("queue.index", _l("Queue")),
             ("status.index", _l("Status")), ("settings.index", _l("Settings")))


def init_app(app: Flask) -> None:
    """Register the context processor and the sites' names for every template."""
    app.context_processor(page_context)
    app.jinja_env.globals.update(sites=SITES, default_site=DEFAULT_SITE, site_labels=SITE_LABELS,
                                 public_series_key=public_series_key, stored_error=stored_error,
                                 stored=stored)


def queue_count() -> int:
    """Items still to download (pending, downloading, paused): the navigation badge."""
    return db.session.scalar(select(func.count(DownloadItem.id)).where(
        DownloadItem.status.in_(OPEN_STATUSES))) or 0


def page_context() -> dict[str, Any]:
    """Badge count and banner for signed-in pages; nothing for anonymous ones."""
    if not current_user.is_authenticated:
        return {"queue_count": None, "service_problem": None, "nav_links": ()}
    return {"queue_count": queue_count(), "service_problem": service_status().problem,
            "nav_links": NAV_LINKS}


def stored_error(row: object) -> str:
    """A row's stored error in the page's language ("" for none).

    ``row`` has ``last_error`` (English) and, where its query reads it, ``last_error_phrase``
    (the Phrase as JSON): queue items, their light pending rows, hoster reports.
    """
    return localize(stored(getattr(row, "last_error", None),
                           getattr(row, "last_error_phrase", None)))
