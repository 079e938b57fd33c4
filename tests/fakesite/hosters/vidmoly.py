"""Vidmoly-like hoster: jwplayer setup with ``sources: [{file:"…master.m3u8"}]`` (§3.2, §7.6).

Variants (``?variant=`` or ``VARIANTS[code]``): jwplayer (default), gone, outdated.
"""

from __future__ import annotations

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.hosters.generic import EMBED_HTML, base_url, embed_html_path, serve_embed
from tests.fakesite.httpbase import Request

NAME = "Vidmoly"
VARIANTS: dict[str, str] = {}
embed_path = embed_html_path


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/embed-<code>.html`` for Vidmoly codes."""
    return serve_embed(request, context, EMBED_HTML, NAME, (VARIANTS, "jwplayer"), _page)


def _page(request: Request, link: HosterLink, kind: str) -> Response:
    source = media.hls_url(base_url(request), link)
    return html(
        '<!DOCTYPE html><html><body><div id="player"></div><script>\n'
        'jwplayer("player").setup({\n'
        f'  sources: [{{file:"{source}"}}],\n'
        "  image: '/poster.jpg'\n});\n</script></body></html>"
    )
