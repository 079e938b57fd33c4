"""``/status``: how each hoster has been doing and whether a site pauses our requests."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import Blueprint, Response
from flask_babel import lazy_gettext as _l

from aniworld.extensions import db
from aniworld.hosters import canonical_name
from aniworld.models import utcnow
from aniworld.services.hoster_health import DEFAULT_SITE, HosterReport, HosterState, hoster_reports
from aniworld.services.settings import load_settings
from aniworld.site.limiter import SiteHold
from aniworld.web.htmx import render
from aniworld.web.resources import site_holds

logger = logging.getLogger(__name__)

bp = Blueprint("status", __name__, url_prefix="/status")

STATE_LABELS = {HosterState.OK: _l("ok"), HosterState.COOLING_DOWN: _l("cooling down"),
                HosterState.BROKEN: _l("broken, tried again by the next download")}


@dataclass(frozen=True)
class StatusReport:
    """What the page and the API show: every hoster, and each site's hold if any."""

    hosters: list[HosterReport]
    now: datetime
    # Only the sites that pause their requests right now.
    site_holds: dict[str, SiteHold] = field(default_factory=dict)

    @property
    def site_hold(self) -> SiteHold | None:
        """The hold of aniworld.to (the API's ``site_hold``, from before s.to was added)."""
        return self.site_holds.get(DEFAULT_SITE)

    @property
    def changing(self) -> bool:
        """True while a cool-down or hold runs out by itself (the page keeps polling)."""
        cooling = any(r.state is HosterState.COOLING_DOWN for r in self.hosters)
        return cooling or bool(self.site_holds)


def status_report() -> StatusReport:
    """Hoster health in the settings' hoster order (listed even without outcomes), and holds."""
    settings = load_settings(db.session)
    known = [(DEFAULT_SITE, hoster) for hoster in settings.hoster_order]
    rank = {hoster.lower(): index for index, hoster in enumerate(settings.hoster_order)}
    now = utcnow()
    reports = sorted(hoster_reports(db.session, now, known),
                     key=lambda r: (r.site, rank.get(r.hoster, len(rank)), r.hoster))
    return StatusReport(reports, now, site_holds())


def display_name(hoster: str) -> str:
    """The hoster's usual spelling (``VOE``) for its stored key (``voe``)."""
    return canonical_name(hoster) or hoster


@bp.get("/")
def index() -> Response:
    """The status page; htmx polls get the section alone while something runs out."""
    return render("status/index.html", "status/_hosters.html", report=status_report(),
                  labels=STATE_LABELS, display_name=display_name)
