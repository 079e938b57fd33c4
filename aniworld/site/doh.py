"""DNS-over-HTTPS for the site clients: ISPs block the sites' names in their own resolvers.

Queries use the JSON API (``GET <endpoint>?name=<host>&type=A`` with ``Accept:
application/dns-json``, answers ``{"Status": 0, "Answer": [{"type": 1, "TTL": 300, "data":
"1.2.3.4"}]}``) that Cloudflare, Google and Quad9 serve; the binary RFC 8484 wire format is not
spoken. A query has a hard wall-clock deadline (curl's total-transfer timeout, which covers the
lookup of the endpoint's own name, connecting, TLS and a server that accepts and never
answers). When DoH fails or hangs, this process uses system DNS for ``FALLBACK_SECONDS``
before it tries DoH again.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from curl_cffi import requests as curl_requests

from aniworld.errors import ValidationError
from aniworld.phrases import Phrase, about
from aniworld.pinning import PinnedCurlSession, pinned
from aniworld.urlguard import Address, BlockedUrl, Pin

logger = logging.getLogger(__name__)

OFF = "off"
DEFAULT_TIMEOUT = 5.0
# How long a process trusts system DNS after DoH failed: a blocked or hanging endpoint must
# not cost the deadline on every request.
FALLBACK_SECONDS = 900
# Cached answers live for their TTL, within these bounds (seconds), and at most MAX_ENTRIES.
MIN_TTL = 10
MAX_TTL = 3600
MAX_ENTRIES = 256
_RECORD_TYPES = {"A": 1, "AAAA": 28}
_NXDOMAIN = 3


@dataclass(frozen=True)
class Endpoint:
    """A DoH endpoint; ``bootstrap`` is the address to connect to instead of asking system DNS."""

    url: str
    bootstrap: str | None = None

    @property
    def label(self) -> str:
        """The endpoint's host, for messages."""
        return urlsplit(self.url).hostname or self.url


# The named providers are reached at fixed addresses (TLS still checks the host name), so a
# DNS block of the provider's own name does not matter.
PROVIDERS = {
    "cloudflare": Endpoint("https://cloudflare-dns.com/dns-query", "1.1.1.1"),
    "google": Endpoint("https://dns.google/resolve", "8.8.8.8"),
    "quad9": Endpoint("https://dns.quad9.net:5053/dns-query", "9.9.9.9"),
}
CHOICES = (OFF, *PROVIDERS)


class DohUnavailable(Exception):
    """The DoH endpoint failed or did not answer in time; use system DNS for a while."""


def check_doh(value: object) -> str:
    """Return the normalised setting: ``off``, a provider name or an endpoint URL.

    Raises ValidationError (field ``doh``) for anything else. Plain http is accepted only for a
    loopback endpoint (a local DoH proxy), where nothing travels over the network.
    """
    text = value.strip() if isinstance(value, str) else ""
    if text.lower() in CHOICES:
        return text.lower()
    parts = urlsplit(text)
    host = parts.hostname or ""
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        if host and "@" not in parts.netloc and not parts.fragment:
            return text
    raise ValidationError(about("doh", Phrase(
        "must be %(choices)s or the https URL of a DoH JSON endpoint like "
        "https://cloudflare-dns.com/dns-query, got %(value)s",
        choices=", ".join(CHOICES), value=repr(value),
    )), field="doh")


def endpoint_for(value: str) -> Endpoint | None:
    """The endpoint a checked setting names; None for ``off``."""
    if value == OFF:
        return None
    return PROVIDERS.get(value) or Endpoint(value)


class DohResolver:
    """Looks host names up through one endpoint, caches the answers, falls back on failure."""

    def __init__(self, endpoint: Endpoint, timeout: float = DEFAULT_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.clock = clock
        self.queries = 0
        self._cache: dict[str, tuple[float, list[Address]]] = {}
        self._fallback_until = 0.0
        self._lock = threading.Lock()

    def resolve(self, host: str, port: int = 0) -> list[Address]:
        """Every address of ``host`` (the ``UrlGuard`` lookup signature; ``port`` is unused).

        Raises DohUnavailable while system DNS should answer instead, BlockedUrl when the
        endpoint knows no address for ``host``.
        """
        literal = _literal(host)
        if literal is not None:
            return [literal]
        now = self.clock()
        with self._lock:
            if now < self._fallback_until:
                raise DohUnavailable(f"DoH via {self.endpoint.label} is paused after a failure")
            cached = self._cache.get(host)
            if cached is not None and now < cached[0]:
                return cached[1]
        try:
            addresses, ttl = self._lookup(host)
        except DohUnavailable as exc:
            self._fall_back(exc)
            raise
        if not addresses:
            raise BlockedUrl(Phrase("cannot resolve %(host)s: DoH via %(provider)s knows no "
                                    "address for it", host=host, provider=self.endpoint.label))
        self._store(host, addresses, ttl)
        return addresses

    def _lookup(self, host: str) -> tuple[list[Address], int]:
        """A records, or AAAA records when the name exists but has no A record."""
        addresses, ttl = self._query(host, "A")
        if addresses is None or addresses:
            return addresses or [], ttl
        addresses, ttl = self._query(host, "AAAA")
        return addresses or [], ttl

    def _query(self, host: str, kind: str) -> tuple[list[Address] | None, int]:
        self.queries += 1
        parts = urlsplit(self.endpoint.url)
        pin = None
        if self.endpoint.bootstrap:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            pin = Pin((parts.hostname or "").lower(), port, self.endpoint.bootstrap)
        session = PinnedCurlSession()
        started = time.monotonic()
        try:
            with pinned(pin):
                response = session.get(
                    self.endpoint.url, params={"name": host, "type": kind},
                    headers={"Accept": "application/dns-json"}, timeout=self.timeout,
                    allow_redirects=False,
                )
        except curl_requests.exceptions.RequestException as exc:
            raise DohUnavailable(f"{type(exc).__name__} after "
                                 f"{time.monotonic() - started:.1f}s") from exc
        finally:
            session.close()
        if response.status_code != 200:
            raise DohUnavailable(f"HTTP {response.status_code}")
        return parse_answer(response.content, kind)

    def _fall_back(self, exc: DohUnavailable) -> None:
        with self._lock:
            self._fallback_until = self.clock() + FALLBACK_SECONDS
        logger.warning("doh failed endpoint=%s error=%s fallback=system-dns seconds=%s",
                       self.endpoint.label, exc, FALLBACK_SECONDS)

    def _store(self, host: str, addresses: list[Address], ttl: int) -> None:
        now = self.clock()
        with self._lock:
            if len(self._cache) >= MAX_ENTRIES:
                self._cache = {name: entry for name, entry in self._cache.items()
                               if now < entry[0]}
            while len(self._cache) >= MAX_ENTRIES:
                del self._cache[next(iter(self._cache))]
            self._cache[host] = (now + min(max(ttl, MIN_TTL), MAX_TTL), addresses)


def parse_answer(body: bytes, kind: str) -> tuple[list[Address] | None, int]:
    """(addresses of type ``kind``, smallest TTL) from a JSON answer; None for no such name.

    Raises DohUnavailable for an answer that is not DNS JSON or reports a server failure.
    """
    try:
        data = json.loads(body)
        status = data["Status"]
        records = data.get("Answer") or []
    except (ValueError, TypeError, KeyError) as exc:
        raise DohUnavailable("the answer is not DNS JSON") from exc
    if status == _NXDOMAIN:
        return None, 0
    if status != 0 or not isinstance(records, list):
        raise DohUnavailable(f"DNS status {status}")
    addresses: list[Address] = []
    ttls: list[int] = []
    for record in records:
        if not isinstance(record, dict) or record.get("type") != _RECORD_TYPES[kind]:
            continue  # CNAME steps and other types
        address = _literal(str(record.get("data", "")))
        if address is not None:
            addresses.append(address)
            ttl = record.get("TTL")
            if isinstance(ttl, int) and not isinstance(ttl, bool):
                ttls.append(ttl)
    return addresses, min(ttls, default=MIN_TTL)


_SHARED: dict[tuple[str, float], DohResolver] = {}
_SHARED_LOCK = threading.Lock()


def shared_resolver(value: str, timeout: float = DEFAULT_TIMEOUT) -> DohResolver | None:
    """This process's resolver for a checked setting (one cache and one fallback per endpoint)."""
    endpoint = endpoint_for(value)
    if endpoint is None:
        return None
    with _SHARED_LOCK:
        resolver = _SHARED.get((value, timeout))
        if resolver is None:
            resolver = _SHARED[(value, timeout)] = DohResolver(endpoint, timeout)
        return resolver


def forget_resolvers() -> None:
    """Drop every shared resolver with its cache and fallback state (tests)."""
    with _SHARED_LOCK:
        _SHARED.clear()


def _literal(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address: Any = _literal(host)
    return host == "localhost" or (address is not None and address.is_loopback)
