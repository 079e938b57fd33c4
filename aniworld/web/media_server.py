"""Settings section of the media-server refresh (Jellyfin, Emby, Plex) and its test button."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("media_server", __name__, url_prefix="/settings/media-server")
