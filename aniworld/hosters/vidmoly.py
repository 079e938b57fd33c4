"""Vidmoly: jwplayer ``sources: [{file:"…master.m3u8"}]``; media needs the Referer (ref §3.2)."""

from __future__ import annotations

import logging
import re

from aniworld.hosters.common import Fetcher, kind_of, origin
from aniworld.hosters.errors import ExtractorOutdated, HosterUnavailable
from aniworld.site.transport import Transport
from aniworld.streams import Stream

logger = logging.getLogger(__name__)

NAME = "Vidmoly"
# Shown (HTTP 200, no player) outside an iframe or while an interstitial runs (ref 2026 §5.2).
_PLEASE_WAIT = re.compile(r"<title>\s*please wait|<h\d[^>]*>\s*please wait", re.I)
_SOURCES = re.compile(r"sources\s*:\s*\[\s*\{[^}]*?\bfile\s*:\s*[\"'](https?://[^\"']+)[\"']", re.S)
_ANY_FILE = re.compile(r"\bfile\s*:\s*[\"'](https?://[^\"']+\.m3u8[^\"']*)[\"']")


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Vidmoly embed URL to its HLS playlist; raise a HosterError on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    url = fetch.parse(fetch.page(embed_url), parse_page)
    # Vidmoly's CDN wants the embed domain as Referer, and the domain keeps moving.
    return fetch.stream(url, kind_of(url), origin(embed_url), with_origin=True)


def parse_page(page: str) -> str:
    """Return the playlist URL of a Vidmoly page.

    Raises HosterUnavailable for the "Please wait" page, ExtractorOutdated if no playlist
    is found otherwise.
    """
    match = _SOURCES.search(page) or _ANY_FILE.search(page)
    if match is None and is_wait_page(page):
        logger.info("vidmoly wait page hoster=%s", NAME)
        raise HosterUnavailable(NAME, 'it showed its "Please wait" page instead of the player')
    if match is None:
        raise ExtractorOutdated(NAME, "no jwplayer sources found")
    return match[1]


def is_wait_page(page: str) -> bool:
    """True for Vidmoly's "Please wait" page (a passing state, not a changed player)."""
    return bool(_PLEASE_WAIT.search(page))
