"""Vidoza-like hoster: ``sourcesCode: [{ src: "…mp4" }]`` (§3.2, §7.6; path shape unverified).

Variants (``?variant=`` or ``VARIANTS[code]``): sources (default), legacy (``<source src>``),
gone, outdated.
"""

from __future__ import annotations

import re

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.hosters.generic import base_url, gone_page, outdated_page, refused, variant
from tests.fakesite.httpbase import Request

NAME = "Vidoza"
VARIANTS: dict[str, str] = {}
_EMBED = re.compile(r"^/embed-([a-z0-9]+)\.html$")


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/embed-{link.code}.html"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/embed-<code>.html`` for Vidoza codes."""
    match = _EMBED.match(request.path)
    link = context.link(match[1], NAME) if match else None
    if link is None:
        return None
    kind = variant(request, link.code, VARIANTS, "sources")
    if (denied := refused(request)) is not None:
        return denied
    if kind in {"gone", "outdated"}:
        return gone_page() if kind == "gone" else outdated_page("Vidoza")
    source = media.mp4_url(base_url(request), link)
    if kind == "legacy":
        return html(
            '<!DOCTYPE html><html><body><video id="player" controls>'
            f'<source src="{source}" type="video/mp4"></video></body></html>'
        )
    return html(
        '<!DOCTYPE html><html><body><video id="player"></video><script>\n'
        f'var player = new Player({{ sourcesCode: [{{ src: "{source}", type: "video/mp4", '
        'label:"SD", res:"480"}] });\n</script></body></html>'
    )
