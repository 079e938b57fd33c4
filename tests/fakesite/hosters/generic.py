"""Hosters the app does not support (e.g. LoadX): a plain page under ``/v/<hoster>/<code>``."""

from __future__ import annotations

import re

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext
from tests.fakesite.httpbase import Request

_EMBED = re.compile(r"^/v/([a-z0-9]+)/([a-z0-9]+)$")


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/v/{link.hoster.lower()}/{link.code}"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/v/<hoster>/<code>``."""
    match = _EMBED.match(request.path)
    if match is None:
        return None
    link = context.catalog.link_by_code(match[2])
    if link is None or link.hoster.lower() != match[1]:
        return None
    return html(f"<!DOCTYPE html><html><body><h1>{link.hoster}</h1></body></html>")
