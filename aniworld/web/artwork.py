"""Covers served from Aniworld's own origin, and the metadata (NFO) settings section."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("artwork", __name__, url_prefix="")
