"""Connect to the address the URL guard checked, in both HTTP stacks (requests and curl_cffi).

``pinned(pin)`` marks the requests made inside it; their connections then go to
``pin.address`` with no DNS lookup of their own, while the Host header, TLS SNI and the
certificate check keep using the host name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from curl_cffi import CurlOpt
from curl_cffi import requests as curl_requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from aniworld.phrases import Phrase
from aniworld.urlguard import BlockedUrl, Pin

# A context variable, not an attribute: a session's connections are shared by threads, and
# each thread pins only the requests it makes itself.
_ACTIVE: ContextVar[Pin | None] = ContextVar("aniworld_pin", default=None)


@contextmanager
def pinned(pin: Pin | None) -> Iterator[None]:
    """Send the requests made inside this block to ``pin.address`` (``None``: plain DNS)."""
    token = _ACTIVE.set(pin)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _connect(connection: HTTPConnection, connect: Callable[[], socket.socket]) -> socket.socket:
    pin = _ACTIVE.get()
    connection.pinned_to = pin.address if pin is not None else None  # type: ignore[attr-defined]
    if pin is None:
        return connect()
    if not pin.matches(connection.host, connection.port):
        # Only a parser differential gets here: the guard checked one host, urllib3 another.
        raise BlockedUrl(Phrase("refusing %(host)s: it is not the host that was checked",
                                host=connection.host))
    hostname = connection.host
    # Only the TCP connect reads ``host`` now; it is restored before TLS and headers use it.
    connection.host = pin.address
    try:
        return connect()
    finally:
        connection.host = hostname


def _drop_if_elsewhere(connection: HTTPConnection) -> None:
    """Close a kept-alive connection that was not made for the active pin's address."""
    pin = _ACTIVE.get()
    if pin is not None and connection.sock is not None:
        if getattr(connection, "pinned_to", None) != pin.address:
            connection.close()  # http.client reconnects, through _new_conn, to the pin


class _PinnedHTTPConnection(HTTPConnection):
    pinned_to: str | None = None

    def _new_conn(self) -> socket.socket:
        return _connect(self, super()._new_conn)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _drop_if_elsewhere(self)
        super().request(*args, **kwargs)


class _PinnedHTTPSConnection(_PinnedHTTPConnection, HTTPSConnection):
    """The same pinning in front of HTTPS (``super()`` in the methods above reaches TLS)."""


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class PinnedAdapter(HTTPAdapter):
    """A requests adapter whose direct connections honour ``pinned``.

    Through a proxy the proxy resolves names, so there the pin cannot apply.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Build the pool manager with connection classes that connect to the pin."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PinnedHTTPPool,
            "https": _PinnedHTTPSPool,
        }


class PinnedCurlSession(curl_requests.Session):  # type: ignore[type-arg]
    """A curl_cffi session that hands curl the active pin as ``CURLOPT_RESOLVE``."""

    @property  # type: ignore[override]
    def curl_options(self) -> dict[CurlOpt, Any]:
        """The session's curl options plus, inside ``pinned``, the pinned address."""
        pin = _ACTIVE.get()
        if pin is None:
            return self._base_curl_options
        options = dict(self._base_curl_options)
        if not pin.reuse:
            # A fresh connection: curl would reuse one to the same host name made earlier
            # through plain DNS (a site request) or another pin.
            options[CurlOpt.FRESH_CONNECT] = 1
        if not is_ip_literal(pin.host):  # curl connects to an IP literal without a lookup
            options[CurlOpt.RESOLVE] = [pin.curl_resolve()]
        return options

    @curl_options.setter
    def curl_options(self, value: dict[CurlOpt, Any]) -> None:
        self._base_curl_options = value


def verify_peer(pin: Pin | None, peer: str) -> None:
    """Raise BlockedUrl when a pinned request was answered from another address than the pin."""
    if pin is None or pin.reuse or not peer:
        return  # a reusable pin may be served by a connection made under an earlier answer
    if ipaddress.ip_address(peer.strip("[]")) != ipaddress.ip_address(pin.address):
        raise BlockedUrl(Phrase(
            "refusing the answer of %(host)s: it came from %(peer)s, not the checked "
            "address %(address)s", host=pin.host, peer=peer, address=pin.address,
        ))


def is_ip_literal(host: str) -> bool:
    """True when ``host`` is an IP address, which connects without any lookup."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
