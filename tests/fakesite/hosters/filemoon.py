"""Filemoon-like hoster: only a placeholder embed page for now (§3.2 API shape comes later)."""

from __future__ import annotations

import re

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext
from tests.fakesite.httpbase import Request

NAME = "Filemoon"
_EMBED = re.compile(r"^/e/([a-z0-9]+)$")


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/e/{link.code}"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/e/<code>`` for Filemoon codes."""
    match = _EMBED.match(request.path)
    link = context.link(match[1], NAME) if match else None
    if link is None:
        return None
    return html(f'<!DOCTYPE html><html><body><div id="{link.code}"></div></body></html>')
