"""VOE-like hoster: a JS hop to an alias page holding the encoded JSON payload (§3.2, §7.6)."""

from __future__ import annotations

import base64
import codecs
import json
import re

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.httpbase import Request

NAME = "VOE"
JUNK_MARKERS = ("@$", "^^", "~@", "%?", "*~", "!!", "#&")
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


def _player(link: HosterLink, base_url: str) -> str:
    payload = {
        "source": media.hls_url(base_url, link),
        "direct_access_url": media.mp4_url(base_url, link),
        "direct_access_allowed": True,
        "title": f"{link.code}.mp4",
        "site_name": "VOE",
    }
    return (
        "<!DOCTYPE html><html><head><title>VOE | Content</title></head><body>"
        '<div id="vp"></div>'
        f'<script type="application/json">["{encode(payload)}"]</script></body></html>'
    )


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/e/<code>`` (JS hop) and ``/alias/e/<code>`` (player page)."""
    for pattern, hop in ((_EMBED, True), (_ALIAS, False)):
        match = pattern.match(request.path)
        link = context.link(match[1], NAME) if match else None
        if link is None:
            continue
        base = f"http://{request.headers.get('Host', '')}"
        if hop:
            target = f"{base}/alias/e/{link.code}"
            return html(f"<script>window.location.href = '{target}';</script>")
        return html(_player(link, base))
    return None
