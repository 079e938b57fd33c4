"""Both transports and the downloader connect to the address the URL guard checked.

The fake resolver answers the guard's lookup; anything that connected by asking DNS again
would get a different answer (or none), so a request that arrives proves the pin was used.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from aniworld import urlguard
from aniworld.downloader import DownloadSettings, MediaUnavailable
from aniworld.downloader.errors import MediaServerError
from aniworld.downloader.transfer import Transfer, new_session, open_media
from aniworld.hosters.common import Fetcher
from aniworld.site.errors import SiteUnreachable
from aniworld.site.transport import CurlTransport, RequestsTransport, make_transport
from aniworld.urlguard import BlockedUrl, UrlGuard
from tests.fakedns import FakeDns

KINDS = ["requests", "impersonate"]
ALLOW_PRIVATE = UrlGuard(allow_private_hosts=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be observed

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        target = parse_qs(urlsplit(self.path).query).get("to")
        self.send_response(302 if target else 200)
        if target:
            self.send_header("Location", target[0])
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadingHTTPServer]:
    """A loopback server answering 200, or 302 to ``?to=<url>``; it records request paths."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def port(server: ThreadingHTTPServer) -> int:
    """The server's port, with an empty request record."""
    server.paths.clear()  # type: ignore[attr-defined]
    return server.server_address[1]


@pytest.fixture
def paths(server: ThreadingHTTPServer) -> list[str]:
    """Paths the server answered during this test."""
    return server.paths  # type: ignore[attr-defined]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """Scripted answers for chosen names (Python's resolver only: curl asks the system)."""
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture(params=KINDS)
def transport(request: pytest.FixtureRequest) -> Iterator[CurlTransport | RequestsTransport]:
    """Each of the two transports."""
    client = make_transport(request.param, "http://site.invalid")
    yield client
    client.close()


@pytest.fixture
def loopback_is_public(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat 127.0.0.1 (the test server) as public, so private targets are still refused."""
    real = urlguard.is_public
    server_address = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(urlguard, "is_public", lambda a: a == server_address or real(a))


def test_transport_connects_to_the_checked_address(transport, dns, port, paths) -> None:
    # rebind.test resolves once, for the guard; urllib3 would get "no such name" and curl's
    # system resolver knows no such name either. The request arriving proves the pin was used.
    dns.answer("rebind.test", "127.0.0.1")
    url = f"http://rebind.test:{port}/pinned"
    response = transport.request("GET", url, follow_redirects=False, guard=ALLOW_PRIVATE)
    assert response.status == 200 and response.text == "ok"
    assert paths == ["/pinned"] and dns.calls["rebind.test"] == 1


def test_transport_ignores_a_later_dns_answer(transport, dns, port, paths) -> None:
    url = f"http://localhost:{port}/open"
    transport.request("GET", url)  # unguarded: plain DNS, and a kept-alive connection
    assert paths == ["/open"]
    # The guard's lookup says 127.0.0.2 (nothing listens there); every other lookup, and the
    # kept-alive connection, lead to the server on 127.0.0.1.
    dns.answer("localhost", "127.0.0.2", then="127.0.0.1")
    with pytest.raises(SiteUnreachable):
        transport.request("GET", url, follow_redirects=False, guard=ALLOW_PRIVATE)
    assert paths == ["/open"]


def test_guarded_request_refuses_ambiguous_url_before_connecting(transport, port, paths) -> None:
    with pytest.raises(BlockedUrl):
        transport.request("GET", f"http://127.0.0.1:{port}\\@example.com/", guard=ALLOW_PRIVATE)
    assert paths == []


def _chain(port: int, *targets: str) -> str:
    """A URL that redirects through the server to each target in turn."""
    url = targets[-1]
    for target in reversed(targets[:-1]):
        url = f"{target}?to={quote(url, safe='')}"
    return f"http://hoster.test:{port}/start?to={quote(url, safe='')}"


PRIVATE_TARGETS = ["http://intranet.test/x", "http://169.254.169.254/latest/meta-data",
                   "http://[::1]/x"]


@pytest.mark.parametrize("target", PRIVATE_TARGETS)
@pytest.mark.parametrize("hops", [0, 2])
@pytest.mark.usefixtures("loopback_is_public")
def test_fetcher_refuses_a_redirect_to_a_private_address(
    transport, dns, port, paths, target: str, hops: int
) -> None:
    dns.answer("hoster.test", "127.0.0.1", then="127.0.0.1")
    dns.answer("intranet.test", "10.0.0.1")
    url = _chain(port, *[f"http://hoster.test:{port}/hop{i}" for i in range(hops)], target)
    with pytest.raises(BlockedUrl, match="private address"):
        Fetcher("VOE", transport).get(url)
    assert len(paths) == hops + 1  # every public hop was followed, the private one never
    assert Fetcher("VOE", transport).get(_chain(port, f"http://hoster.test:{port}/end")).text


@pytest.fixture
def transfer() -> Transfer:
    """Download state with private hosts refused unless a test allows them."""
    return Transfer(DownloadSettings(disk_reserve_bytes=0, stall_timeout=5.0))


def test_downloader_connects_to_the_checked_address(dns, port, paths) -> None:
    dns.answer("rebind.test", "127.0.0.1")
    transfer = Transfer(DownloadSettings(allow_private_hosts=True, disk_reserve_bytes=0))
    response = open_media(new_session({}, 1), f"http://rebind.test:{port}/seg", transfer)
    assert response.content == b"ok" and paths == ["/seg"]
    assert dns.calls["rebind.test"] == 1
    dns.answer("localhost", "127.0.0.2", then="127.0.0.1")
    with pytest.raises(MediaServerError, match="could not reach"):
        open_media(new_session({}, 1), f"http://localhost:{port}/seg", transfer)
    assert paths == ["/seg"]


@pytest.mark.parametrize("target", PRIVATE_TARGETS)
@pytest.mark.usefixtures("loopback_is_public")
def test_downloader_refuses_a_redirect_to_a_private_address(
    dns, port, paths, transfer: Transfer, target: str
) -> None:
    dns.answer("hoster.test", "127.0.0.1", then="127.0.0.1")
    dns.answer("intranet.test", "10.0.0.1")
    url = _chain(port, f"http://hoster.test:{port}/hop", target)
    with pytest.raises(MediaUnavailable, match="private address"):
        open_media(new_session({}, 1), url, transfer)
    assert len(paths) == 2
