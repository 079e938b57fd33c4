"""Vidmoly: jwplayer ``sources: [{file:"…master.m3u8"}]``; media needs the Referer (ref §3.2).

Links come as ``/embed-<id>.html``, ``/w/<id>``, ``/v/<id>`` or ``/dl/<id>``; all are read
from the embed page (ref site-2026 §5.2). Vidmoly moves domains: a link on a retired one
(``RETIRED``) is read from the current domain instead, and a host that does not answer is
a transient error naming that host, so the next hoster is tried.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

from aniworld.hosters.common import Fetcher, kind_of, origin
from aniworld.hosters.errors import ExtractorOutdated, HosterUnavailable
from aniworld.phrases import Phrase
from aniworld.site.errors import SiteUnreachable
from aniworld.site.transport import Transport
from aniworld.streams import Stream

logger = logging.getLogger(__name__)

NAME = "Vidmoly"
# Retired host (as in a link) -> the base URL that serves its videos now. vidmoly.to went
# away in Jan 2026 (RU #1301); vidmoly.biz is the canonical domain of RU and PEER.
RETIRED = {"vidmoly.to": "https://vidmoly.biz", "www.vidmoly.to": "https://vidmoly.biz"}
_PATH = re.compile(r"^/(?:embed-([0-9A-Za-z]+)\.html|(?:w|v|dl)/([0-9A-Za-z]+))/?$")
# Shown (HTTP 200, no player) outside an iframe or while an interstitial runs (ref 2026 §5.2).
_PLEASE_WAIT = re.compile(r"<title>\s*please wait|<h\d[^>]*>\s*please wait", re.I)
_SOURCES = re.compile(r"sources\s*:\s*\[\s*\{[^}]*?\bfile\s*:\s*[\"'](https?://[^\"']+)[\"']", re.S)
_ANY_FILE = re.compile(r"\bfile\s*:\s*[\"'](https?://[^\"']+\.m3u8[^\"']*)[\"']")


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Vidmoly link to its HLS playlist; raise a HosterError on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    page_url = embed_page_url(embed_url)
    try:
        page = fetch.page(page_url)
    except HosterUnavailable as exc:
        if not isinstance(exc.__cause__, SiteUnreachable):
            raise
        host = urlsplit(page_url).netloc
        logger.warning("vidmoly host unreachable host=%s", host)
        raise HosterUnavailable(
            NAME, Phrase("its host %(host)s does not answer; Vidmoly moves domains, so the "
                         "link may point at a retired one", host=host)
        ) from exc
    url = fetch.parse(page, parse_page)
    # Vidmoly's CDN wants the embed domain as Referer, and the domain keeps moving.
    return fetch.stream(url, kind_of(url), origin(page_url), with_origin=True)


def embed_page_url(link: str) -> str:
    """The embed page of any Vidmoly link form, moved off a retired domain.

    A path of no known form is kept as it is (the page may still hold the player).
    """
    parts = urlsplit(link)
    match = _PATH.match(parts.path)
    path = f"/embed-{match[1] or match[2]}.html" if match else parts.path
    current = RETIRED.get(parts.netloc.lower())
    if current is None:
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))
    logger.info("vidmoly retired host=%s now=%s", parts.netloc, current)
    moved = urlsplit(current)
    return urlunsplit((moved.scheme, moved.netloc, path, parts.query, ""))


def parse_page(page: str) -> str:
    """Return the playlist URL of a Vidmoly page.

    Raises HosterUnavailable for the "Please wait" page, ExtractorOutdated if no playlist
    is found otherwise.
    """
    match = _SOURCES.search(page) or _ANY_FILE.search(page)
    if match is None and is_wait_page(page):
        logger.info("vidmoly wait page hoster=%s", NAME)
        raise HosterUnavailable(
            NAME, Phrase('it showed its "Please wait" page instead of the player')
        )
    if match is None:
        raise ExtractorOutdated(NAME, "no jwplayer sources found")
    return match[1]


def is_wait_page(page: str) -> bool:
    """True for Vidmoly's "Please wait" page (a passing state, not a changed player)."""
    return bool(_PLEASE_WAIT.search(page))
