"""Vidmoly-like hoster: jwplayer setup with ``sources: [{file:"…master.m3u8"}]`` (§3.2, §7.6).

Variants (``?variant=`` or ``VARIANTS[code]``): jwplayer (default), gone, outdated, wait
(always the "Please wait" page, e.g. an interstitial the client cannot pass), forbidden (403,
an optional mode only: no public source saw one), otherip (the playlist is signed for another
client address, as if another machine had extracted it), oldhost (the site links the embed on
a retired host: a loopback port nobody listens on, like vidmoly.to since Jan 2026). Like the
real one (site-2026 §5.2, §9.26–28), ``/w/<id>`` is the same page as ``/embed-<id>.html``; a
request with neither a ``Referer`` nor ``Sec-Fetch-Dest: iframe`` gets the "Please wait" page
(HTTP 200, no ``sources:``) instead of the player; the playlist is on the signed CDN
(``cdn.py``: Referer, IP-bound, 12 h).
"""

from __future__ import annotations

import atexit
import re
import socket
import threading

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, cdn
from tests.fakesite.hosters.generic import EMBED_HTML, embed_html_path, forbidden, serve_embed
from tests.fakesite.httpbase import Request

NAME = "Vidmoly"
VARIANTS: dict[str, str] = {}
embed_path = embed_html_path
_WATCH = re.compile(r"^/w/([a-z0-9]+)$")
_lock = threading.Lock()
_retired: socket.socket | None = None


def embed_url(base_url: str, link: HosterLink) -> str:
    """The embed URL the site links: on the hoster, or on the retired host (``oldhost``)."""
    base = old_base() if VARIANTS.get(link.code) == "oldhost" else base_url
    return base + embed_path(link)


def old_base() -> str:
    """Base URL of the retired host: a loopback port held bound but never listening."""
    global _retired
    with _lock:
        if _retired is None:
            _retired = socket.socket()
            _retired.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
            atexit.register(_retired.close)
        return f"http://127.0.0.1:{_retired.getsockname()[1]}"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/embed-<code>.html`` and ``/w/<code>`` for Vidmoly codes."""
    variants = (VARIANTS, "jwplayer")
    return serve_embed(request, context, EMBED_HTML, NAME, variants, _page) or serve_embed(
        request, context, _WATCH, NAME, variants, _page
    )


def _page(request: Request, link: HosterLink, kind: str) -> Response:
    if kind == "forbidden":
        return forbidden("embed context missing")
    if kind == "wait" or not _in_iframe(request):
        return please_wait_page()
    other = "127.0.0.2" if request.client != "127.0.0.2" else "127.0.0.1"
    source = cdn.signed_url(request, link, ip=other if kind == "otherip" else None)
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
