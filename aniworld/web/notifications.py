"""Settings section of the notifications (Apprise URLs, events) and its test button."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/settings/notifications")
