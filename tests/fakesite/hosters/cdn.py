"""The signed CDN behind fake Vidmoly and Filemoon (site-2026 §5.1, §5.2, §9.25, §9.28).

URLs look like the real ones: ``/cdn/<hoster>/<code>/master.m3u8?t=…&s=<unix>&e=<lifetime>``
(Vidmoly adds ``&i=<client ip>``); every playlist line carries the same query, as nginx-vod
writes it. Every request — master, variant, segment, MP4 — is refused with 403 unless:

- it has a User-Agent and a ``Referer`` on this very host (the hoster that signed the URL,
  not just any loopback name), and an ``Origin``, if sent, of this host too;
- ``t`` signs (hoster, code, s, e[, i]) and ``s + e`` has not passed on the CDN's clock
  (``SKEW`` moves that clock, so tests reach the 12 h end without sleeping);
- for IP-bound hosters, the client's address is ``i``: the one that extracted the URL.

A code with an HLS mode (``hls_variants.HLS_MODES``) gets that mode's master here, its
URIs pointing at the mode's files under ``/engine/hls2/`` (served by ``hls_variants``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

from tests.fakesite import media_files
from tests.fakesite.blocks import Response
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, hls_variants, media
from tests.fakesite.hosters.generic import base_url, foreign_sender
from tests.fakesite.httpbase import Request

_PATH = re.compile(
    r"^/cdn/([a-z]+)/([a-z0-9]+)/(master\.m3u8|video\.mp4|(hi|lo)/(index\.m3u8|seg-\d+\.ts))$"
)
_SECRET = b"fakesite-cdn"
_URI_ATTRIBUTE = re.compile(r'URI="([^"/][^":]*)"')  # a relative URI="…" in a tag line
SKEW = 0.0  # seconds the CDN's clock runs ahead of the real one


@dataclass(frozen=True)
class Policy:
    """How one hoster's CDN signs: token lifetime (``e``) and whether ``i`` binds the IP."""

    hoster: str
    lifetime: int
    bind_ip: bool


POLICIES = {
    "vidmoly": Policy("Vidmoly", 43200, True),  # 12 h, IP-locked (MF #168, RU #1205)
    "filemoon": Policy("Filemoon", 14400, False),
}


def now() -> int:
    """The CDN's clock (Unix seconds)."""
    return int(time.time() + SKEW)


def signed_url(request: Request, link: HosterLink, name: str = "master.m3u8",
               ip: str | None = None) -> str:
    """A URL of ``name`` (master.m3u8 or video.mp4) signed for the client of ``request``.

    ``ip`` signs for another address instead (as if another machine had extracted it).
    """
    slug = link.hoster.lower()
    policy = POLICIES[slug]
    fields = {"s": str(now()), "e": str(policy.lifetime)}
    if policy.bind_ip:
        fields["i"] = ip or request.client
    query = urlencode({"t": _token(slug, link.code, fields), **fields})
    return f"{base_url(request)}/cdn/{slug}/{link.code}/{name}?{query}"


def _token(slug: str, code: str, fields: dict[str, str]) -> str:
    message = ":".join([slug, code, fields["s"], fields["e"], fields.get("i", "")])
    return hmac.new(_SECRET, message.encode(), hashlib.sha256).hexdigest()[:32]


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve signed playlists, segments and MP4s; None for paths or codes not its own."""
    match = _PATH.match(request.path)
    policy = POLICIES.get(match[1]) if match else None
    link = context.link(match[2], policy.hoster) if match and policy else None
    if match is None or policy is None or link is None:
        return None
    reason = _refusal(request, link, policy)
    if reason is not None:
        return Response(403, f"Forbidden: {reason}\n".encode(), "text/plain")
    if match[3] == "master.m3u8" and link.code in hls_variants.HLS_MODES:
        return _mode_master(request, context, link)
    return _serve(request, link, match[3])


def _mode_master(request: Request, context: HosterContext, link: HosterLink) -> Response:
    """The master of the code's HLS mode, with URIs made absolute (they live elsewhere)."""
    folder = f"/engine/hls2/{link.code}/"
    answer = hls_variants.handle(replace(request, path=folder + "master.m3u8", query={}), context)
    if answer is None or answer.status != 200:
        return answer or Response(404, b"Not Found\n", "text/plain")
    text = _URI_ATTRIBUTE.sub(lambda m: f'URI="{folder}{m[1]}"', answer.body.decode())
    lines = [line if not line or line.startswith("#") else folder + line
             for line in text.splitlines()]
    return Response(200, ("\n".join(lines) + "\n").encode(), media.PLAYLIST)


def _refusal(request: Request, link: HosterLink, policy: Policy) -> str | None:
    if not request.headers.get("User-Agent", "").strip():
        return "no User-Agent"
    if (foreign := foreign_sender(request)) is not None:
        return foreign
    fields = {k: request.arg(k) for k in ("s", "e", "i") if request.arg(k)}
    if {"s", "e"} - fields.keys() or not (fields["s"].isdigit() and fields["e"].isdigit()):
        return "unsigned"
    if not hmac.compare_digest(request.arg("t"), _token(policy.hoster.lower(), link.code, fields)):
        return "bad token"
    if now() > int(fields["s"]) + int(fields["e"]):
        return "token expired"
    if policy.bind_ip and fields.get("i") != request.client:
        return "token bound to another IP"
    return None


def _serve(request: Request, link: HosterLink, name: str) -> Response:
    root = media_files.language_dir(link.language)
    query = _query(request)
    if name == "video.mp4":
        return media.serve_file(request, root / "video.mp4", "video/mp4")
    if name == "master.m3u8":
        return _playlist(media.master_text(), query)
    if name.endswith("index.m3u8"):
        return _playlist((root / name).read_text(), query)
    segment: Path = root / name
    if not segment.exists():
        return Response(404, b"Not Found\n", "text/plain")
    return media.serve_file(request, segment, "video/mp2t")


def _query(request: Request) -> str:
    return urlencode({k: v[0] for k, v in request.query.items() if k in ("t", "s", "e", "i")})


def _playlist(text: str, query: str) -> Response:
    """The playlist with the signed query on every URI line, as the CDN writes it."""
    lines = [
        line if not line or line.startswith("#") else f"{line}?{query}"
        for line in text.splitlines()
    ]
    return Response(200, ("\n".join(lines) + "\n").encode(), media.PLAYLIST)
