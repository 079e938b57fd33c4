"""Vidmoly-like hoster: jwplayer setup with ``sources: [{file:"…master.m3u8"}]`` (§3.2, §7.6).

Variants (``?variant=`` or ``VARIANTS[code]``): jwplayer (default), gone, outdated.
"""

from __future__ import annotations

import re

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.hosters.generic import base_url, gone_page, outdated_page, refused, variant
from tests.fakesite.httpbase import Request

NAME = "Vidmoly"
VARIANTS: dict[str, str] = {}
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
    kind = variant(request, link.code, VARIANTS, "jwplayer")
    if (denied := refused(request)) is not None:
        return denied
    if kind in {"gone", "outdated"}:
        return gone_page() if kind == "gone" else outdated_page("Vidmoly")
    source = media.hls_url(base_url(request), link)
    return html(
        '<!DOCTYPE html><html><body><div id="player"></div><script>\n'
        'jwplayer("player").setup({\n'
        f'  sources: [{{file:"{source}"}}],\n'
        "  image: '/poster.jpg'\n});\n</script></body></html>"
    )
