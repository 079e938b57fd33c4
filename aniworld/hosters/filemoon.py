"""Filemoon/Byse: an AES-256-GCM ``playback`` from the video API, or legacy packed JS.

Two API generations (ref site-2026 §5.1): ``GET /api/videos/<code>`` answers the playback
directly; the mid-2026 one names a player frame in ``…/details``, whose host then answers
``…/settings`` and a ``POST …/playback`` carrying a client fingerprint. The legacy player
packs its setup into the page or, in the 2025 form, into the page's **last** iframe
(``/bkg/<code>`` on another host; earlier iframes are decoys), whose URL is the media Referer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import secrets
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from aniworld.hosters.common import Fetcher, kind_of, origin
from aniworld.hosters.errors import ExtractorOutdated, HosterFileGone, HosterUnavailable
from aniworld.hosters.packed import UnpackError, unpack
from aniworld.phrases import Phrase
from aniworld.site.transport import Transport
from aniworld.streams import Stream

logger = logging.getLogger(__name__)

NAME = "Filemoon"
_CODE = re.compile(r"/(?:e|d|download)/([A-Za-z0-9]+)")
_PACKED = re.compile(r"eval\(function\(p,a,c,k,e,d\).*?\.split\('\|'\)[^)]*\)\)", re.S)
_FILE = re.compile(r"\bfile\s*:\s*[\"'](https?://[^\"']+)[\"']")
_IFRAME = re.compile(r"<iframe\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.I)
_CRYPTO_ERRORS = (InvalidTag, ValueError, KeyError, TypeError, binascii.Error, RecursionError)


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Filemoon embed URL to its HLS playlist; raise a HosterError on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    code = _CODE.search(urlsplit(embed_url).path)
    if code is None:
        raise ExtractorOutdated(NAME, "embed URL has no /e/<code>")
    base = origin(embed_url)
    found = _from_api(fetch, base, code[1], embed_url)
    found = found or _from_byse(fetch, base, code[1], embed_url)
    url, referer = found or _from_player(fetch, embed_url)
    return fetch.stream(url, kind_of(url), referer, with_origin=True)


def _from_api(fetch: Fetcher, base: str, code: str, referer: str) -> tuple[str, str] | None:
    """First generation: a GET (PEER's path, then Jan 2026's) holds the playback itself."""
    for path in (f"/api/videos/{code}", f"/api/videos/{code}/embed/playback"):
        data = _get_json(fetch, base + path, {"Referer": referer})
        if data is not None and ("playback" in data or "sources" in data):
            return parse_api(data), base
    return None


def _from_byse(fetch: Fetcher, base: str, code: str, embed_url: str) -> tuple[str, str] | None:
    """Mid-2026 generation: details -> frame host -> settings -> POST playback."""
    details = _get_json(fetch, f"{base}/api/videos/{code}/details", {"Referer": embed_url})
    if details is None:
        details = _get_json(
            fetch, f"{base}/api/videos/{code}/embed/details", {"Referer": embed_url}
        )
    frame_url = details.get("embed_frame_url") if details else None
    if not isinstance(frame_url, str):
        return None
    frame = origin(fetch.join(embed_url, frame_url))
    logger.info("filemoon byse api frame=%s code=%s", frame, code)
    headers = {"Referer": frame + "/", "Origin": frame, "X-Embed-Parent": embed_url}
    settings = _get_json(fetch, f"{frame}/api/videos/{code}/settings", headers) or {}
    if settings.get("captcha_required"):
        raise HosterUnavailable(
            NAME, Phrase("Filemoon asks for a captcha before it plays this video")
        )
    api = {"Accept": "application/json", **headers}
    answer = fetch.post_json(
        f"{frame}/api/videos/{code}/playback", {"fingerprint": fingerprint()}, api
    )
    return parse_api(_json_object(answer.text)), frame


def _from_player(fetch: Fetcher, embed_url: str) -> tuple[str, str]:
    """Legacy player: packed JS on the page, else in its last iframe (the earlier are decoys).

    Returns (media URL, Referer): the page that held the player.
    """
    page = fetch.page(embed_url)
    frames = _IFRAME.findall(page)
    if _PACKED.search(page) or not frames:
        return fetch.parse(page, parse_legacy_page), origin(embed_url)
    frame = fetch.join(embed_url, frames[-1])
    logger.info("filemoon legacy player frame=%s", origin(frame))
    player = fetch.page(frame, origin(embed_url) + "/")
    return fetch.parse(player, parse_legacy_page), frame


def _get_json(fetch: Fetcher, url: str, headers: dict[str, str]) -> dict[str, object] | None:
    """GET a JSON object from the API; None when the endpoint is missing (404) or not JSON."""
    try:
        answer = fetch.get(url, {"Accept": "application/json", **headers}).text
    except HosterFileGone:
        # Hosts on another generation (or the legacy player) lack this endpoint.
        logger.info("filemoon api endpoint missing path=%s", urlsplit(url).path)
        return None
    try:
        return _json_object(answer)
    except ExtractorOutdated:
        return None


def _json_object(text: str) -> dict[str, object]:
    try:
        data = json.loads(text)
    except ValueError:
        raise ExtractorOutdated(NAME, Phrase("the API did not answer with JSON")) from None
    if not isinstance(data, dict):
        raise ExtractorOutdated(NAME, Phrase("the API answer is not a JSON object"))
    return data


def fingerprint() -> dict[str, object]:
    """A browser-like client fingerprint; the token is base64url(JSON).base64url(sha256)."""
    ids = {"viewer_id": secrets.token_hex(16), "device_id": secrets.token_hex(16)}
    body = json.dumps(ids, separators=(",", ":")).encode()
    digest = hashlib.sha256(body).digest()
    token = f"{_b64url_text(body)}.{_b64url_text(digest)}"
    return {**ids, "confidence": 0.93, "token": token}


def _b64url_text(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def parse_api(data: dict[str, object]) -> str:
    """Decrypt the API's ``playback`` (or take its plain ``sources``); the highest URL."""
    playback, plain = data.get("playback"), data.get("sources")
    if playback is None and isinstance(plain, list):
        return best_source(plain)
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
    """Return the URL of the source with the greatest ``height`` (or ``label`` like 720p)."""
    ranked = []
    for source in sources:
        if isinstance(source, dict) and isinstance(source.get("url"), str):
            label = re.match(r"\d+", str(source.get("label") or ""))
            try:
                height = int(source.get("height") or (label[0] if label else 0))
            except (TypeError, ValueError, OverflowError):
                height = 0
            ranked.append((height, source["url"]))
    if not ranked:
        raise ExtractorOutdated(NAME, Phrase("no usable source in playback"))
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
    raise ExtractorOutdated(NAME, Phrase("no packed player script with a file URL"))


def b64url(text: str) -> bytes:
    """Decode base64url with or without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
