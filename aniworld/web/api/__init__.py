"""The JSON API under ``/api/v1``; route modules attach themselves to ``bp``."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from aniworld.web.api import (  # noqa: E402,F401  (registers routes)
    health,
    library,
    queue,
    queue_groups,
    series,
    settings,
    status,
    wanted,
)
