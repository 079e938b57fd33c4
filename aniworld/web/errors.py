"""Translate errors at the edge: JSON under /api, an HTML page elsewhere; roll back on 500."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template
from werkzeug.exceptions import HTTPException

from aniworld.errors import AniworldError
from aniworld.extensions import db
from aniworld.web.security import api_error, is_api_request

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Register the error handlers on ``app``."""
    app.register_error_handler(AniworldError, handle_aniworld_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def handle_aniworld_error(exc: AniworldError) -> Response | tuple[str, int]:
    """Answer a typed Aniworld error with its status and user-facing message."""
    db.session.rollback()
    if is_api_request():
        extra = {"field": exc.field} if getattr(exc, "field", None) else {}
        return api_error(exc.status, exc.code, exc.message, **extra)
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


def handle_http_error(exc: HTTPException) -> Response | HTTPException | tuple[str, int]:
    """Answer 4xx/5xx raised by Flask/Werkzeug (404, 405, 413, CSRF …)."""
    status = exc.code or 500
    message = exc.description or exc.name
    if is_api_request():
        return api_error(status, exc.name.lower().replace(" ", "_"), message)
    return render_template("error.html", status=status, message=message), status


def handle_unexpected_error(exc: Exception) -> Response | tuple[str, int]:
    """Log a bug, roll back, and answer 500 without leaking internals."""
    db.session.rollback()
    logger.exception("unhandled error")
    message = "Internal error; the details are in the server log."
    if is_api_request():
        return api_error(500, "internal_error", message)
    return render_template("error.html", status=500, message=message), 500
