"""Doodstream-like hoster: ``$.get('/pass_md5/<a>/<token>')`` plus a UA-bound token (§3.2).

The media URL is pass_md5's answer + 10 characters + ``?token=…&expiry=…``; it is only
honoured for the User-Agent that fetched pass_md5 and for ``TOKEN_TTL`` seconds, then it
redirects to the shared MP4. Variants (``?variant=`` or ``VARIANTS[code]``): player
(default), gone, outdated.
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
VARIANTS: dict[str, str] = {}
_EMBED = re.compile(r"^/e/([a-z0-9]+)$")
_PASS = re.compile(r"^/pass_md5/([0-9]+-[a-z0-9]+)/([a-z0-9]+)$")
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


def _player(request: Request, link: HosterLink, kind: str) -> Response:
    token = secrets.token_hex(8)
    with _LOCK:
        _GRANTS[token] = _Grant(link.code, time.monotonic())
    return html(
        "<!DOCTYPE html><html><body><script>\n"
        f"$.get('/pass_md5/{link.link_id}-{secrets.token_hex(4)}/{token}', function(data) {{\n"
        f"  window.src = data + makePlay() + '?token={token}&expiry=' + Date.now();\n"
        "});\n</script></body></html>"
    )


def _pass_md5(request: Request, token: str) -> Response:
    if (denied := refused(request, need_referer=True)) is not None:
        return denied
    with _LOCK:
        grant = _GRANTS.get(token)
        if grant is None:
            # What the real one answers to stale or forged pass_md5 paths.
            return Response(200, b"RELOAD", "text/plain")
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
    return serve_embed(
        request, context, _EMBED, NAME, (VARIANTS, "player"), _player, title="DoodStream"
    )
