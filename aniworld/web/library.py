"""The library pages (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("library", __name__, url_prefix="/library")
