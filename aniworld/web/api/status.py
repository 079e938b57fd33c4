"""``GET /api/v1/status/hosters``: hoster health per (site, hoster) and each site's hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify

from aniworld.services.hoster_health import HosterReport
from aniworld.site.limiter import SiteHold
from aniworld.sites import SITES
from aniworld.web.api import bp
from aniworld.web.status import display_name, status_report


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def hoster_json(report: HosterReport) -> dict[str, Any]:
    """One hoster's health; rates are 0..1 over the recent window, speeds in bytes/s."""
    return {
        "site": report.site, "hoster": display_name(report.hoster), "state": report.state.value,
        "success_rate": report.success_rate, "recent_attempts": report.recent_attempts,
        "consecutive_failures": report.consecutive_failures,
        "last_error": report.last_error, "last_error_code": report.last_error_code,
        "last_failure_at": _when(report.last_failure_at),
        "last_success_at": _when(report.last_success_at),
        "median_speed": report.median_speed, "cooldown_until": _when(report.cooldown_until),
    }


def hold_json(hold: SiteHold | None) -> dict[str, Any] | None:
    """The site's pause after a challenge, or None."""
    if hold is None:
        return None
    return {"reason": hold.reason, "message": hold.message,
            "seconds_left": round(hold.seconds_left)}


@bp.get("/status/hosters")
def hosters() -> Response:
    """Every hoster's recent success rate, errors, speed and breaker state; the sites' holds.

    ``site_hold`` is aniworld.to's (as before s.to was added), ``site_holds`` every site's.
    """
    report = status_report()
    return jsonify({"hosters": [hoster_json(r) for r in report.hosters],
                    "site_hold": hold_json(report.site_hold),
                    "site_holds": {site: hold_json(report.site_holds.get(site))
                                   for site in SITES}})
