"""Refuse hoster and media URLs that are not http(s) or that point into private networks."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from aniworld.errors import AniworldError


class BlockedUrl(AniworldError):
    """A hoster or media URL was refused before any request was made."""

    code = "blocked_url"
    status = 422


def check_public_url(url: str, allow_private_hosts: bool = False) -> str:
    """Return ``url`` if it is http(s) and every address of its host is public.

    Raises BlockedUrl otherwise. ``allow_private_hosts`` (``ANIWORLD_ALLOW_PRIVATE_HOSTS=1``)
    permits loopback and private addresses, which the test suite's stand-in hosters use.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise BlockedUrl(f"refusing {url!r}: it is not a valid URL") from None
    if parts.scheme not in {"http", "https"} or not host:
        raise BlockedUrl(f"refusing {url!r}: only http(s) URLs are followed")
    if allow_private_hosts:
        return url
    for address in _addresses(host):
        if not address.is_global:
            raise BlockedUrl(
                f"refusing {host}: it resolves to the private address {address}; "
                "set ANIWORLD_ALLOW_PRIVATE_HOSTS=1 only if you host media on your own network"
            )
    return url


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except socket.gaierror as exc:
        raise BlockedUrl(f"cannot resolve {host}: {exc.strerror}") from exc
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
