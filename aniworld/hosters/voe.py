"""VOE: an optional JS hop to an alias domain, then an obfuscated JSON payload (ref §3.2).

Since 2025 the junk-marker table lives in the page's loader script; it is read from there
and the long-known seven markers are the fallback when the script cannot be read.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import logging
import re

from aniworld.hosters.common import Fetcher, kind_of, origin
from aniworld.hosters.errors import (
    ExtractorOutdated,
    HosterError,
    HosterFileGone,
    HosterUnavailable,
)
from aniworld.phrases import Phrase
from aniworld.site.transport import Response, Transport
from aniworld.streams import Stream, StreamKind

logger = logging.getLogger(__name__)

NAME = "VOE"
MAX_HOPS = 2
JUNK_MARKERS = ("@$", "^^", "~@", "%?", "*~", "!!", "#&")
_HOP = re.compile(r"window\.location\.href\s*=\s*['\"]([^'\"]+)['\"]")
_JSON_SCRIPT = re.compile(
    r"<script[^>]*type=[\"']application/json[\"'][^>]*>\s*(.*?)\s*</script>", re.S | re.I
)
_A168C = re.compile(r"var\s+a168c\s*=\s*'([^']+)'")
_HLS_B64 = re.compile(r"['\"]hls['\"]\s*:\s*['\"]([A-Za-z0-9+/=_-]+)['\"]")
_MP4 = re.compile(r"['\"]mp4['\"]\s*:\s*['\"](https?://[^'\"]+)['\"]")
_PROMPT = re.compile(r"prompt\(\s*[\"']Node[\"']\s*,\s*[\"'](https?://[^\"']+)[\"']\s*\)")
_ANY_M3U8 = re.compile(r"https?://[^\s\"'<>\\]+\.m3u8[^\s\"'<>\\]*")
_DECODE_ERRORS = (ValueError, binascii.Error, UnicodeError, TypeError, RecursionError)
_LOADER = re.compile(r"<script[^>]+src=[\"']([^\"']*/js/loader[^\"']*\.js[^\"']*)[\"']", re.I)
# The loader's first array literal of 1-9 two-character, non-word strings (ref §3.2).
_TABLE = re.compile(
    r"\[\s*((?:['\"][^\w\s'\"]{2}['\"]\s*,\s*){0,8}['\"][^\w\s'\"]{2}['\"])\s*,?\s*\]"
)
_TABLE_ITEM = re.compile(r"['\"]([^\w\s'\"]{2})['\"]")
_ENCODING_FAILED = "an error occurred during encoding"
# (marker in the first 20 kB, lowercased) -> what the user is told; pages, not payloads.
_GATES = (
    ("<title>just a moment", "a Cloudflare challenge page"),
    ("cdn-cgi/challenge-platform", "a Cloudflare challenge page"),
    ("altcha-widget", "a 'confirm you're human' (ALTCHA) gate"),
    ("<title>maintenance", "a maintenance page"),
)


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a VOE embed URL to its media; raise a HosterError subclass on failure."""
    fetch = _VoeFetcher(NAME, transport, allow_private_hosts)
    page_url, page = embed_url, fetch.page(embed_url)
    for _ in range(MAX_HOPS):
        hop = _HOP.search(page)
        if hop is None or has_payload(page):
            break
        # The first page only forwards the browser to a rotating alias domain.
        target = fetch.join(page_url, hop[1])
        logger.info("voe hop from=%s to=%s", origin(page_url), origin(target))
        page = fetch.page(target, page_url)
        page_url = target
    failure = page_failure(page)
    if failure is not None:
        raise failure
    markers = junk_markers(fetch, page_url, page)
    url, kind = fetch.parse(page, lambda text: parse_page(text, markers))
    return fetch.stream(url, kind, origin(page_url) + "/", with_origin=True)


class _VoeFetcher(Fetcher):
    """A Fetcher that names VOE's challenge pages instead of reporting a bare HTTP status."""

    def _checked(self, response: Response) -> Response:
        gate = gate_of(response.text) if response.status >= 400 else None
        if gate is not None:
            raise _gate_error(gate, response.status)
        return super()._checked(response)


def gate_of(page: str) -> str | None:
    """Name the challenge, human-check or maintenance page ``page`` is, or None."""
    head = page[:20_000].lower()
    return next((label for marker, label in _GATES if marker in head), None)


def page_failure(page: str) -> HosterError | None:
    """The error a 200 page without a payload stands for (failed encoding, gate), or None."""
    if has_payload(page):
        return None
    if _ENCODING_FAILED in page[:20_000].lower():
        logger.info("voe file failed encoding")
        return HosterFileGone(NAME)
    gate = gate_of(page)
    return _gate_error(gate, 200) if gate is not None else None


def _gate_error(gate: str, status: int) -> HosterUnavailable:
    logger.warning("voe gate page=%r status=%s", gate, status)
    return HosterUnavailable(
        NAME,
        Phrase("VOE showed %(gate)s instead of the player, HTTP %(status)s; a browser-like "
               "transport ('impersonate') may get through", gate=gate, status=status),
    )


def junk_markers(fetch: Fetcher, page_url: str, page: str) -> tuple[str, ...]:
    """The junk table from the page's loader script; the known table if it cannot be read."""
    match = _LOADER.search(page)
    if match is None:
        return JUNK_MARKERS
    try:
        script = fetch.get(fetch.join(page_url, match[1]), {"Referer": page_url}).text
    except HosterError as exc:
        logger.info("voe loader unreadable, using the known table error=%s", exc.code)
        return JUNK_MARKERS
    table = parse_table(script)
    if table is None:
        logger.info("voe loader has no junk table, using the known table")
        return JUNK_MARKERS
    return table


def parse_table(script: str) -> tuple[str, ...] | None:
    """The first array literal of 1-9 two-character non-word strings in a script, or None."""
    match = _TABLE.search(script)
    return tuple(_TABLE_ITEM.findall(match[1])) if match else None


def has_payload(page: str) -> bool:
    """True when the page carries one of the known payload shapes (not just a hop)."""
    return any(p.search(page) for p in (_JSON_SCRIPT, _A168C, _HLS_B64, _MP4, _PROMPT))


def parse_page(page: str, markers: tuple[str, ...] = JUNK_MARKERS) -> tuple[str, StreamKind]:
    """Return (media URL, kind) from a VOE player page; raise ExtractorOutdated if unknown."""
    found = _from_json_script(page, markers) or _from_a168c(page, markers)
    for finder in (_from_hls, _from_mp4, _from_prompt):
        found = found or finder(page)
    if found is not None:
        return found
    found_any = _ANY_M3U8.search(page)
    if found_any is not None:
        return found_any[0], StreamKind.HLS
    raise ExtractorOutdated(NAME, Phrase("no encoded player data found"))


def decode(encoded: str, markers: tuple[str, ...] = JUNK_MARKERS) -> dict[str, object]:
    """ROT13, drop junk markers, base64, shift -3, reverse, base64, JSON (ref §3.2)."""
    try:
        text = codecs.decode(encoded, "rot13")
        for marker in markers:
            text = text.replace(marker, "")
        text = base64.b64decode(text, validate=False).decode()
        text = "".join(chr(ord(char) - 3) for char in text)[::-1]
        data = json.loads(base64.b64decode(text).decode())
    except _DECODE_ERRORS as exc:
        raise ExtractorOutdated(NAME, f"payload did not decode: {type(exc).__name__}") from None
    if not isinstance(data, dict):
        raise ExtractorOutdated(NAME, "payload is not a JSON object")
    return data


def choose(data: dict[str, object]) -> tuple[str, StreamKind]:
    """Pick the direct MP4 when VOE allows it, else the HLS master playlist."""
    # One resumable file (Range) beats hundreds of short-lived segment requests.
    direct = data.get("direct_access_url")
    if data.get("direct_access_allowed") and isinstance(direct, str) and direct:
        return direct, StreamKind.MP4
    for key in ("source", "fallback"):
        value = data.get(key)
        if isinstance(value, str) and value.startswith("http"):
            return value, kind_of(value)
    raise ExtractorOutdated(NAME, Phrase("decoded payload has no source"))


def _from_json_script(page: str, markers: tuple[str, ...]) -> tuple[str, StreamKind] | None:
    for match in _JSON_SCRIPT.finditer(page):
        try:
            content = json.loads(match[1])
        except ValueError:
            content = match[1].strip().strip("[]\"'")
        if isinstance(content, list) and content and isinstance(content[0], str):
            content = content[0]
        if isinstance(content, str) and content:
            return choose(decode(content, markers))
    return None


def _from_a168c(page: str, markers: tuple[str, ...]) -> tuple[str, StreamKind] | None:
    match = _A168C.search(page)
    return choose(decode(match[1], markers)) if match else None


def _from_hls(page: str) -> tuple[str, StreamKind] | None:
    match = _HLS_B64.search(page)
    if match is None:
        return None
    value = match[1]
    if not value.startswith("http"):
        try:
            value = base64.b64decode(value + "=" * (-len(value) % 4)).decode()
        except _DECODE_ERRORS:
            raise ExtractorOutdated(NAME, "'hls' value is not base64") from None
    if not value.startswith("http"):
        raise ExtractorOutdated(NAME, "'hls' value is not a URL")
    return value, StreamKind.HLS


def _from_mp4(page: str) -> tuple[str, StreamKind] | None:
    match = _MP4.search(page)
    return (match[1], StreamKind.MP4) if match else None


def _from_prompt(page: str) -> tuple[str, StreamKind] | None:
    match = _PROMPT.search(page)
    return (match[1], kind_of(match[1])) if match else None
