"""``GET`` and ``PATCH /api/v1/settings``: every run-time setting, secrets write-only.

The answer is ``{"settings": {...}, "secrets": {...}}``: ``settings`` holds every field of
the Settings page except the secrets (None: the environment's value is used); ``secrets``
says of each secret only ``{"set": bool, "source": "stored" | "environment" | null}``.
The proxies show no password (``http://user:***@host:3128``); sent back unchanged in a
PATCH, such a masked proxy keeps its stored value.
A PATCH body is a flat object of fields (a part of ``settings``, secrets included); it is
checked like the Settings page checks its forms and stored all or nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, current_app, jsonify

from aniworld.config import Config
from aniworld.extensions import db
from aniworld.services.settings import AppSettings, load_settings
from aniworld.services.settings_changes import (
    SettingsRejected,
    apply_changes,
    changed_sites,
    public_values,
    secret_states,
)
from aniworld.web import parsing
from aniworld.web.api import bp
from aniworld.web.resources import end_site_hold
from aniworld.web.security import api_error

logger = logging.getLogger(__name__)


def _config() -> Config:
    return current_app.extensions["aniworld.config"]


def settings_json(settings: AppSettings) -> dict[str, Any]:
    """The settings without their secrets, and the secrets' state."""
    return {"settings": public_values(settings), "secrets": secret_states(_config(), settings)}


@bp.get("/settings")
def get_settings() -> Response:
    """Every setting (secrets only as set / not set and where from)."""
    return jsonify(settings_json(load_settings(db.session)))


@bp.patch("/settings")
def patch_settings() -> Response:
    """Change the given settings; 400 for an unknown name, 422 with every field's error.

    Nothing is stored unless every field is valid. A change of a site's settings ends that
    site's hold, as a save of its section on the Settings page does.
    """
    changes = parsing.json_body()
    try:
        settings = apply_changes(db.session, _config(), changes)
    except SettingsRejected as exc:
        db.session.rollback()
        return api_error(422, exc.code, exc.message, field=exc.field, fields=exc.errors)
    db.session.commit()
    logger.info("settings saved via api fields=%s", ",".join(sorted(changes)))
    for site in changed_sites(changes):
        end_site_hold(site)  # new cookies or a proxy are what the hold's message asks for
    return jsonify(settings_json(settings))
