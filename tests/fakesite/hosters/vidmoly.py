"""Vidmoly-like hoster: jwplayer setup with ``sources: [{file:"…master.m3u8"}]`` (§3.2, §7.6).

Variants (``?variant=`` or ``VARIANTS[code]``): jwplayer (default), gone, outdated, wait
(always the "Please wait" page, e.g. an interstitial the client cannot pass), forbidden (403,
an optional mode only: no public source saw one). Like the real one (site-2026 §5.2, §9.26),
a request with neither a ``Referer`` nor ``Sec-Fetch-Dest: iframe`` gets the "Please wait" page
(HTTP 200, no ``sources:``) instead of the player.
"""

from __future__ import annotations

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.hosters.generic import (
    EMBED_HTML,
    base_url,
    embed_html_path,
    forbidden,
    serve_embed,
)
from tests.fakesite.httpbase import Request

NAME = "Vidmoly"
VARIANTS: dict[str, str] = {}
embed_path = embed_html_path


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/embed-<code>.html`` for Vidmoly codes."""
    return serve_embed(request, context, EMBED_HTML, NAME, (VARIANTS, "jwplayer"), _page)


def _page(request: Request, link: HosterLink, kind: str) -> Response:
    if kind == "forbidden":
        return forbidden("embed context missing")
    if kind == "wait" or not _in_iframe(request):
        return please_wait_page()
    source = media.hls_url(base_url(request), link)
    return html(
        '<!DOCTYPE html><html><body><div id="player"></div><script>\n'
        'jwplayer("player").setup({\n'
        f'  sources: [{{file:"{source}"}}],\n'
        "  image: '/poster.jpg'\n});\n</script></body></html>"
    )


def _in_iframe(request: Request) -> bool:
    """True when the request looks like the browser's iframe load (Referer or Sec-Fetch-Dest)."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    return bool(headers.get("referer")) or headers.get("sec-fetch-dest") == "iframe"


def please_wait_page() -> Response:
    """What Vidmoly renders outside an iframe: HTTP 200, a wait notice, no player sources."""
    return html(
        "<!DOCTYPE html><html><head><title>Please wait...</title></head><body>"
        '<div class="loading"><h3>Please wait</h3><p>Your video is being prepared.</p></div>'
        "<script>setTimeout(function(){location.reload()},5000);</script></body></html>"
    )
