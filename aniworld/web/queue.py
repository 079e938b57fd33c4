"""The queue pages (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("queue", __name__, url_prefix="/queue")
