"""Translate errors at the edge: JSON under /api, a partial for htmx, a page otherwise.

Roll back on 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, make_response, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from aniworld.errors import AniworldError
from aniworld.extensions import db
from aniworld.web.htmx import is_htmx
from aniworld.web.i18n import localize
from aniworld.web.security import api_error, is_api_request

logger = logging.getLogger(__name__)

# Werkzeug words its errors in English only: the pages say the common ones themselves.
PAGE_MESSAGES = {
    400: _l("The request could not be understood; reload the page and try again."),
    403: _l("You may not open this page."),
    404: _l("This page does not exist; check the address or go back to the start page."),
    405: _l("This address does not accept that kind of request."),
    413: _l("What was sent is too large."),
    429: _l("Too many requests in a short time; wait a moment and try again."),
}
CSRF_PAGE_MESSAGE = _l("The form has expired or came from another page; reload the page and "
                       "send it again.")


def init_app(app: Flask) -> None:
    """Register the error handlers on ``app``."""
    app.register_error_handler(AniworldError, handle_aniworld_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected_error)


def handle_aniworld_error(exc: AniworldError) -> Response:
    """Answer a typed Aniworld error with its status and user-facing message."""
    db.session.rollback()
    if is_api_request():
        extra = {"field": exc.field} if getattr(exc, "field", None) else {}
        return api_error(exc.status, exc.code, exc.message, **extra)
    return error_page(exc.status, localize(exc))


def handle_http_error(exc: HTTPException) -> Response:
    """Answer 4xx/5xx raised by Flask/Werkzeug (404, 405, 413, CSRF …)."""
    status = exc.code or 500
    message = exc.description or exc.name
    if is_api_request():
        return api_error(status, exc.name.lower().replace(" ", "_"), message)
    return error_page(status, _page_message(exc, status, message))


def _page_message(exc: HTTPException, status: int, message: str) -> str:
    """The page's own words for Werkzeug's standard errors; a custom description as it is."""
    if isinstance(exc, CSRFError):
        return str(CSRF_PAGE_MESSAGE)
    if status in PAGE_MESSAGES and exc.description == type(exc).description:
        return str(PAGE_MESSAGES[status])
    return message


def handle_unexpected_error(exc: Exception) -> Response:
    """Log a bug, roll back, and answer 500 without leaking internals."""
    db.session.rollback()
    logger.exception("unhandled error")
    message = _("Internal error; the details are in the server log.")
    if is_api_request():
        return api_error(500, "internal_error", message)
    return error_page(500, message)


def error_page(status: int, message: str) -> Response:
    """The error page, or for htmx only the message (static/app.js shows it in the page)."""
    template = "_error.html" if is_htmx() else "error.html"
    response = make_response(render_template(template, status=status, message=message), status)
    response.vary.add("HX-Request")
    return response
