"""Doodstream: ``/pass_md5/…`` gives a base URL; append 10 random chars and the token."""

from __future__ import annotations

import logging
import re
import secrets
import string
import time

from aniworld.hosters.common import Fetcher, origin
from aniworld.hosters.errors import ExtractorOutdated
from aniworld.site.transport import Transport
from aniworld.streams import Stream, StreamKind

logger = logging.getLogger(__name__)

NAME = "Doodstream"
_PASS_MD5 = re.compile(r"\$\.get\(\s*['\"](/pass_md5/[^'\"]+)['\"]")
_TOKEN = re.compile(r"[?&]token=([A-Za-z0-9_-]+)")
_ALPHABET = string.ascii_letters + string.digits


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Doodstream embed URL to a signed MP4 URL; raise a HosterError on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    # /d/ is the download page; the /e/ player page is the one with pass_md5.
    embed_url = embed_url.replace("/d/", "/e/", 1)
    pass_path, token = fetch.parse(fetch.page(embed_url), parse_page)
    referer = origin(embed_url) + "/"
    base = fetch.get(fetch.join(embed_url, pass_path), {"Referer": referer}).text.strip()
    return fetch.stream(media_url(base, token), StreamKind.MP4, referer, with_origin=False)


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
