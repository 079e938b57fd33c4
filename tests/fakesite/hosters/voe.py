"""VOE-like hoster: a JS hop to an alias page holding the encoded JSON payload (§3.2, §7.6).

Variants (``?variant=`` on the embed URL, carried over the hop, or ``VARIANTS[code]``):
json (default), bare, a168c, hls, mp4, prompt, m3u8, hlsonly, nohop, crossorigin, gone,
deleted, outdated.
"""

from __future__ import annotations

import base64
import codecs
import json
import re
from urllib.parse import urlsplit

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

NAME = "VOE"
JUNK_MARKERS = ("@$", "^^", "~@", "%?", "*~", "!!", "#&")
# Another host name for the same loopback server, so the alias is a different origin.
ALIAS_HOST = "localhost"
VARIANTS: dict[str, str] = {}
_SCRIPT_KINDS = {"json", "hlsonly", "bare", "a168c", "hls", "mp4", "prompt", "m3u8"}
_EMBED = re.compile(r"^/e/([a-z0-9]+)$")
_ALIAS = re.compile(r"^/alias/e/([a-z0-9]+)$")


def embed_path(link: HosterLink) -> str:
    """Path of the first-hop embed page."""
    return f"/e/{link.code}"


def encode(payload: dict[str, object]) -> str:
    """Inverse of the peers' decode: base64, reverse, shift +3, base64, junk markers, ROT13."""
    step = base64.b64encode(json.dumps(payload).encode()).decode()[::-1]
    step = "".join(chr(ord(c) + 3) for c in step)
    step = base64.b64encode(step.encode()).decode()
    chunks = [step[i : i + 16] for i in range(0, len(step), 16)]
    marked = "".join(c + JUNK_MARKERS[i % len(JUNK_MARKERS)] for i, c in enumerate(chunks[:-1]))
    return codecs.encode(marked + chunks[-1], "rot13")


def decode(encoded: str) -> dict[str, object]:
    """The documented decode, kept here so tests can check encode against a real sample."""
    text = codecs.decode(encoded, "rot13")
    for marker in JUNK_MARKERS:
        text = text.replace(marker, "")
    text = base64.b64decode(text).decode()
    text = "".join(chr(ord(c) - 3) for c in text)[::-1]
    return json.loads(base64.b64decode(text))


def _payload(link: HosterLink, base: str, direct: bool) -> dict[str, object]:
    return {
        "source": media.hls_url(base, link),
        "direct_access_url": media.mp4_url(base, link),
        "direct_access_allowed": direct,
        "title": f"{link.code}.mp4",
        "site_name": "VOE",
    }


def _script(kind: str, link: HosterLink, base: str) -> str:
    hls, mp4 = media.hls_url(base, link), media.mp4_url(base, link)
    scripts = {
        "json": lambda: f'["{encode(_payload(link, base, True))}"]',
        "hlsonly": lambda: f'["{encode(_payload(link, base, False))}"]',
        "bare": lambda: f'"{encode(_payload(link, base, True))}"',
        "a168c": lambda: f"var a168c='{encode(_payload(link, base, False))}';",
        "hls": lambda: (
            f"var sources = {{'hls': '{base64.b64encode(hls.encode()).decode()}', "
            "'video_height': 720};"
        ),
        "mp4": lambda: f"var sources = {{'mp4': '{mp4}', 'video_height': 720}};",
        "prompt": lambda: f'let nodeDetails = prompt("Node", "{hls}");',
        "m3u8": lambda: f'var cfg = {{poster: "/p.jpg", stream: "{hls}"}};',
    }
    return scripts[kind]()


def _player(kind: str, link: HosterLink, base: str) -> Response:
    if (broken := broken_page(kind, "VOE | Content")) is not None:
        return broken
    if kind == "deleted":
        return html(
            "<html><body><h1>Video can not be found</h1>"
            "<p>The file was deleted by the owner.</p></body></html>"
        )
    if kind not in _SCRIPT_KINDS:
        kind = "json"  # nohop / crossorigin only change the hop, not the player
    script = _script(kind, link, base)
    kind_attr = ' type="application/json"' if kind in {"json", "hlsonly", "bare"} else ""
    return html(
        "<!DOCTYPE html><html><head><title>VOE | Content</title></head><body>"
        f'<div id="vp"></div><script{kind_attr}>{script}</script></body></html>'
    )


def _hop(request: Request, link: HosterLink, kind: str) -> Response:
    base = base_url(request)
    if kind == "crossorigin":
        port = urlsplit(base).port
        base = f"http://{ALIAS_HOST}:{port}"
    query = f"?variant={request.arg('variant')}" if request.arg("variant") else ""
    target = f"{base}/alias/e/{link.code}{query}"
    return html(f"<script>window.location.href = '{target}';</script>")


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/e/<code>`` (JS hop) and ``/alias/e/<code>`` (player page)."""
    for pattern, is_hop in ((_EMBED, True), (_ALIAS, False)):
        link = context.link_at(request, pattern, NAME)
        if link is None:
            continue
        kind = variant(request, link.code, VARIANTS, "json")
        if (denied := refused(request)) is not None:
            return denied
        if is_hop and kind != "nohop":
            return _hop(request, link, kind)
        return _player(kind, link, base_url(request))
    return None
