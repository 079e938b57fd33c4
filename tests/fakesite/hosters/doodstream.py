"""Doodstream-like hoster: ``$.get('/pass_md5/<a>/<b>')`` plus a token (§3.2, §7.6)."""

from __future__ import annotations

import re

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext
from tests.fakesite.httpbase import Request

NAME = "Doodstream"
_EMBED = re.compile(r"^/e/([a-z0-9]+)$")
_PASS = re.compile(r"^/pass_md5/([a-z0-9-]+)/([a-z0-9]+)$")


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/e/{link.code}"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/e/<code>`` and ``/pass_md5/<a>/<code>`` for Doodstream codes."""
    base = f"http://{request.headers.get('Host', '')}"
    match = _EMBED.match(request.path)
    if match and (link := context.link(match[1], NAME)):
        return html(
            "<!DOCTYPE html><html><body><script>\n"
            f"$.get('/pass_md5/{link.link_id}-1/{link.code}', function(data) {{\n"
            f"  window.src = data + makePlay() + '?token={link.code}tok&expiry=' + Date.now();\n"
            "});\n</script></body></html>"
        )
    match = _PASS.match(request.path)
    if match and (link := context.link(match[2], NAME)):
        return Response(200, f"{base}/dood/{link.code}/".encode(), "text/plain")
    return None
