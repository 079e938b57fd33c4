"""Vidoza: the player script's ``sourcesCode: [{ src: "…mp4" }]``, older ``<source src>``."""

from __future__ import annotations

import re
from html import unescape

from aniworld.hosters.common import Fetcher, origin
from aniworld.hosters.errors import ExtractorOutdated
from aniworld.site.transport import Transport
from aniworld.streams import Stream, StreamKind

NAME = "Vidoza"
_SOURCES_CODE = re.compile(
    r"sourcesCode\s*:\s*\[\s*\{[^}]*?\bsrc\s*:\s*[\"'](https?://[^\"']+)[\"']", re.S
)
_SOURCE_TAG = re.compile(r"<source\b[^>]*\bsrc=[\"'](https?://[^\"']+)[\"']", re.I)


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Vidoza embed URL to its MP4; raise a HosterError subclass on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    url = fetch.parse(fetch.page(embed_url), parse_page)
    # The reference needs only the UA; a Referer is what a browser sends anyway.
    return fetch.stream(url, StreamKind.MP4, origin(embed_url) + "/", with_origin=False)


def parse_page(page: str) -> str:
    """Return the MP4 URL of a Vidoza page; raise ExtractorOutdated if none is found."""
    match = _SOURCES_CODE.search(page) or _SOURCE_TAG.search(page)
    if match is None:
        raise ExtractorOutdated(NAME, "no sourcesCode or <source> found")
    return unescape(match[1])
