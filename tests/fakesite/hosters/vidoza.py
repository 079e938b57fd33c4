"""Vidoza-like hoster: ``sourcesCode: [{ src: "…mp4" }]`` (§3.2, §7.6; path shape unverified).

Variants (``?variant=`` or ``VARIANTS[code]``): sources (default), legacy (``<source src>``),
gone, outdated.
"""

from __future__ import annotations

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext, media
from tests.fakesite.hosters.generic import EMBED_HTML, base_url, embed_html_path, serve_embed
from tests.fakesite.httpbase import Request

NAME = "Vidoza"
VARIANTS: dict[str, str] = {}
embed_path = embed_html_path


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/embed-<code>.html`` for Vidoza codes."""
    return serve_embed(request, context, EMBED_HTML, NAME, (VARIANTS, "sources"), _page)


def _page(request: Request, link: HosterLink, kind: str) -> Response:
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
