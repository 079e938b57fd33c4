"""Doodstream: ``/pass_md5/…`` gives a base URL; append 10 random chars and the token.

The domain rotates every few months (ref site-2026 §4), so nothing here knows a host name:
the page is recognised by its shape (pass_md5 call, ``makePlay``, ``dsplayer``), and
pass_md5 and the Referer use the host the embed finally answered on after redirects.
"""

from __future__ import annotations

import logging
import re
import secrets
import string
import time

from aniworld.hosters.common import Fetcher, origin, page_headers
from aniworld.hosters.errors import ExtractorOutdated, HosterUnavailable
from aniworld.phrases import Phrase
from aniworld.site.transport import Transport
from aniworld.streams import Stream, StreamKind

logger = logging.getLogger(__name__)

NAME = "Doodstream"
_PASS_MD5 = re.compile(r"\$\.get\(\s*['\"](/pass_md5/[^'\"]+)['\"]")
_TOKEN = re.compile(r"[?&]token=([A-Za-z0-9_-]+)")
_IFRAME = re.compile(r"<iframe[^>]+src=[\"']([^\"']*/e/[0-9A-Za-z]+)[\"']", re.I)
_ALPHABET = string.ascii_letters + string.digits
# Lowercased markers: the player page's shape, and the check pages served instead of it.
_SHAPE = ("/pass_md5/", "makeplay", "dsplayer", "- doodstream</title>", "doodcdn")
_CHECKS = ("cf-turnstile", "captcha_l", "<title>just a moment", "cdn-cgi/challenge-platform")


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Doodstream embed URL to a signed MP4 URL; raise a HosterError on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    page_url, page = _player_page(fetch, embed_url)
    pass_path, token = fetch.parse(page, _parse_player)
    # The final host (after a domain move) is the one that accepts pass_md5.
    referer = origin(page_url) + "/"
    base = fetch.get(fetch.join(page_url, pass_path), {"Referer": referer}).text.strip()
    if base == "RELOAD":
        raise HosterUnavailable(NAME, "pass_md5 answered RELOAD, the player session was refused")
    return fetch.stream(media_url(base, token), StreamKind.MP4, referer, with_origin=False)


def _player_page(fetch: Fetcher, embed_url: str) -> tuple[str, str]:
    """(final URL, HTML) of the player; a ``/d/`` download page is followed to its iframe."""
    response = fetch.get(embed_url, page_headers())
    page_url, page = response.url or embed_url, response.text
    iframe = _IFRAME.search(page)
    if _PASS_MD5.search(page) is None and iframe is not None:
        target = fetch.join(page_url, iframe[1])
        logger.info("doodstream download page, following iframe host=%s", origin(target))
        response = fetch.get(target, page_headers(page_url))
        page_url, page = response.url or target, response.text
    return page_url, page


def _parse_player(page: str) -> tuple[str, str]:
    """``parse_page``, naming a check page or a page that is no Doodstream player at all."""
    try:
        return parse_page(page)
    except ExtractorOutdated as exc:
        if any(marker in page[:20_000].lower() for marker in _CHECKS):
            logger.warning("doodstream check page instead of the player")
            raise HosterUnavailable(
                NAME, Phrase("Doodstream showed a Cloudflare/Turnstile check instead of the player")
            ) from None
        if is_doodstream_page(page):
            raise
        detail = Phrase("%(detail)s; the page does not look like a Doodstream player",
                        detail=exc.detail)
        raise ExtractorOutdated(NAME, detail) from None


def is_doodstream_page(page: str) -> bool:
    """True when a page has the Doodstream player's shape, whatever host served it."""
    lowered = page.lower()
    return sum(marker in lowered for marker in _SHAPE) >= 2


def parse_page(page: str) -> tuple[str, str]:
    """Return (pass_md5 path, token) from a player page; raise ExtractorOutdated if missing."""
    pass_md5, token = _PASS_MD5.search(page), _TOKEN.search(page)
    if pass_md5 is None or token is None:
        raise ExtractorOutdated(NAME, "no pass_md5 call or token found")
    return pass_md5[1], token[1]


def media_url(base: str, token: str) -> str:
    """Build the signed media URL the player script would build from pass_md5's answer."""
    if not base.startswith(("http://", "https://")):
        raise ExtractorOutdated(NAME, "pass_md5 did not answer with a URL")
    suffix = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    # Milliseconds like Date.now() in the player script.
    return f"{base}{suffix}?token={token}&expiry={int(time.time() * 1000)}"
