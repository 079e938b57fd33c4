"""HTTP transports for the site: curl_cffi impersonating Chrome (default) or plain requests."""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from curl_cffi import requests as curl_requests
from curl_cffi.requests.impersonate import DEFAULT_CHROME

from aniworld.phrases import Phrase
from aniworld.pinning import (
    PinnedAdapter,
    PinnedCurlSession,
    is_ip_literal,
    pinned,
    verify_peer,
)
from aniworld.site.cookies import parse_cookies
from aniworld.site.doh import DohResolver, DohUnavailable
from aniworld.site.errors import SiteUnreachable
from aniworld.urlguard import BlockedUrl, Pin, UrlGuard

logger = logging.getLogger(__name__)

_CHROME_MAJOR = "".join(ch for ch in DEFAULT_CHROME if ch.isdigit()) or "150"
# Must match the impersonated TLS/HTTP2 fingerprint (curl_cffi's "chrome" target is macOS),
# otherwise the UA itself gives the client away.
IMPERSONATE_USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    f"(KHTML, like Gecko) Chrome/{_CHROME_MAJOR}.0.0.0 Safari/537.36"
)
DESKTOP_USER_AGENTS = (
    IMPERSONATE_USER_AGENT,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    f"Chrome/{_CHROME_MAJOR}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:146.0) Gecko/20100101 Firefox/146.0",
)
PAGE_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
    "image/webp,image/apng,*/*;q=0.8",
    "Accept-Language": "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Dest": "document",
    "Upgrade-Insecure-Requests": "1",
    "Priority": "u=0, i",
}
AJAX_HEADERS = {
    "Accept": "application/json, text/javascript, */*; q=0.01",
    "Accept-Language": PAGE_HEADERS["Accept-Language"],
    "X-Requested-With": "XMLHttpRequest",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Dest": "empty",
}
# What Chrome sends for an <img> of the page it shows (covers).
IMAGE_HEADERS = {
    "Accept": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8",
    "Accept-Language": PAGE_HEADERS["Accept-Language"],
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Mode": "no-cors",
    "Sec-Fetch-Dest": "image",
    "Priority": "i",
}


REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 10


@dataclass(frozen=True)
class _Body:
    """What a request carries besides its headers."""

    params: dict[str, str] | None = None
    data: dict[str, str] | None = None
    json: Mapping[str, object] | None = None


@dataclass(frozen=True)
class Response:
    """What the client needs of an HTTP answer; header names are lower case."""

    status: int
    headers: Mapping[str, str]
    text: str
    url: str
    # The body as received (images need the bytes, pages read ``text``).
    content: bytes = field(default=b"", repr=False)

    def header(self, name: str, default: str = "") -> str:
        """Return a header value by case-insensitive name."""
        return self.headers.get(name.lower(), default)


def decode_body(content: bytes, content_type: str) -> str:
    """Decode a body by its declared charset, UTF-8 otherwise, never failing."""
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return content.decode(charset, errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


class Transport:
    """The one interface the client uses to talk HTTP, and the plumbing both libraries share.

    A subclass makes the session (requests-compatible) and picks the default User-Agent;
    it names the library's transport errors in ``errors`` and may add default headers or
    a check of the peer address.
    """

    session: Any
    # The site this transport was made for; hoster requests name it as their Referer.
    base_url: str
    errors: tuple[type[Exception], ...] = ()
    default_headers: Mapping[str, str] = {}

    def __init__(
        self,
        base_url: str,
        user_agent: str | None = None,
        proxy: str | None = None,
        cookies: str | None = None,
        *,
        doh: DohResolver | None = None,
        allow_private_hosts: bool = False,
    ) -> None:
        """Open the session; ``doh`` resolves the site's own host names (not the hosters').

        DoH answers must be public addresses unless ``allow_private_hosts``.
        """
        self.base_url = base_url
        self.session = self._new_session()
        self.user_agent = user_agent or self._default_user_agent()
        self.proxies = {"http": proxy, "https": proxy} if proxy else None
        # Site requests look names up through DoH; through a proxy the proxy resolves them.
        self.site_guard = (UrlGuard(allow_private_hosts, resolve=doh.resolve)
                           if doh is not None and not proxy else None)
        host = urlsplit(base_url).hostname or ""
        for cookie in parse_cookies(cookies or "", host):
            self.session.cookies.set(cookie.name, cookie.value, domain=host, path="/")

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        json: Mapping[str, object] | None = None,
        follow_redirects: bool = True,
        timeout: float = 20.0,
        guard: UrlGuard | None = None,
    ) -> Response:
        """Send one request; raise SiteUnreachable when no answer arrives.

        ``json`` sends a JSON body (hoster APIs); ``data`` a form body.

        With a ``guard`` (hoster and media URLs) the URL is checked and the connection goes
        to the checked address; BlockedUrl if refused. Guarded requests never follow
        redirects: the caller checks each hop. Without one, a transport with DoH connects to
        the address DoH gave for the site's host (each redirect hop looked up again).
        """
        merged = {"User-Agent": self.user_agent, **self.default_headers, **(headers or {})}
        body = _Body(dict(params) if params else None, dict(data) if data else None, json)
        if guard is not None:
            return self._send(method, url, merged, body, timeout, guard.pin(url), False)
        if self.site_guard is None:
            return self._send(method, url, merged, body, timeout, None, follow_redirects)
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._send(method, url, merged, body, timeout, self._site_pin(url), False)
            location = response.header("location")
            if not (follow_redirects and response.status in REDIRECTS and location):
                return response
            url = urljoin(url, location)
            if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                method, body = "GET", _Body()  # what browsers, requests and curl do
            body = _Body(None, body.data, body.json)  # the new URL carries its own query
        raise _unreachable(url, RuntimeError(f"more than {MAX_REDIRECTS} redirects"))

    def _send(self, method: str, url: str, headers: dict[str, str], body: _Body,
              timeout: float, pin: Pin | None, follow_redirects: bool) -> Response:
        try:
            with pinned(pin):
                resp = self.session.request(
                    method, url, headers=headers, params=body.params, data=body.data,
                    json=body.json, timeout=timeout, proxies=self.proxies,
                    allow_redirects=follow_redirects,
                )
            content = resp.content
        except self.errors as exc:
            raise _unreachable(url, exc) from exc
        self._check_peer(pin, resp)
        return _response(resp.status_code, resp.headers.items(), content, str(resp.url))

    def _site_pin(self, url: str) -> Pin | None:
        """The DoH address of a site URL's host; None for an IP or while system DNS answers."""
        assert self.site_guard is not None
        if is_ip_literal(urlsplit(url).hostname or ""):
            return None  # the IP form of a mirror needs no lookup at all
        try:
            return replace(self.site_guard.pin(url), reuse=True)
        except DohUnavailable:
            return None
        except BlockedUrl as exc:
            logger.warning("site address refused url=%s error=%s", url, exc)
            raise SiteUnreachable(Phrase(
                "DNS-over-HTTPS: %(reason)s; choose another DoH provider or turn DoH off in "
                "Settings", reason=exc.phrase)) from exc

    def get(self, url: str, **kwargs: Any) -> Response:
        """Send a GET request (see ``request``)."""
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Response:
        """Send a POST request (see ``request``)."""
        return self.request("POST", url, **kwargs)

    def close(self) -> None:
        """Release pooled connections."""
        self.session.close()

    def _new_session(self) -> Any:
        raise NotImplementedError

    def _default_user_agent(self) -> str:
        raise NotImplementedError

    def _check_peer(self, pin: Pin | None, resp: Any) -> None:
        """Refuse an answer from another address than the pinned one (where the library tells)."""


class CurlTransport(Transport):
    """curl_cffi session impersonating the current Chrome: TLS, HTTP/2 and header order."""

    errors = (curl_requests.exceptions.RequestException,)

    def _new_session(self) -> Any:
        return PinnedCurlSession(impersonate="chrome")

    def _default_user_agent(self) -> str:
        return IMPERSONATE_USER_AGENT

    def _check_peer(self, pin: Pin | None, resp: Any) -> None:
        if not self.proxies:  # through a proxy the peer is the proxy
            verify_peer(pin, resp.primary_ip)


class RequestsTransport(Transport):
    """Plain ``requests`` session; the fallback when curl_cffi cannot be used."""

    errors = (requests.RequestException,)
    # requests cannot decode brotli without an extra package, so do not offer it.
    default_headers = {"Accept-Encoding": "gzip, deflate"}

    def _new_session(self) -> Any:
        session = requests.Session()
        adapter = PinnedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    def _default_user_agent(self) -> str:
        return random.choice(DESKTOP_USER_AGENTS)


def _response(status: int, items: Any, content: bytes, url: str) -> Response:
    headers = {str(name).lower(): str(value) for name, value in items}
    return Response(status, headers, decode_body(content, headers.get("content-type", "")), url,
                    content)


def _unreachable(url: str, exc: Exception) -> SiteUnreachable:
    logger.warning("site request failed url=%s error=%s", url, exc)
    kind = Phrase("timed out") if "timeout" in type(exc).__name__.lower() else Phrase("failed")
    return SiteUnreachable(Phrase(
        "the site could not be reached (request %(kind)s: %(error)s); check the "
        "network, the base URL or the proxy in Settings", kind=kind, error=type(exc).__name__,
    ))


def make_transport(kind: str, base_url: str, **options: Any) -> CurlTransport | RequestsTransport:
    """Build the transport named ``kind`` ("impersonate" or "requests") for ``base_url``.

    ``options`` are the Transport constructor's keyword arguments (``user_agent``, ``proxy``,
    ``cookies``, ``doh``, ``allow_private_hosts``).
    """
    cls = RequestsTransport if kind == "requests" else CurlTransport
    return cls(base_url, **options)
