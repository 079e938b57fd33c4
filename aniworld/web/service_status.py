"""Is Redis up, and are workers listening? Cached briefly: every page shows the answer."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis
from flask import current_app
from flask_babel import gettext as _
from rq import Worker

from aniworld.phrases import Phrase
from aniworld.sites import SITE_LABELS
from aniworld.web.i18n import localize
from aniworld.web.resources import get_redis, site_holds

logger = logging.getLogger(__name__)

CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class ServiceStatus:
    """What the banner needs to say."""

    redis_ok: bool
    workers: int
    # Per site label: why the site refused us as a bot; every request to it pauses.
    # (site label, the hold's message): worded in the page's language when shown.
    site_holds: tuple[tuple[str, str | Phrase], ...] = ()

    @property
    def problem(self) -> str | None:
        """A plain sentence for the banner, or None when all is well."""
        if not self.redis_ok:
            return _("Redis is not reachable: downloads cannot start. Check that the redis "
                     "process is running (or REDIS_URL).")
        problems = []
        if self.workers == 0:
            problems.append(_("No download worker is running: queued episodes wait. Start one "
                              "with `honcho start worker` (part of `make run`)."))
        problems += [_("%(site)s paused: %(reason)s.", site=label, reason=localize(message))
                     for label, message in self.site_holds]
        return " ".join(problems) or None


def service_status() -> ServiceStatus:
    """Return the current status, probing at most every few seconds per process."""
    cached = current_app.extensions.get("aniworld.service_status")
    if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    status = _probe()
    current_app.extensions["aniworld.service_status"] = (time.monotonic(), status)
    return status


def _probe() -> ServiceStatus:
    try:
        connection = get_redis()
        connection.ping()
        workers = Worker.count(connection=connection)
        holds = tuple((SITE_LABELS[site], hold.message)
                      for site, hold in site_holds(connection).items())
        return ServiceStatus(True, workers, holds)
    except redis.RedisError as exc:
        logger.warning("service status redis error=%s", exc)
        return ServiceStatus(False, 0)
