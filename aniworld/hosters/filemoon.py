"""Filemoon/Byse: ``/api/videos/<code>`` with an AES-256-GCM payload, or legacy packed JS."""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aniworld.hosters.common import Fetcher, kind_of, origin
from aniworld.hosters.errors import ExtractorOutdated, HosterFileGone
from aniworld.hosters.packed import UnpackError, unpack
from aniworld.site.transport import Transport
from aniworld.streams import Stream

logger = logging.getLogger(__name__)

NAME = "Filemoon"
_CODE = re.compile(r"/(?:e|d|download)/([A-Za-z0-9]+)")
_PACKED = re.compile(r"eval\(function\(p,a,c,k,e,d\).*?\.split\('\|'\)[^)]*\)\)", re.S)
_FILE = re.compile(r"\bfile\s*:\s*[\"'](https?://[^\"']+)[\"']")
_CRYPTO_ERRORS = (InvalidTag, ValueError, KeyError, TypeError, binascii.Error, RecursionError)


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Filemoon embed URL to its HLS playlist; raise a HosterError on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    code = _CODE.search(urlsplit(embed_url).path)
    if code is None:
        raise ExtractorOutdated(NAME, "embed URL has no /e/<code>")
    url = _from_api(fetch, origin(embed_url), code[1], embed_url)
    if url is None:
        url = fetch.parse(fetch.page(embed_url), parse_legacy_page)
    return fetch.stream(url, kind_of(url), origin(embed_url), with_origin=True)


def _from_api(fetch: Fetcher, base: str, code: str, referer: str) -> str | None:
    headers = {"Accept": "application/json", "Referer": referer}
    try:
        answer = fetch.get(f"{base}/api/videos/{code}", headers).text
    except HosterFileGone:
        # Hosts still on the legacy player have no API; their embed page decides.
        logger.info("filemoon api missing, trying legacy page code=%s", code)
        return None
    try:
        data = json.loads(answer)
    except ValueError:
        return None
    return parse_api(data) if isinstance(data, dict) and "playback" in data else None


def parse_api(data: dict[str, object]) -> str:
    """Decrypt the API's ``playback`` and return the highest source URL."""
    playback = data.get("playback")
    if not isinstance(playback, dict):
        raise ExtractorOutdated(NAME, "API answer has no playback object")
    sources = decrypt_playback(playback).get("sources")
    if not isinstance(sources, list):
        raise ExtractorOutdated(NAME, "decrypted playback has no sources")
    return best_source(sources)


def decrypt_playback(playback: dict[str, object]) -> dict[str, object]:
    """AES-256-GCM: key = joined base64url ``key_parts``; nonce ``iv``; ``payload`` + tag."""
    try:
        parts = playback["key_parts"]
        if not isinstance(parts, list):
            raise TypeError("key_parts is not a list")
        key = b"".join(b64url(str(part)) for part in parts)
        plain = AESGCM(key).decrypt(
            b64url(str(playback["iv"])), b64url(str(playback["payload"])), None
        )
        data = json.loads(plain)
    except _CRYPTO_ERRORS as exc:
        raise ExtractorOutdated(NAME, f"playback did not decrypt: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise ExtractorOutdated(NAME, "decrypted playback is not a JSON object")
    return data


def best_source(sources: list[object]) -> str:
    """Return the URL of the source with the greatest ``height``."""
    ranked = []
    for source in sources:
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            try:
                height = int(source.get("height") or 0)
            except (TypeError, ValueError, OverflowError):
                height = 0
            ranked.append((height, source["url"]))
    if not ranked:
        raise ExtractorOutdated(NAME, "no usable source in playback")
    return max(ranked, key=lambda item: item[0])[1]


def parse_legacy_page(page: str) -> str:
    """Unpack the player's packed JS and return its ``file:"…"`` URL."""
    for block in _PACKED.finditer(page):
        try:
            script = unpack(block[0])
        except UnpackError:
            continue
        match = _FILE.search(script)
        if match:
            return match[1]
    raise ExtractorOutdated(NAME, "no packed player script with a file URL")


def b64url(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
