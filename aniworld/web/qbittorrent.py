"""A qBittorrent Web API v2 subset, so Sonarr can send grabs (authenticated by its SID cookie)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("qbittorrent", __name__, url_prefix="/api/v2")
