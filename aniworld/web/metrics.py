"""Prometheus metrics (authenticated by an API key header or basic auth)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("metrics", __name__, url_prefix="/metrics")
