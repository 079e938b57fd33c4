"""Hosters the app does not support (e.g. LoadX) under ``/v/<hoster>/<code>``, plus the
small helpers every fake hoster shares (variant switch, header checks, error pages)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext
from tests.fakesite.httpbase import Request

_EMBED = re.compile(r"^/v/([a-z0-9]+)/([a-z0-9]+)$")
# The embed path shape Vidmoly and Vidoza share.
EMBED_HTML = re.compile(r"^/embed-([a-z0-9]+)\.html$")
Page = Callable[[Request, HosterLink, str], Response]


def embed_path(link: HosterLink) -> str:
    """Path of the embed page."""
    return f"/v/{link.hoster.lower()}/{link.code}"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve ``/v/<hoster>/<code>``."""
    match = _EMBED.match(request.path)
    if match is None:
        return None
    link = context.catalog.link_by_code(match[2])
    if link is None or link.hoster.lower() != match[1]:
        return None
    return html(f"<!DOCTYPE html><html><body><h1>{link.hoster}</h1></body></html>")


# --- helpers shared by the fake hoster modules ------------------------------------------


def embed_html_path(link: HosterLink) -> str:
    """Path of an ``/embed-<code>.html`` page."""
    return f"/embed-{link.code}.html"


def serve_embed(
    request: Request, context: HosterContext, path: re.Pattern[str], hoster: str,
    variants: tuple[dict[str, str], str], page: Page, title: str | None = None,
) -> Response | None:
    """Answer an embed page of ``hoster``: None unless ``path`` names one of its links, 403
    without a User-Agent, the gone or outdated page (titled ``title``) for those variants,
    else ``page(request, link, variant)``. ``variants`` is (per-code table, default)."""
    link = context.link_at(request, path, hoster)
    if link is None:
        return None
    kind = variant(request, link.code, *variants)
    return refused(request) or broken_page(kind, title or hoster) or page(request, link, kind)


def base_url(request: Request, scheme: str | None = None) -> str:
    """``<scheme>://<Host>`` of the request: the origin the client believes it talks to.

    ``scheme`` defaults to the request's own; the hoster port answers both (see httpbase).
    """
    return f"{scheme or request.scheme}://{request.headers.get('Host', '')}"


def variant(request: Request, code: str, table: dict[str, str], default: str) -> str:
    """Page variant: ``?variant=`` wins, then the module's per-code table, then default."""
    return request.arg("variant") or table.get(code, default)


def refused(request: Request, need_referer: bool = False) -> Response | None:
    """403 when the User-Agent (or a Referer from this origin) is missing, like real hosters."""
    if not request.headers.get("User-Agent", "").strip():
        return forbidden("missing User-Agent")
    if need_referer and not request.headers.get("Referer", "").startswith(base_url(request)):
        return forbidden("missing or foreign Referer")
    return None


def foreign_sender(request: Request, need_origin: bool = False) -> str | None:
    """Why the request does not come from a page of the host it was sent to, or None.

    The ``Referer`` must name this host (exactly: another loopback name is another site);
    an ``Origin`` is required only with ``need_origin``, but a foreign one is always refused.
    """
    host = request.headers.get("Host", "")
    if urlsplit(request.headers.get("Referer", "")).netloc != host:
        return "missing or foreign Referer"
    origin = request.headers.get("Origin")
    if (origin is None and need_origin) or (origin is not None and urlsplit(origin).netloc != host):
        return "missing or foreign Origin"
    return None


def forbidden(reason: str) -> Response:
    """The hosters' plain 403 page."""
    return html(f"<html><body><h1>403 Forbidden</h1><p>{reason}</p></body></html>", 403)


def gone_page() -> Response:
    """The "file not found" page real hosters answer with 404."""
    return html(
        "<!DOCTYPE html><html><head><title>404 - File not found</title></head><body>"
        "<h1>File Not Found</h1><p>The file you were looking for could not be found, "
        "sorry for any inconvenience.</p></body></html>",
        404,
    )


def broken_page(kind: str, title: str) -> Response | None:
    """The page of a ``gone`` or ``outdated`` variant (titled ``title``); None for others."""
    if kind == "gone":
        return gone_page()
    if kind == "outdated":
        return outdated_page(title)
    return None


def outdated_page(name: str) -> Response:
    """A page in the hoster's style whose payload was removed (a redesign the app missed)."""
    return html(
        f"<!DOCTYPE html><html><head><title>{name}</title></head><body>"
        '<div id="player"></div><script src="/js/player.new.js"></script></body></html>'
    )
