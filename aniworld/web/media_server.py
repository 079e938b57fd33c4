"""Settings section of the media-server refresh (Jellyfin, Emby, Plex) and its test button.

The section is part of the settings page (``templates/settings/_media_server.html``); its
template calls :func:`section_context` for what it shows. "Send a test" checks the values
in the form, saved or not, so a user can try a token before storing it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from aniworld.config import Config
from aniworld.errors import ValidationError
from aniworld.extensions import db
from aniworld.mediaserver import LABELS, MediaServerError, make_client
from aniworld.phrases import Phrase, stored
from aniworld.services import media_refresh
from aniworld.services.integration_settings import MEDIA_SERVERS
from aniworld.services.settings import (
    VALIDATORS,
    AppSettings,
    effective_library_dir,
    field_errors,
    load_settings,
    save_settings,
)
from aniworld.web.i18n import localize
from aniworld.web.settings import render_section, saved

logger = logging.getLogger(__name__)

bp = Blueprint("media_server", __name__, url_prefix="/settings/media-server")

SECTION = "media_server"
# The fields the form shows again (the token never is).
SHOWN = ("media_server", "media_server_url", "media_server_path")
TOKEN = "media_server_token"
Form = MultiDict[str, str]


def _config() -> Config:
    return current_app.extensions["aniworld.config"]


@bp.app_context_processor
def _section_helper() -> dict[str, Any]:
    return {"media_server_form": section_context}


def section_context(form: Form | None = None) -> dict[str, Any]:
    """What the section shows: fields (``form``'s when given), environment, token, status."""
    config, settings = _config(), load_settings(db.session)
    values = {name: getattr(settings, name) or "" for name in SHOWN}
    if form is not None:
        values.update({name: form[name] for name in SHOWN if name in form})
    token = ("stored" if settings.media_server_token
             else "environment" if config.integration(TOKEN) else None)
    files, series = media_refresh.pending_counts(db.session)
    library = effective_library_dir(config, settings)
    their = media_refresh.target_paths(config, settings).their(PurePosixPath())
    return {"fields": values, "env": {name: config.integration(name) or "" for name in SHOWN},
            "kinds": {kind: LABELS[kind] for kind in MEDIA_SERVERS}, "token_state": token,
            "kind": media_refresh.server_kind(config, settings), "library": str(library),
            "their_library": their, "pending_files": files, "pending_series": series,
            "status": _status(media_refresh.load_status(db.session))}


def _status(status: media_refresh.RefreshStatus) -> dict[str, Any]:
    """The status for the page: ISO times (the template formats them), the error localized."""
    # An error older than the last success is history, not a problem to show in red.
    current = bool(status.last_error_at) and (
        not status.last_success_at or status.last_error_at > status.last_success_at)
    error = stored(status.last_error, status.last_error_phrase)
    return {"last_success": status.last_success_at, "last_error": localize(error) or None,
            "last_error_at": status.last_error_at, "error_current": current,
            "retry": status.retry_at}


@bp.post("/")
def save() -> Response:
    """Store the server, URL, token (only when a new one is typed) and their path."""
    changes = _parse(request.form)
    errors = field_errors(**changes)
    if errors:
        return render_section(SECTION, errors=errors, media_server_form_data=request.form)
    save_settings(db.session, **changes)
    media_refresh.clear_backoff(db.session)  # new settings deserve a try on the next tick
    db.session.commit()
    logger.info("settings saved section=%s fields=%s", SECTION, ",".join(sorted(changes)))
    return saved(SECTION, _("Media server settings saved."))


@bp.post("/test")
def test() -> Response:
    """Reach the server with the form's values and report what it said, or what failed."""
    try:
        message = _check(_candidate(_parse(request.form)))
    except ValidationError as exc:
        return render_section(SECTION, errors={exc.field or "form": exc},
                              media_server_form_data=request.form)
    except MediaServerError as exc:
        logger.info("media server test failed error=%s", exc.message)
        return render_section(SECTION, test_error=localize(exc),
                              media_server_form_data=request.form)
    media_refresh.clear_backoff(db.session)  # the server answers: retry on the next tick
    db.session.commit()
    return render_section(SECTION, test_ok=localize(message),
                          media_server_form_data=request.form)


def _parse(form: Form) -> dict[str, Any]:
    """The section's changes: blank fields fall back to the environment; a token only if typed."""
    changes: dict[str, Any] = {name: form.get(name, "").strip() or None
                               for name in SHOWN if name in form}
    if form.get(f"{TOKEN}_clear") == "on":
        changes[TOKEN] = None
    elif form.get(TOKEN, "").strip():
        changes[TOKEN] = form[TOKEN].strip()
    return changes


def _candidate(changes: dict[str, Any]) -> AppSettings:
    """The stored settings with ``changes`` applied (validated, not stored)."""
    validated = {name: VALIDATORS[name](value) for name, value in changes.items()}
    return replace(load_settings(db.session), **validated)


def _check(settings: AppSettings) -> Phrase:
    configured = media_refresh.target(_config(), settings)
    if configured is None:
        raise ValidationError(_("Choose Jellyfin, Emby or Plex first"), "media_server")
    message = make_client(configured.server).check(configured.paths.their(PurePosixPath()))
    logger.info("media server test passed server=%s", configured.server.kind)
    return message
