"""Filemoon/Byse-like hoster: ``/api/videos/<code>`` with an AES-256-GCM ``playback`` (§3.2).

Key parts and nonce are derived from the code, so answers are deterministic. Variants
(``VARIANTS[code]``, since the API URL carries no query; ``?variant=`` works on the page):
api (default), legacy (API 404, Dean-Edwards packed player script), gone, outdated.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.hosters.generic import (
    base_url,
    broken_page,
    refused,
    variant,
)
from tests.fakesite.httpbase import Request

NAME = "Filemoon"
VARIANTS: dict[str, str] = {}
_EMBED = re.compile(r"^/e/([a-z0-9]+)$")
_API = re.compile(r"^/api/videos/([a-z0-9]+)$")
_WORD = re.compile(r"\b\w+\b", re.ASCII)
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UNPACKER = (
    "eval(function(p,a,c,k,e,d){e=function(c){return(c<a?'':e(parseInt(c/a)))+((c=c%a)>35?"
    "String.fromCharCode(c+29):c.toString(36))};if(!''.replace(/^/,String)){while(c--)"
    "{d[e(c)]=k[c]||e(c)}k=[function(e){return d[e]}];e=function(){return'\\\\w+'};c=1};"
    "while(c--){if(k[c]){p=p.replace(new RegExp('\\\\b'+e(c)+'\\\\b','g'),k[c])}}return p}"
)


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/e/{link.code}"


def b64url(data: bytes) -> str:
    """base64url without padding, as the API sends it."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def key_for(code: str) -> bytes:
    """The AES-256 key of a code (deterministic so tests can recompute it)."""
    return hashlib.sha256(f"fakesite-filemoon-key-{code}".encode()).digest()


def playback(code: str, sources: list[dict[str, object]]) -> dict[str, object]:
    """Encrypt ``{"sources": …}`` the way the API's ``playback`` object carries it."""
    key = key_for(code)
    nonce = hashlib.sha256(f"fakesite-filemoon-iv-{code}".encode()).digest()[:12]
    sealed = AESGCM(key).encrypt(nonce, json.dumps({"sources": sources}).encode(), None)
    return {
        "algorithm": "AES-256-GCM",
        "key_parts": [b64url(key[:16]), b64url(key[16:])],
        "iv": b64url(nonce),
        "payload": b64url(sealed),
    }


def pack(source: str) -> str:
    """Dean Edwards' packer (radix 62) applied to ``source``."""
    words = list(dict.fromkeys(_WORD.findall(source)))
    index = {word: _base62(number) for number, word in enumerate(words)}
    body = _WORD.sub(lambda m: index[m[0]], source).replace("\\", "\\\\").replace("'", "\\'")
    return f"{_UNPACKER}('{body}',62,{len(words)},'{'|'.join(words)}'.split('|'),0,{{}}))"


def _base62(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 62)
        digits = _DIGITS[rest] + digits
        if number == 0:
            return digits


def _api(request: Request, link: HosterLink) -> Response:
    kind = VARIANTS.get(link.code, "api")
    if kind in {"legacy", "gone"}:
        return Response(404, b'{"error":"not found"}', "application/json")
    if (denied := refused(request, need_referer=True)) is not None:
        return denied
    base = base_url(request)
    sources = [
        {"url": media.mp4_url(base, link), "height": 360, "label": "360p"},
        {"url": media.hls_url(base, link), "height": 1080, "label": "1080p"},
    ]
    answer: dict[str, object] = {"id": link.code, "title": f"{link.code}.mp4"}
    if kind != "outdated":
        answer["playback"] = playback(link.code, sources)
    return Response(200, json.dumps(answer).encode(), "application/json")


def _page(request: Request, link: HosterLink) -> Response:
    kind = variant(request, link.code, VARIANTS, "api")
    if (broken := broken_page(kind, "Filemoon")) is not None:
        return broken
    if kind != "legacy":
        # The new player is a single-page app that reads everything from the API.
        return html(
            f'<!DOCTYPE html><html><body><div id="app" data-code="{link.code}">'
            '</div><script src="/assets/app.js"></script></body></html>'
        )
    source = media.hls_url(base_url(request), link)
    setup = f'jwplayer("vplayer").setup({{sources:[{{file:"{source}"}}],image:"/poster.jpg"}});'
    return html(
        f'<!DOCTYPE html><html><body><div id="vplayer"></div>'
        f"<script type='text/javascript'>{pack(setup)}</script></body></html>"
    )


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/e/<code>`` and ``/api/videos/<code>`` for Filemoon codes."""
    for pattern, answer in ((_EMBED, _page), (_API, _api)):
        link = context.link_at(request, pattern, NAME)
        if link is not None:
            return refused(request) or answer(request, link)
    return None
