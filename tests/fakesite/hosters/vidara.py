"""Vidara-like hoster (site-2026 §2, §9.12–13): embed page, ``POST /api/stream``, tokened HLS.

Strict like the real one: the API takes only POST with a JSON body ``{filecode, device:"web"}``
(GET → 405, other bodies → 400, unknown code → 404 JSON); the ``streaming_url`` is HTTPS (the
hoster port speaks TLS too, with the test CA of ``tests/fakesite/tls.py``; the playlist
refuses plain HTTP) and carries a token bound to the code and an expiry. Behaviours tagged
[inf] in the reference are switches in ``RULES`` (tests flip them with
``monkeypatch.setattr``). Variants (``VARIANTS[code]``): ok (default), gone (API 404), nourl
(JSON without ``streaming_url``), drm, broken (API 500).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from dataclasses import dataclass

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.hosters.generic import base_url, refused
from tests.fakesite.httpbase import Request

NAME = "Vidara"
VARIANTS: dict[str, str] = {}
_EMBED = re.compile(r"^/(?:e/|embed-)?([a-z0-9]{12})(?:\.html)?$")
_PAGE = re.compile(r"^/v/([a-z0-9]{12})$")
_MASTER = re.compile(r"^/hls/([a-z0-9]{12})/master\.m3u8$")
_SECRET = b"fakesite-vidara"


@dataclass
class Rules:
    """Switchable behaviours; the real ones are inferred, not observed ([inf])."""

    require_origin: bool = True  # API wants the embed origin (browsers always send it)
    media_referer: bool = True  # playlist wants a Referer from the embed host
    # ("POST",) since Apr 2026; ("GET",) is the older ``GET /api/stream?filecode=`` API.
    api_methods: tuple[str, ...] = ("POST",)
    lifetime: int = 21600  # seconds a streaming_url stays valid


RULES = Rules()


def embed_path(link: HosterLink) -> str:
    """Path of the embed page the site's redirect points at."""
    return f"/e/{link.code}"


def token(code: str, expires: int) -> str:
    """The ``t`` a streaming_url carries: bound to the code and its expiry."""
    return hmac.new(_SECRET, f"{code}:{expires}".encode(), hashlib.sha256).hexdigest()[:24]


def stream_url(base: str, code: str, now: float | None = None) -> str:
    """A fresh ``streaming_url`` for ``code`` on the server at ``base``."""
    expires = int(now if now is not None else time.time()) + RULES.lifetime
    return f"{base}/hls/{code}/master.m3u8?t={token(code, expires)}&e={expires}"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve the embed page, the ``/v/`` page, the stream API and the tokened playlist."""
    if request.path == "/api/stream":
        return _api(request, context)
    for pattern, serve in ((_PAGE, _video_page), (_EMBED, _embed_page), (_MASTER, _master)):
        link = context.link_at(request, pattern, NAME)
        if link is not None:
            return serve(request, link)
    return None


def _header(request: Request, name: str) -> str:
    return next((v for k, v in request.headers.items() if k.lower() == name.lower()), "")


def _json(status: int, data: dict[str, object]) -> Response:
    return Response(status, json.dumps(data).encode(), "application/json")


def _embed_page(request: Request, link: HosterLink) -> Response:
    if (denied := refused(request)) is not None:
        return denied
    return html(
        f"<!DOCTYPE html><html><head><title>{link.code}.mp4</title></head><body>"
        '<div id="player"></div><script src="/js/jwplayer.js"></script><script>'
        "fetch('/api/stream',{method:'POST',headers:{'Content-Type':'application/json'},"
        f"body:JSON.stringify({{filecode:'{link.code}',device:'web'}})}})"
        ".then(r=>r.json()).then(d=>jwplayer('player').setup({file:d.streaming_url}));"
        "</script></body></html>"
    )


def _video_page(request: Request, link: HosterLink) -> Response:
    """Public page: an iframe to the embed on the other host name of this server."""
    if (denied := refused(request)) is not None:
        return denied
    host = _header(request, "Host")
    other = host.replace("127.0.0.1", "localhost") if "127.0.0.1" in host else (
        host.replace("localhost", "127.0.0.1"))
    return html(
        f"<!DOCTYPE html><html><head><title>Watch {link.code}</title></head><body>"
        f'<iframe src="http://{other}/e/{link.code}" allowfullscreen></iframe></body></html>'
    )


def _api(request: Request, context: HosterContext) -> Response:
    if request.method not in RULES.api_methods:
        return _json(405, {"error": "Method Not Allowed"})
    if request.method == "GET":
        return _answer(request, context, request.arg("filecode"))
    if not _header(request, "User-Agent").strip():
        return _json(403, {"error": "Forbidden"})
    if RULES.require_origin and _header(request, "Origin") != base_url(request):
        return _json(403, {"error": "Forbidden"})
    if "application/json" not in _header(request, "Content-Type"):
        return _json(400, {"error": "Bad Request"})
    try:
        body = json.loads(request.body)
    except ValueError:
        return _json(400, {"error": "Bad Request"})
    if not isinstance(body, dict) or body.get("device") != "web":
        return _json(400, {"error": "Bad Request"})
    return _answer(request, context, body.get("filecode"))


def _answer(request: Request, context: HosterContext, code: object) -> Response:
    if not isinstance(code, str) or not code:
        return _json(400, {"error": "Bad Request"})
    link = context.link(code, NAME)
    kind = VARIANTS.get(code, "ok")
    if link is None or kind == "gone":
        return _json(404, {"error": "File not found"})
    if kind == "broken":
        return _json(500, {"error": "Internal Server Error"})
    data: dict[str, object] = {
        "filecode": code, "title": f"{code}.mp4", "thumbnail": f"{base_url(request)}/t.jpg",
        "streaming_url": stream_url(base_url(request, "https"), code), "subtitles": [],
        "default_sub_lang": "",
    }
    if kind == "nourl":
        del data["streaming_url"]
    if kind == "drm":
        data["drm"] = {"widevine": {"license_url": f"{base_url(request)}/license"}}
    return _json(200, data)


def _master(request: Request, link: HosterLink) -> Response:
    """The master playlist: TLS, token, expiry, UA and (switch) Referer checked; else 403."""
    if request.scheme != "https":
        return Response(403, b"Forbidden: HTTPS only\n", "text/plain")
    expires = request.arg("e")
    if not expires.isdigit() or not hmac.compare_digest(
        request.arg("t"), token(link.code, int(expires))
    ):
        return Response(403, b"Forbidden: bad token\n", "text/plain")
    if int(expires) < time.time():
        return Response(403, b"Forbidden: link expired\n", "text/plain")
    if (denied := media.refusal(request, need_referer=RULES.media_referer)) is not None:
        return denied
    hls = media.hls_url(base_url(request), link).split("?", 1)[0].rsplit("/", 1)[0]
    playlist = media.master_text().replace("lo/", f"{hls}/lo/").replace("hi/", f"{hls}/hi/")
    return Response(200, playlist.encode(), media.PLAYLIST)

