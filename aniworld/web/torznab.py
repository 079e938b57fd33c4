"""The Torznab indexer Sonarr and Prowlarr search (authenticated by its apikey parameter)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("torznab", __name__, url_prefix="/torznab")
