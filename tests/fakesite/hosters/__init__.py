"""Fake stream hosters on their own loopback server; one module per hoster."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType

from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import Catalog, HosterLink
from tests.fakesite.httpbase import Request


@dataclass
class HosterContext:
    """What a hoster module needs to look up the link behind an embed code."""

    catalog: Catalog

    def link(self, code: str, hoster: str) -> HosterLink | None:
        """The link for an embed code if it belongs to ``hoster``."""
        link = self.catalog.link_by_code(code)
        return link if link is not None and link.hoster == hoster else None

    def link_at(self, request: Request, path: re.Pattern[str], hoster: str) -> HosterLink | None:
        """The link whose code ``path`` finds in the request path, if it belongs to ``hoster``."""
        match = path.match(request.path)
        return self.link(match[1], hoster) if match else None


def _modules() -> dict[str, ModuleType]:
    from tests.fakesite.hosters import (
        cdn,
        doodstream,
        filemoon,
        generic,
        hls_variants,
        media,
        vidara,
        vidmoly,
        vidoza,
        voe,
        voe_cdn,
    )

    return {
        "VOE": voe,
        "Vidmoly": vidmoly,
        "Vidoza": vidoza,
        "Doodstream": doodstream,
        "Filemoon": filemoon,
        "Vidara": vidara,
        "*": generic,
        "voe-cdn": voe_cdn,
        "cdn": cdn,  # the signed CDN of Vidmoly and Filemoon
        "hls-variants": hls_variants,  # before media: it claims masters with a mode only
        "media": media,
    }


def embed_url(base_url: str, link: HosterLink) -> str:
    """Absolute embed URL the site's /redirect/<id> points at."""
    modules = _modules()
    module = modules.get(link.hoster, modules["*"])
    if hasattr(module, "embed_url"):  # a hoster that may link a host other than the server
        return str(module.embed_url(base_url, link))
    return base_url + module.embed_path(link)


def not_found() -> Response:
    """The hosters' common "file not found" page."""
    return html(
        "<html><body><h1>File Not Found</h1><p>The file was deleted.</p></body></html>", 404
    )


class HosterApp:
    """Dispatches a request to the first hoster module that claims it."""

    def __init__(self, catalog: Catalog) -> None:
        self.context = HosterContext(catalog)

    def __call__(self, request: Request) -> Response:
        """Answer one request."""
        for module in _modules().values():
            response = module.handle(request, self.context)
            if response is not None:
                return response
        return not_found()
