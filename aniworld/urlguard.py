"""Refuse hoster and media URLs that are not plain http(s) or that point into private networks.

A URL passes only when it is unambiguous: every parser (``urllib.parse``, urllib3, curl) must
read the same host and port from it, so no backslashes, user info, control characters,
percent-encoded or non-ASCII hosts, or numeric hosts other than canonical dotted IPv4. The host
is resolved once; ``UrlGuard.pin`` returns the checked address, and the transports connect to
that address instead of resolving again (a second lookup could answer differently: DNS
rebinding).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from aniworld.errors import AniworldError
from aniworld.phrases import Phrase

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# A DNS name (letters, digits, "-", "_", ".") or a bracketed IPv6 literal, then an optional port.
_AUTHORITY = re.compile(
    r"(?P<host>[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_.])?|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?",
    re.IGNORECASE,
)
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedUrl(AniworldError):
    """A hoster or media URL was refused before any request was made."""

    code = "blocked_url"
    status = 422


@dataclass(frozen=True)
class Pin:
    """A checked host: the connection for ``host:port`` must go to ``address``."""

    host: str  # lower case, without brackets or trailing dot
    port: int
    address: str
    # A kept-alive connection to ``host`` may serve this request: a site's own DoH answer,
    # stable for its TTL, whereas a hoster pin always opens a fresh connection.
    reuse: bool = False

    def matches(self, host: str, port: int) -> bool:
        """True when a connection to ``host:port`` is the one this pin was checked for."""
        return (host.strip("[]").rstrip(".").lower(), port) == (self.host, self.port)

    def curl_resolve(self) -> str:
        """The ``CURLOPT_RESOLVE`` entry that makes curl connect to the checked address."""
        address = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.host}:{self.port}:{address}"


@dataclass(frozen=True)
class UrlGuard:
    """The URL policy of one job: public hosts only unless private hosts are allowed.

    ``resolve`` looks a host up (``(host, port) -> addresses``): system DNS unless given,
    the site clients' DNS-over-HTTPS resolver otherwise.
    """

    allow_private_hosts: bool = False
    resolve: Callable[[str, int], list[Address]] | None = None

    def pin(self, url: str) -> Pin:
        """Check ``url`` and resolve its host once; return the address to connect to.

        Raises BlockedUrl for an ambiguous or non-http(s) URL, a host that does not resolve,
        or (unless private hosts are allowed) a host with any non-public address.
        """
        host, port = parse_target(url)
        addresses = (self.resolve or _resolve)(host, port)
        if not self.allow_private_hosts:
            _require_public(host, addresses)
        return Pin(host, port, str(addresses[0]))


def check_public_url(url: str, allow_private_hosts: bool = False) -> str:
    """Return ``url`` if it is unambiguous http(s) and every address of its host is public.

    Raises BlockedUrl otherwise. ``allow_private_hosts`` (``ANIWORLD_ALLOW_PRIVATE_HOSTS=1``)
    permits loopback and private addresses, which the test suite's stand-in hosters use.
    """
    host, port = parse_target(url)
    if not allow_private_hosts:
        _require_public(host, _resolve(host, port))
    return url


def parse_target(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL that every parser reads alike; BlockedUrl otherwise."""
    if any(char <= " " or char in "\\\x7f" for char in url):
        raise BlockedUrl(Phrase("refusing %(url)s: it contains spaces, control characters or "
                                "'\\'", url=repr(url)))
    try:
        parts = urlsplit(url)
        other = parse_url(url)
    except (ValueError, LocationParseError):
        raise BlockedUrl(Phrase("refusing %(url)s: it is not a valid URL", url=repr(url))) from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise BlockedUrl(Phrase("refusing %(url)s: only http(s) URLs are followed", url=repr(url)))
    match = _AUTHORITY.fullmatch(parts.netloc)
    if match is None:
        raise BlockedUrl(Phrase(
            "refusing %(url)s: its host part is empty or holds user info or unusual characters",
            url=repr(url),
        ))
    host = match["host"].strip("[]").rstrip(".").lower()
    port = int(match["port"] or _DEFAULT_PORTS[parts.scheme])
    if not 0 < port < 65536 or not host or not _plain_host(host):
        raise BlockedUrl(Phrase("refusing %(url)s: its host or port is not valid", url=repr(url)))
    if ((other.scheme or "").lower(), (other.host or "").strip("[]").rstrip(".").lower(),
            other.port or _DEFAULT_PORTS[parts.scheme]) != (parts.scheme, host, port):
        raise BlockedUrl(
            Phrase("refusing %(url)s: URL parsers disagree about its host", url=repr(url))
        )
    return host, port


def _plain_host(host: str) -> bool:
    """A name, a canonical dotted IPv4 or an IPv6 literal; never ``127.1`` or ``0x7f.1``."""
    if ":" in host:
        return _is_ip(host, ipaddress.IPv6Address)
    if _NUMERIC_LABEL.fullmatch(host.rsplit(".", 1)[-1]):
        # Browsers and curl read a host ending in a number as an IPv4 address in any notation.
        return _is_ip(host, ipaddress.IPv4Address)
    return True


def _is_ip(host: str, kind: type[Address]) -> bool:
    try:
        kind(host)
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int) -> list[Address]:
    """Every address of ``host``, looked up once (numeric hosts need no lookup)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BlockedUrl(Phrase("cannot resolve %(host)s: %(reason)s", host=host,
                                reason=reason)) from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise BlockedUrl(Phrase("cannot resolve %(host)s: no addresses", host=host))
    return addresses


def _require_public(host: str, addresses: list[Address]) -> None:
    for address in addresses:
        if not is_public(address):
            raise BlockedUrl(Phrase(
                "refusing %(host)s: it resolves to the private address %(address)s; "
                "set ANIWORLD_ALLOW_PRIVATE_HOSTS=1 only if you host media on your own network",
                host=host, address=str(address),
            ))


def is_public(address: Address) -> bool:
    """True for a globally routable unicast address (IPv4 inside IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_unspecified
        or address.is_link_local or address.is_loopback
    )
