"""VOE-like hoster: a JS hop to an alias page holding the encoded JSON payload (§3.2, §7.6).

Variants (``?variant=`` on the embed URL, carried over the hop, or ``VARIANTS[code]``):
json (default), bare, a168c, hls, mp4, prompt, m3u8, hlsonly, nohop, crossorigin, gone,
deleted, outdated; the 2025-26 shape (§3.1-3.3): v2026 ("Redirecting..." page on the first
host, player under ``/<code>`` and ``/e/<code>`` on the alias host, junk table in
``/js/loader.<hash>.js``), v2026alt (another table, so a hard-coded table fails),
v2026noloader (loader script 404: only the known table works), challenge (403 Cloudflare
page), gone404, gone410, encoding ("An error occurred during encoding."), altcha (human
gate). The 2026 payload's ``source`` is a signed master on the strict CDN of ``voe_cdn.py``
(3 variants + I-frame playlists; IP-bound, expiring, Referer and UA required).
"""

from __future__ import annotations

import base64
import codecs
import json
import re
from urllib.parse import urlsplit

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media, voe_cdn
from tests.fakesite.hosters.generic import (
    base_url,
    broken_page,
    gone_page,
    refused,
    variant,
)
from tests.fakesite.httpbase import Request

NAME = "VOE"
JUNK_MARKERS = ("@$", "^^", "~@", "%?", "*~", "!!", "#&")
# A second table the peers' hard-coded seven do not strip; "+" and "/" are base64 digits,
# so leaving them in corrupts the payload. Unique first characters keep removal unambiguous.
OTHER_MARKERS = ("!+", "#/", "~+", "%/", "^+", "&/", "*+")
# loader hash -> table; the third hash has no script (404).
LOADERS: dict[str, tuple[str, ...]] = {"0123abcd": JUNK_MARKERS, "9f8e7d6c": OTHER_MARKERS}
_FAILURES_2026 = {"challenge", "gone404", "gone410", "encoding", "altcha"}
_LOADER_OF = {"v2026": "0123abcd", "v2026alt": "9f8e7d6c", "v2026noloader": "deadbeef"}
# Another host name for the same loopback server, so the alias is a different origin.
ALIAS_HOST = "localhost"
# The media CDN: yet another origin than the alias page (the first host's name).
CDN_HOST = "127.0.0.1"
VARIANTS: dict[str, str] = {}
_SCRIPT_KINDS = {"json", "hlsonly", "bare", "a168c", "hls", "mp4", "prompt", "m3u8"}
_EMBED = re.compile(r"^/e/([a-z0-9]+)$")
_ALIAS = re.compile(r"^/alias/e/([a-z0-9]+)$")
_ALIAS_2026 = re.compile(r"^/(?:e/)?([a-z0-9]+)$")
_LOADER = re.compile(r"^/js/loader\.([0-9a-f]{8})\.js$")


def embed_path(link: HosterLink) -> str:
    """Path of the first-hop embed page."""
    return f"/e/{link.code}"


def encode(payload: dict[str, object], markers: tuple[str, ...] = JUNK_MARKERS) -> str:
    """Inverse of the peers' decode: base64, reverse, shift +3, base64, junk markers, ROT13."""
    step = base64.b64encode(json.dumps(payload).encode()).decode()[::-1]
    step = "".join(chr(ord(c) + 3) for c in step)
    step = base64.b64encode(step.encode()).decode()
    chunks = [step[i : i + 16] for i in range(0, len(step), 16)]
    marked = "".join(c + markers[i % len(markers)] for i, c in enumerate(chunks[:-1]))
    return codecs.encode(marked + chunks[-1], "rot13")


def decode(encoded: str) -> dict[str, object]:
    """The documented decode, kept here so tests can check encode against a real sample."""
    text = codecs.decode(encoded, "rot13")
    for marker in JUNK_MARKERS:
        text = text.replace(marker, "")
    text = base64.b64decode(text).decode()
    text = "".join(chr(ord(c) - 3) for c in text)[::-1]
    return json.loads(base64.b64decode(text))


def _payload(
    link: HosterLink, base: str, direct: bool, source: str | None = None
) -> dict[str, object]:
    return {
        "source": source or media.hls_url(base, link),
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


def _first_host_2026(request: Request, link: HosterLink, kind: str) -> Response:
    if kind == "challenge":
        return html(
            "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
            '<script src="/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1"></script>'
            "</body></html>",
            403,
        )
    if kind == "gone404":
        return gone_page()
    if kind == "gone410":
        return html("<html><body><h1>Gone</h1></body></html>", 410)
    port = urlsplit(base_url(request)).port
    target = f"http://{ALIAS_HOST}:{port}/{link.code}?variant={kind}"
    return html(
        "<html><head><title>Redirecting...</title></head><body><script>\n"
        "const permanentToken = localStorage.getItem('permanentToken');\n"
        "if (permanentToken) { const currentUrl = new URL(window.location.href); "
        "currentUrl.searchParams.set('permanentToken', permanentToken); "
        "window.location.href = currentUrl.toString(); }\n"
        f"else {{ window.location.href = '{target}'; }}\n</script></body></html>"
    )


def _player_2026(request: Request, link: HosterLink, kind: str) -> Response:
    if kind == "encoding":
        return html("<html><body><h3>An error occurred during encoding.</h3></body></html>")
    if kind == "altcha":
        return html(
            "<html><head><title>VOE</title></head><body><p>Confirm you're human to start the "
            'video</p><form method="post"><input type="hidden" name="_token" value="t0k">'
            '<altcha-widget challenge="/altcha/challenge"></altcha-widget></form></body></html>'
        )
    loader = _LOADER_OF.get(kind, _LOADER_OF["v2026"])
    port = urlsplit(base_url(request)).port
    source = voe_cdn.master_url(f"http://{CDN_HOST}:{port}", link, request.client)
    payload = encode(_payload(link, base_url(request), False, source),
                     LOADERS.get(loader, JUNK_MARKERS))
    return html(
        f"<!DOCTYPE html><html><head><title>Watch {link.code}.mp4 - VOE | Content Delivery "
        "Network (CDN) &amp; Video Cloud</title>"
        f'<meta name="description" content="Watch {link.code}.mp4 at VOE"></head><body>'
        "<script>var source='http://decoy.localhost/not-the-video.mp4';</script>"
        f'<script type="application/json">["{payload}"]</script>\n'
        f'    <script src="/js/loader.{loader}.js"></script>\n<b>720p</b> 12.5 MB</body></html>'
    )


def _loader(request: Request) -> Response | None:
    match = _LOADER.match(request.path)
    table = LOADERS.get(match[1]) if match else None
    if table is None:
        return None
    items = ",".join(f"'{marker}'" for marker in table)
    script = (
        "(function(){var n=[1,2,3];var w=['ab','cd'];"
        f"var z=[{items}];window.__l=function(s){{return z.reduce(function(a,m)"
        "{return a.split(m).join('_')},s)}}})();"
    )
    return Response(200, script.encode(), "application/javascript")


def _handle_2026(request: Request, context: HosterContext) -> Response | None:
    # The pattern also matches /e/<code>, the first host's embed path.
    link = context.link_at(request, _ALIAS_2026, NAME)
    if link is None:
        return None
    kind = variant(request, link.code, VARIANTS, "json")
    on_alias = urlsplit(base_url(request)).hostname == ALIAS_HOST
    if not on_alias and not request.path.startswith("/e/"):
        return None
    if not (kind.startswith("v2026") or kind in _FAILURES_2026):
        return None if request.path.startswith("/e/") else _player_2026(request, link, "v2026")
    if (denied := refused(request)) is not None:
        return denied
    if on_alias:
        return _player_2026(request, link, kind)
    return _first_host_2026(request, link, kind)


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/e/<code>`` (JS hop), ``/alias/e/<code>`` (player page) and the 2026 shape."""
    if (answer := _loader(request) or _handle_2026(request, context)) is not None:
        return answer
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
