"""Vidmoly-like hoster: jwplayer setup with ``sources: [{file:"…master.m3u8"}]`` (§3.2, §7.6)."""

from __future__ import annotations

import re

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.httpbase import Request

NAME = "Vidmoly"
_EMBED = re.compile(r"^/embed-([a-z0-9]+)\.html$")


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/embed-{link.code}.html"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/embed-<code>.html`` for Vidmoly codes."""
    match = _EMBED.match(request.path)
    link = context.link(match[1], NAME) if match else None
    if link is None:
        return None
    source = media.hls_url(f"http://{request.headers.get('Host', '')}", link)
    return html(
        '<!DOCTYPE html><html><body><div id="player"></div><script>\n'
        'jwplayer("player").setup({\n'
        f'  sources: [{{file:"{source}"}}],\n'
        "  image: '/poster.jpg'\n});\n</script></body></html>"
    )
