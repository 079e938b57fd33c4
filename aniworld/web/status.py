"""``/status``: how each hoster has been doing and whether the site pauses our requests."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Response

from aniworld.errors import AniworldError
from aniworld.extensions import db
from aniworld.hosters import canonical_name
from aniworld.models import utcnow
from aniworld.services.hoster_health import DEFAULT_SITE, HosterReport, HosterState, hoster_reports
from aniworld.services.settings import load_settings
from aniworld.site.limiter import SiteHold, SiteLimiter
from aniworld.web.htmx import render
from aniworld.web.resources import get_redis, site_settings

logger = logging.getLogger(__name__)

bp = Blueprint("status", __name__, url_prefix="/status")

STATE_LABELS = {HosterState.OK: "ok", HosterState.COOLING_DOWN: "cooling down",
                HosterState.BROKEN: "broken, tried again by the next download"}


@dataclass(frozen=True)
class StatusReport:
    """What the page and the API show: every hoster, and the site's hold if any."""

    hosters: list[HosterReport]
    site_hold: SiteHold | None
    now: datetime

    @property
    def changing(self) -> bool:
        """True while a cool-down or hold runs out by itself (the page keeps polling)."""
        cooling = any(r.state is HosterState.COOLING_DOWN for r in self.hosters)
        return cooling or self.site_hold is not None


def status_report() -> StatusReport:
    """Hoster health in the settings' hoster order (listed even without outcomes), and hold."""
    settings = load_settings(db.session)
    known = [(DEFAULT_SITE, hoster) for hoster in settings.hoster_order]
    rank = {hoster.lower(): index for index, hoster in enumerate(settings.hoster_order)}
    now = utcnow()
    reports = sorted(hoster_reports(db.session, now, known),
                     key=lambda r: (r.site, rank.get(r.hoster, len(rank)), r.hoster))
    return StatusReport(reports, _site_hold(), now)


def display_name(hoster: str) -> str:
    """The hoster's usual spelling (``VOE``) for its stored key (``voe``)."""
    return canonical_name(hoster) or hoster


def _site_hold() -> SiteHold | None:
    try:
        base_url = site_settings().base_url
    except AniworldError as exc:
        logger.warning("status site settings error=%s", exc)
        return None
    # The limiter falls back to its in-process state if Redis is away.
    return SiteLimiter(base_url, get_redis()).notice()


@bp.get("/")
def index() -> Response:
    """The status page; htmx polls get the section alone while something runs out."""
    return render("status/index.html", "status/_hosters.html", report=status_report(),
                  labels=STATE_LABELS, display_name=display_name)
