"""Vidmoly: jwplayer ``sources: [{file:"…master.m3u8"}]``; media needs the Referer (ref §3.2)."""

from __future__ import annotations

import re

from aniworld.hosters.common import Fetcher, kind_of, origin
from aniworld.hosters.errors import ExtractorOutdated
from aniworld.site.transport import Transport
from aniworld.streams import Stream

NAME = "Vidmoly"
_SOURCES = re.compile(r"sources\s*:\s*\[\s*\{[^}]*?\bfile\s*:\s*[\"'](https?://[^\"']+)[\"']", re.S)
_ANY_FILE = re.compile(r"\bfile\s*:\s*[\"'](https?://[^\"']+\.m3u8[^\"']*)[\"']")


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Vidmoly embed URL to its HLS playlist; raise a HosterError on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    url = fetch.parse(fetch.page(embed_url), parse_page)
    # Vidmoly's CDN wants the embed domain as Referer, and the domain keeps moving.
    return fetch.stream(url, kind_of(url), origin(embed_url), with_origin=True)


def parse_page(page: str) -> str:
    """Return the playlist URL of a Vidmoly page; raise ExtractorOutdated if none is found."""
    match = _SOURCES.search(page) or _ANY_FILE.search(page)
    if match is None:
        raise ExtractorOutdated(NAME, "no jwplayer sources found")
    return match[1]
