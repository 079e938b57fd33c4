"""Doodstream-like hoster: ``$.get('/pass_md5/<a>/<token>')`` plus a UA-bound token (§3.2).

The media URL is pass_md5's answer + 10 characters + ``?token=…&expiry=…`` (site-2026 §4,
§9.21); the media endpoint itself checks that the token is one it issued for this file,
that the User-Agent is the one that fetched pass_md5 and that ``TOKEN_TTL`` seconds have
not passed (403 otherwise), then serves the MP4 with Range support. Variants (``?variant=``
or ``VARIANTS[code]``): player (default), gone, outdated, notfound (200 "Video not found |
DoodStream"), turnstile (a Cloudflare Turnstile page instead of the player, §4).

The domain rotates (§4): the module answers on any host name it is reached under;
``MOVED`` maps an old ``host:port`` to the current base URL, which it 301-redirects to.
Host names in ``HOSTS`` are Doodstream's alone: there an unknown id gets the "Video not
found | DoodStream" page. ``/d/<code>`` is the download page embedding ``/e/<code>`` in an
iframe. pass_md5 answers ``RELOAD`` unless it is asked on the host that served the embed,
with a Referer on that host, within ``PASS_TTL`` seconds of the embed.
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
HOSTS: set[str] = set()
# The player page /e/<code> and the download page /d/<code>.
_PAGE = re.compile(r"^/[ed]/([a-z0-9]+)$")
_ANY_PAGE = re.compile(r"^/[ed]/[0-9A-Za-z]+$")  # the id form of real Doodstream links
_PASS = re.compile(r"^/pass_md5/([0-9a-z-]+)/([a-z0-9]+)$")
_MEDIA = re.compile(r"^/dood/([a-z0-9]+)/([a-z0-9]+)~([A-Za-z0-9]{10})$")


@dataclass
class _Grant:
    code: str
    host: str
    issued: float
    user_agent: str | None = None


_GRANTS: dict[str, _Grant] = {}
_LOCK = threading.Lock()


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/e/{link.code}"


def _player(request: Request, link: HosterLink) -> Response:
    token = secrets.token_hex(8)
    with _LOCK:
        _GRANTS[token] = _Grant(link.code, request.headers.get("Host", ""), time.monotonic())
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
    return _download_page(link) if request.path.startswith("/d/") else _player(request, link)


def _special(kind: str) -> Response:
    if kind == "notfound":
        return html(
            "<!DOCTYPE html><html><head><title>Video not found | DoodStream</title></head>"
            '<body><div class="container"><h1>Oops! Sorry</h1><p>Video not found or has been '
            "removed</p></div></body></html>"
        )
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
        if grant is None or grant.host != request.headers.get("Host"):
            return reload
        if time.monotonic() - grant.issued > PASS_TTL:
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
    return media.serve_mp4(request, link)  # Referer checked too; Range answered with 206


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve the player page, ``/pass_md5/…`` and the signed media URL for Doodstream codes."""
    if (match := _MEDIA.match(request.path)) is not None:
        return _media(request, context, match)
    if (match := _PASS.match(request.path)) is not None:
        return _pass_md5(request, match[2])
    host = request.headers.get("Host", "")
    own = host in HOSTS  # on a shared host, another hoster may know the id
    moved = MOVED.get(host)
    if moved is not None and (own or context.link_at(request, _PAGE, NAME) is not None):
        return Response(301, b"", headers=[("Location", moved + request.path)])
    page = serve_embed(
        request, context, _PAGE, NAME, (VARIANTS, "player"), _page, title="DoodStream"
    )
    if page is None and own and _ANY_PAGE.match(request.path):
        return refused(request) or _special("notfound")
    return page
