"""Doodstream-like hoster: ``$.get('/pass_md5/<a>/<token>')`` plus a UA-bound token (§3.2).

The media URL is pass_md5's answer + 10 characters + ``?token=…&expiry=…``; it is only
honoured for the User-Agent that fetched pass_md5 and for ``TOKEN_TTL`` seconds, then it
redirects to the shared MP4. Variants (``?variant=`` or ``VARIANTS[code]``): player
(default), gone, outdated, notfound (200 "Video not found | DoodStream"), turnstile (a
Cloudflare Turnstile page instead of the player, §4).

The domain rotates (§4): the module answers on any host name it is reached under;
``MOVED`` maps an old ``host:port`` to the current base URL, which it 301-redirects to.
``/d/<code>`` is the download page embedding ``/e/<code>`` in an iframe. pass_md5 answers
``RELOAD`` unless the Referer is on its own host and the embed was fetched within
``PASS_TTL`` seconds.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.hosters.generic import base_url, forbidden, refused, serve_embed
from tests.fakesite.httpbase import Request

NAME = "Doodstream"
TOKEN_TTL = 60.0
PASS_TTL = 30.0
VARIANTS: dict[str, str] = {}
MOVED: dict[str, str] = {}
# The player page /e/<code> and the download page /d/<code>.
_PAGE = re.compile(r"^/[ed]/([a-z0-9]+)$")
_PASS = re.compile(r"^/pass_md5/([0-9a-z-]+)/([a-z0-9]+)$")
_MEDIA = re.compile(r"^/dood/([a-z0-9]+)/([a-z0-9]+)~([A-Za-z0-9]{10})$")


@dataclass
class _Grant:
    code: str
    issued: float
    user_agent: str | None = None


_GRANTS: dict[str, _Grant] = {}
_LOCK = threading.Lock()


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/e/{link.code}"


def _player(link: HosterLink) -> Response:
    token = secrets.token_hex(8)
    with _LOCK:
        _GRANTS[token] = _Grant(link.code, time.monotonic())
    hashed = f"{link.link_id}-{secrets.randbelow(99)}-{int(time.time())}-{secrets.token_hex(16)}"
    return html(
        f"<!DOCTYPE html><html><head><title>{link.code}.mp4 - DoodStream</title>"
        '<script src="https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit">'
        '</script></head><body><video id="video_player" class="video-js"></video><script>\n'
        "function makePlay(){for(var a='',t='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
        "0123456789',n=t.length,o=0;10>o;o++)a+=t.charAt(Math.floor(Math.random()*n));"
        f"return a+'?token={token}&expiry='+Date.now();}}\n"
        f"$.get('/pass_md5/{hashed}/{token}', function(data) {{\n"
        '  if (data === "RELOAD") { location.reload(); return; }\n'
        '  dsplayer.src({type: "video/mp4", src: data + makePlay()});\n'
        "});\n</script></body></html>"
    )


def _download_page(link: HosterLink) -> Response:
    return html(
        f"<!DOCTYPE html><html><head><title>{link.code}.mp4 - DoodStream</title></head><body>"
        f'<div class="video-content"><iframe src="/e/{link.code}" scrolling="no"></iframe>'
        "</div></body></html>"
    )


def _page(request: Request, link: HosterLink, kind: str) -> Response:
    if kind in {"notfound", "turnstile"}:
        return _special(kind)
    return _download_page(link) if request.path.startswith("/d/") else _player(link)


def _special(kind: str) -> Response:
    if kind == "notfound":
        return html("<html><head><title>Video not found | DoodStream</title></head></html>")
    return html(
        "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
        '<div class="cf-turnstile" data-sitekey="0x4AAAAAAA"></div><script src="https://'
        'challenges.cloudflare.com/turnstile/v0/api.js"></script></body></html>'
    )


def _pass_md5(request: Request, token: str) -> Response:
    if (denied := refused(request)) is not None:
        return denied
    # What the real one answers to foreign, stale or forged pass_md5 requests.
    reload = Response(200, b"RELOAD", "text/plain")
    if not request.headers.get("Referer", "").startswith(base_url(request) + "/"):
        return reload
    with _LOCK:
        grant = _GRANTS.get(token)
        if grant is None or time.monotonic() - grant.issued > PASS_TTL:
            return reload
        grant.user_agent = request.headers.get("User-Agent")
    return Response(200, f"{base_url(request)}/dood/{grant.code}/{token}~".encode(), "text/plain")


def _media(request: Request, context: HosterContext, match: re.Match[str]) -> Response | None:
    link = context.link(match[1], NAME)
    if link is None:
        return None
    with _LOCK:
        grant = _GRANTS.get(match[2])
    if grant is None or grant.code != link.code or request.arg("token") != match[2]:
        return forbidden("bad token")
    if not request.arg("expiry").isdigit() or time.monotonic() - grant.issued > TOKEN_TTL:
        return forbidden("token expired")
    if grant.user_agent is None or grant.user_agent != request.headers.get("User-Agent"):
        return forbidden("token bound to another client")
    return Response(302, b"", headers=[("Location", media.mp4_url(base_url(request), link))])


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve the player page, ``/pass_md5/…`` and the signed media URL for Doodstream codes."""
    if (match := _MEDIA.match(request.path)) is not None:
        return _media(request, context, match)
    if (match := _PASS.match(request.path)) is not None:
        return _pass_md5(request, match[2])
    moved = MOVED.get(request.headers.get("Host", ""))
    if moved is not None and context.link_at(request, _PAGE, NAME) is not None:
        return Response(301, b"", headers=[("Location", moved + request.path)])
    return serve_embed(
        request, context, _PAGE, NAME, (VARIANTS, "player"), _page, title="DoodStream"
    )
