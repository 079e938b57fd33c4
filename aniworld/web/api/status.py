"""``GET /api/v1/status``: the queue in one glance for dashboards (Homepage's customapi).

``GET /api/v1/status/hosters``: hoster health per (site, hoster) and each site's hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, jsonify

from aniworld.extensions import db
from aniworld.services.download_status import DownloadStatus, LastCompleted, download_status
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
    return {"reason": hold.reason, "message": str(hold.message),
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


def last_completed_json(last: LastCompleted | None) -> dict[str, Any] | None:
    """The episode that arrived last, or None."""
    if last is None:
        return None
    return {"series_key": last.series_key, "series": last.series_title,
            "season": last.season, "episode": last.episode, "code": last.code,
            "language": last.language, "at": _when(last.at)}


def status_json(status: DownloadStatus) -> dict[str, Any]:
    """Flat figures (a dashboard maps each by name): counts, percent, bytes/s, seconds."""
    return {"active": status.active, "progress": status.progress, "speed": status.speed,
            "eta_seconds": status.eta_seconds, "pending": status.pending,
            "paused": status.paused, "failed": status.failed, "completed": status.completed,
            "queue_paused": status.queue_paused,
            "last_completed": last_completed_json(status.last_completed)}


@bp.get("/status")
def status() -> Response:
    """Running downloads (count, overall %, bytes/s, ETA), pending, failed, last completed."""
    return jsonify(status_json(download_status(db.session)))
