"""The series pages (being built)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("series", __name__, url_prefix="/series")
