"""Shared extractor plumbing: guarded requests through the job's Transport, headers, regexes."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

from aniworld.hosters.errors import ExtractorOutdated, HosterFileGone, HosterUnavailable
from aniworld.phrases import Phrase
from aniworld.site.errors import SiteUnreachable
from aniworld.site.transport import Response, Transport
from aniworld.streams import Stream, StreamKind
from aniworld.urlguard import UrlGuard, check_public_url

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_REDIRECTS = 5
TIMEOUT = 20.0
_REDIRECTS = {301, 302, 303, 307, 308}
# A hoster API refusing the request's shape (method, body, content type) changed its API.
_API_CHANGED = {400, 405, 415}
# Phrases hosters put on "deleted" pages that still answer 200; only consulted when no
# payload was found, so a stray "not found" inside player JS cannot hide a working file.
_GONE = re.compile(
    r"file (?:was |has been )?(?:not found|deleted|removed|expired)|video (?:not found|"
    r"can ?not be found|was deleted)|file is no longer available|no such file",
    re.IGNORECASE,
)


def origin(url: str) -> str:
    """Return ``scheme://host[:port]`` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def kind_of(url: str) -> StreamKind:
    """Guess the stream kind from the URL path (``.m3u8`` means HLS)."""
    # Plain string work: urlsplit raises on garbage, and this runs before the URL guard.
    path = url.split("?", 1)[0].split("#", 1)[0]
    return StreamKind.HLS if path.endswith(".m3u8") or ".m3u8/" in path else StreamKind.MP4


def looks_gone(text: str) -> bool:
    """True when a page reads like the hoster's "file not found / deleted" notice."""
    return bool(_GONE.search(text))


@dataclass(frozen=True)
class Fetcher:
    """One hoster's view of the job's Transport; every URL is checked before it is used."""

    hoster: str
    transport: Transport
    allow_private_hosts: bool = False

    def check(self, url: str) -> str:
        """Return ``url`` if the URL guard allows it; raise BlockedUrl otherwise."""
        return check_public_url(url, allow_private_hosts=self.allow_private_hosts)

    def join(self, base: str, reference: str) -> str:
        """Resolve a link found in a page against the page URL, then check it."""
        try:
            return self.check(urljoin(base, reference))
        except ValueError:
            raise ExtractorOutdated(self.hoster, Phrase("the page holds a malformed URL")) from None

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> Response:
        """GET a hoster URL, following redirects by hand so every hop passes the guard.

        The transport checks each hop and connects to the address it checked. Raises
        BlockedUrl, HosterFileGone (404/410), HosterUnavailable (errors, 403/429/5xx, no answer).
        """
        headers = self._as_iframe(url, headers)
        for _ in range(MAX_REDIRECTS + 1):
            response = self._send(url, headers)
            location = response.header("location")
            if response.status in _REDIRECTS and location:
                url = self._next_hop(url, location)
                continue
            return self._checked(response)
        raise HosterUnavailable(
            self.hoster, Phrase("more than %(count)s redirects", count=MAX_REDIRECTS)
        )

    def _as_iframe(self, url: str, headers: Mapping[str, str] | None) -> Mapping[str, str] | None:
        """An iframe load without a Referer comes from the site's page, as in the browser."""
        if headers is None or headers.get("Sec-Fetch-Dest") != "iframe" or "Referer" in headers:
            return headers
        site = getattr(self.transport, "base_url", "")
        if not site:
            return headers
        return {**headers, **page_headers(origin(site) + "/", url)}

    def post_json(
        self, url: str, payload: Mapping[str, object], headers: Mapping[str, str]
    ) -> Response:
        """POST a JSON body to a hoster API (no redirects followed).

        Raises ExtractorOutdated when the API refuses the request's shape (400/405/415),
        otherwise the errors of ``get``.
        """
        response = self._send(url, headers, method="POST", payload=payload)
        if response.status in _API_CHANGED:
            logger.warning("hoster api refused hoster=%s status=%s", self.hoster, response.status)
            raise ExtractorOutdated(
                self.hoster, Phrase("its stream API refused the request with HTTP %(status)s",
                                    status=response.status),
            )
        return self._checked(response)

    def _next_hop(self, url: str, location: str) -> str:
        try:
            return urljoin(url, location)
        except ValueError:
            raise ExtractorOutdated(
                self.hoster, Phrase("a redirect holds a malformed URL")
            ) from None

    def _send(
        self,
        url: str,
        headers: Mapping[str, str] | None,
        method: str = "GET",
        payload: Mapping[str, object] | None = None,
    ) -> Response:
        guard = UrlGuard(self.allow_private_hosts)
        try:
            return self.transport.request(
                method, url, headers=headers, json=payload, follow_redirects=False,
                timeout=TIMEOUT, guard=guard,
            )
        except SiteUnreachable as exc:
            raise HosterUnavailable(self.hoster, Phrase("no answer from the hoster")) from exc

    def _checked(self, response: Response) -> Response:
        if response.status in (404, 410):
            logger.info("hoster file gone hoster=%s status=%s", self.hoster, response.status)
            raise HosterFileGone(self.hoster)
        if response.status >= 400:
            logger.warning("hoster error hoster=%s status=%s", self.hoster, response.status)
            raise HosterUnavailable(self.hoster, f"HTTP {response.status}")
        return response

    def page(self, url: str, referer: str | None = None) -> str:
        """GET an embed page with the headers a browser's iframe sends; return its text."""
        return self.get(url, page_headers(referer)).text

    def parse(self, page: str, parser: Callable[[str], T]) -> T:
        """Run ``parser`` on a page; a page without a payload raises HosterFileGone if it
        says the file is gone, ExtractorOutdated (for this hoster) otherwise."""
        try:
            return parser(page)
        except ExtractorOutdated as exc:
            if looks_gone(page):
                raise HosterFileGone(self.hoster) from None
            raise ExtractorOutdated(self.hoster, exc.detail) from None

    def stream(self, url: str, kind: StreamKind, referer: str, with_origin: bool) -> Stream:
        """Check the media URL and wrap it with the job's UA and the hoster's Referer."""
        self.check(url)
        headers = {"User-Agent": self.transport.user_agent, "Referer": referer}
        if with_origin:
            headers["Origin"] = origin(referer)
        logger.info(
            "hoster resolved hoster=%s kind=%s media_host=%s",
            self.hoster,
            kind.value,
            urlsplit(url).hostname,
        )
        return Stream(url=url, kind=kind, headers=headers, hoster=self.hoster)


def page_headers(referer: str | None = None, url: str | None = None) -> dict[str, str]:
    """Headers a browser sends when it loads an embed page (at ``url``) inside an iframe.

    The Referer is the embedding page (by default policy just its origin); ``Sec-Fetch-Site``
    says whether that page is on the same origin as ``url``.
    """
    headers = {
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
        "Sec-Fetch-Dest": "iframe",
        "Sec-Fetch-Mode": "navigate",
        "Upgrade-Insecure-Requests": "1",
    }
    if referer:
        headers["Referer"] = referer
        same = url is not None and origin(url) == origin(referer)
        headers["Sec-Fetch-Site"] = "same-origin" if same else "cross-site"
    return headers
