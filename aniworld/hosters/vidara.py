"""Vidara: ``POST <embed origin>/api/stream`` with ``{"filecode", "device": "web"}`` answers
JSON whose ``streaming_url`` is an HLS playlist (ref site-2026 §2)."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import urlsplit

from aniworld.hosters.common import Fetcher, kind_of, origin, page_headers
from aniworld.hosters.errors import ExtractorOutdated, HosterDrmProtected
from aniworld.phrases import Phrase
from aniworld.site.transport import Transport
from aniworld.streams import Stream

logger = logging.getLogger(__name__)

NAME = "Vidara"
# /e/<code>, /v/<code>, /<code>?24 (mirror selector) and embed-<code>.html.
_CODE = re.compile(r"^/(?:[ev]/)?(?:embed-)?([A-Za-z0-9_-]{4,64})(?:\.html)?/?$")
_IFRAME = re.compile(r"<iframe\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.I)
# Keys a DRM-protected answer carries; such a stream cannot be saved as a file.
_DRM_KEYS = ("drm", "license_url", "widevine", "playready", "fairplay")


def resolve(embed_url: str, transport: Transport, allow_private_hosts: bool = False) -> Stream:
    """Resolve a Vidara embed URL to its HLS playlist; raise a HosterError on failure."""
    fetch = Fetcher(NAME, transport, allow_private_hosts)
    page_url = load_embed(fetch, embed_url)
    code = filecode(page_url)
    api = origin(page_url) + "/api/stream"
    headers = {
        "Accept": "application/json, text/plain, */*",
        "Origin": origin(page_url),
        "Referer": page_url,
        "Sec-Fetch-Site": "same-origin",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Dest": "empty",
    }
    answer = fetch.post_json(api, {"filecode": code, "device": "web"}, headers).text
    url = fetch.parse(answer, parse_answer)
    return fetch.stream(url, kind_of(url), origin(page_url) + "/", with_origin=False)


def load_embed(fetch: Fetcher, embed_url: str) -> str:
    """GET the embed page like the browser's iframe does; return its URL (``/e/<code>``).

    The player script posts to the API of this page's origin, which may have set cookies.
    A public ``/v/<code>`` page is followed to the embed in its iframe (often another host).
    """
    if urlsplit(embed_url).path.startswith("/v/"):
        target = _iframe_target(fetch, embed_url, fetch.page(embed_url))
        return fetch.get(target, page_headers(origin(embed_url) + "/")).url
    page_url = fetch.check(origin(embed_url) + f"/e/{filecode(embed_url)}")
    return fetch.get(page_url, page_headers()).url


def filecode(embed_url: str) -> str:
    """The file code of any Vidara URL form; raise ExtractorOutdated for other shapes."""
    match = _CODE.match(urlsplit(embed_url).path)
    if match is None:
        raise ExtractorOutdated(NAME, Phrase("the embed URL holds no file code"))
    return match[1]


def parse_answer(text: str) -> str:
    """Return ``streaming_url`` of an ``/api/stream`` answer.

    Raises HosterDrmProtected for a DRM stream, ExtractorOutdated for any other shape.
    """
    try:
        data = json.loads(text)
    except ValueError:
        raise ExtractorOutdated(NAME, Phrase("the stream API did not answer JSON")) from None
    if not isinstance(data, dict):
        raise ExtractorOutdated(NAME, Phrase("the stream API answer is not a JSON object"))
    if any(data.get(key) for key in _DRM_KEYS):
        raise HosterDrmProtected(NAME)
    url = data.get("streaming_url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ExtractorOutdated(
            NAME, Phrase("the stream API did not return a usable stream URL")
        )
    return url


def _iframe_target(fetch: Fetcher, page_url: str, page: str) -> str:
    """The embed behind a public ``/v/<code>`` page (often on another host)."""
    target = fetch.join(page_url, fetch.parse(page, _iframe_src))
    logger.info("vidara hop from=%s to=%s", origin(page_url), origin(target))
    return target


def _iframe_src(page: str) -> str:
    match = _IFRAME.search(page)
    if match is None:
        raise ExtractorOutdated(NAME, Phrase("the video page holds no player iframe"))
    return match[1]
