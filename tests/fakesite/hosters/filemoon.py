"""Filemoon/Byse-like hoster: ``/api/videos/<code>`` with an AES-256-GCM ``playback`` (§3.2).

Key parts and nonce are derived from the code, so answers are deterministic. Every API call
needs a ``Referer`` of the host it is sent to (and a foreign ``Origin`` is refused); the
media is on the signed CDN (``cdn.py``), which wants the Referer of the host that named it.
Variants (``VARIANTS[code]``, since the API URL carries no query; ``?variant=`` works on the
page): api (default), legacy (API 404; the 2025 player: ``/e/`` and ``/d/<code>`` hold a
decoy iframe and, last, an iframe to ``/bkg/<code>`` on ``FRAME_HOST``, whose Dean-Edwards
packed script names the playlist; site-2026 §5.1), gone, outdated, and the
mid-2026 Byse generation (site-2026 §5.1): byse (``GET /api/videos/<code>`` 404;
``/details`` names an ``embed_frame_url`` on another host, ``FRAME_HOST``; there
``/settings`` and ``POST /playback`` with a ``fingerprint`` object answer only with
``X-Embed-Parent`` and the frame's Referer/Origin), byse-embed (``/details`` 404, only
``/embed/details``), byse-captcha (``captcha_required: true``, playback 403); the Jan 2026
form: embedplayback (only ``GET …/embed/playback`` answers, encrypted) and embedplain (the
same with plain ``sources[{url,label}]``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, cdn
from tests.fakesite.hosters.generic import (
    base_url,
    broken_page,
    forbidden,
    foreign_sender,
    refused,
    variant,
)
from tests.fakesite.httpbase import Request

NAME = "Filemoon"
VARIANTS: dict[str, str] = {}
_EMBED = re.compile(r"^/[ed]/([a-z0-9]+)$")
_BKG = re.compile(r"^/bkg/([a-z0-9]+)$")
_AD = re.compile(r"^/ads/([a-z0-9]+)\.html$")
_API = re.compile(r"^/api/videos/([a-z0-9]+)$")
_BYSE = re.compile(
    r"^/api/videos/([a-z0-9]+)/(details|embed/details|settings|playback|embed/playback)$"
)
# The Byse player frame lives on another origin of the same loopback server.
FRAME_HOST = "localhost"
_WORD = re.compile(r"\b\w+\b", re.ASCII)
_FINGERPRINT = ("viewer_id", "device_id", "token")
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


def _json(data: object, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode(), "application/json")


def _sources(request: Request, link: HosterLink) -> list[dict[str, object]]:
    return [
        {"url": cdn.signed_url(request, link, "video.mp4"), "height": 360, "label": "360p"},
        {"url": cdn.signed_url(request, link), "height": 1080, "label": "1080p"},
    ]


def _api_refusal(request: Request, need_origin: bool = False) -> Response | None:
    """403 unless the call comes from a page of this Byse host (Referer, Origin) with a UA."""
    foreign = foreign_sender(request, need_origin)
    return forbidden(foreign) if foreign is not None else refused(request)


def _embed_playback(request: Request, link: HosterLink, kind: str) -> Response:
    if kind not in {"embedplayback", "embedplain"}:
        return _json({"error": "not found"}, 404)
    if (denied := _api_refusal(request)) is not None:
        return denied
    if kind == "embedplain":
        plain = [{"url": s["url"], "label": s["label"]} for s in _sources(request, link)]
        return _json({"sources": plain})
    return _json({"playback": playback(link.code, _sources(request, link))})


def _byse(request: Request, link: HosterLink, step: str) -> Response:
    kind = VARIANTS.get(link.code, "api")
    if step == "embed/playback":
        return _embed_playback(request, link, kind)
    on_frame = urlsplit(base_url(request)).hostname == FRAME_HOST
    if not kind.startswith("byse") or on_frame != (step in {"settings", "playback"}):
        return _json({"error": "not found"}, 404)
    if step in {"details", "embed/details"}:
        if (step == "details") == (kind == "byse-embed"):
            return _json({"error": "not found"}, 404)
        if (denied := _api_refusal(request)) is not None:
            return denied
        port = urlsplit(base_url(request)).port
        frame = f"http://{FRAME_HOST}:{port}/e/{link.code}?embed=1"
        return _json({"code": link.code, "title": f"{link.code}.mp4", "embed_frame_url": frame})
    if (denied := _frame_refusal(request)) is not None:
        return denied
    captcha = kind == "byse-captcha"
    if step == "settings":
        return _json({"captcha_required": captcha, "pow_difficulty": 0})
    return _playback_2026(request, link, captcha)


def _frame_refusal(request: Request) -> Response | None:
    if not request.headers.get("X-Embed-Parent", "").startswith("http"):
        return forbidden("missing X-Embed-Parent")
    return _api_refusal(request, need_origin=True)


def _playback_2026(request: Request, link: HosterLink, captcha: bool) -> Response:
    if request.method != "POST":
        return _json({"error": "method not allowed"}, 405)
    try:
        fingerprint = json.loads(request.body or b"null")["fingerprint"]
    except (ValueError, TypeError, KeyError):
        return _json({"error": "fingerprint required"}, 400)
    if not isinstance(fingerprint, dict) or not all(
        isinstance(fingerprint.get(k), str) and fingerprint[k] for k in _FINGERPRINT
    ):
        return _json({"error": "fingerprint required"}, 400)
    if captcha:
        return _json({"error": "captcha required"}, 403)
    return _json({"playback": playback(link.code, _sources(request, link))})


def _api(request: Request, link: HosterLink) -> Response:
    kind = VARIANTS.get(link.code, "api")
    if kind in {"legacy", "gone", "embedplayback", "embedplain"} or kind.startswith("byse"):
        return Response(404, b'{"error":"not found"}', "application/json")
    if (denied := _api_refusal(request)) is not None:
        return denied
    sources = _sources(request, link)
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
    # The decoy comes first: a client that takes the first iframe finds no player.
    port = urlsplit(base_url(request)).port
    return html(
        f"<!DOCTYPE html><html><head><title>{link.code}.mp4</title></head><body>"
        f'<iframe src="/ads/{link.code}.html" width="1" height="1"></iframe>'
        f'<div class="player"><iframe src="http://{FRAME_HOST}:{port}/bkg/{link.code}" '
        'allowfullscreen></iframe></div></body></html>'
    )


def _bkg(request: Request, link: HosterLink) -> Response:
    """The legacy player frame: packed JS naming the playlist on this host's CDN."""
    source = cdn.signed_url(request, link)
    setup = f'jwplayer("vplayer").setup({{sources:[{{file:"{source}"}}],image:"/poster.jpg"}});'
    return html(
        f'<!DOCTYPE html><html><body><div id="vplayer"></div>'
        f"<script type='text/javascript'>{pack(setup)}</script></body></html>"
    )


def _ad(request: Request, link: HosterLink) -> Response:
    """The decoy frame of the legacy page: an ad, no player."""
    return html('<!DOCTYPE html><html><body><a href="/go"><img src="/ad.gif"></a>'
                "<script>window.open('/go')</script></body></html>")


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/e/``, ``/d/``, ``/bkg/<code>``, ``/api/videos/<code>`` and the Byse API."""
    if (match := _BYSE.match(request.path)) is not None:
        link = context.link(match[1], NAME)
        return None if link is None else refused(request) or _byse(request, link, match[2])
    for pattern, answer in ((_EMBED, _page), (_API, _api), (_BKG, _bkg), (_AD, _ad)):
        link = context.link_at(request, pattern, NAME)
        if link is not None:
            return refused(request) or answer(request, link)
    return None
