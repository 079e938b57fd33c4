"""Vidoza-like hoster: ``sourcesCode: [{ src: "…mp4" }]`` (§3.2, §7.6; path shape unverified)."""

from __future__ import annotations

import re

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.httpbase import Request

NAME = "Vidoza"
_EMBED = re.compile(r"^/embed-([a-z0-9]+)\.html$")


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/embed-{link.code}.html"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/embed-<code>.html`` for Vidoza codes."""
    match = _EMBED.match(request.path)
    link = context.link(match[1], NAME) if match else None
    if link is None:
        return None
    source = media.mp4_url(f"http://{request.headers.get('Host', '')}", link)
    return html(
        '<!DOCTYPE html><html><body><video id="player"></video><script>\n'
        f'var player = new Player({{ sourcesCode: [{{ src: "{source}", type: "video/mp4", '
        'label:"SD", res:"480"}] });\n</script></body></html>'
    )
