"""The URL guard in front of every hoster and media request."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

from aniworld.urlguard import BlockedUrl, Pin, UrlGuard, check_public_url, is_public
from tests.fakedns import FakeDns


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDns]:
    """A resolver for names ending in ``.test``; other names go to the real one."""
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield fake


@pytest.mark.parametrize("url", [
    "ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "http:///nohost",
    "http://127.0.0.1/x", "http://localhost:8000/x", "http://10.1.2.3/x", "http://192.168.0.1/",
    "http://[::1]/x", "http://169.254.169.254/latest/meta-data", "http://[broken/x",
    "http://[::ffff:127.0.0.1]/x", "http://[::ffff:a9fe:a9fe]/", "http://0.0.0.0:8000/",
    "http://224.0.0.1/", "http://[fe80::1]/", "http://[64:ff9b::7f00:1]/",
])
def test_refused(url: str) -> None:
    with pytest.raises(BlockedUrl):
        check_public_url(url)
    with pytest.raises(BlockedUrl):
        UrlGuard().pin(url)


# Each of these reads as a different host to at least one of urllib.parse, urllib3, curl or a
# browser; they are refused even when private hosts are allowed.
AMBIGUOUS = [
    "http://127.0.0.1\\@example.com/", "http://example.com\\@127.0.0.1/", "http:\\\\127.0.0.1/",
    "http://user@127.0.0.1/", "http://user:pw@127.0.0.1/x", "http://@127.0.0.1/",
    "http://127.0.0.1:80@example.com/", "http://127.0.0.1%2f@example.com/",
    "http://exa%6dple.com/", "http://127.1/", "http://0x7f.0.0.1/", "http://2130706433/",
    "http://0177.0.0.1/", "http://[::1%25lo]/", "http://münchen.example/", "http://ex ample.com/",
    "http://exam\tple.com/", "http://example.com\n/", "http://example.com:0/",
    "http://example.com:99999/", "http://example.com:/", "http://-/", "https:example.com",
]


@pytest.mark.parametrize("url", AMBIGUOUS)
def test_ambiguous_urls_refused_even_with_private_hosts_allowed(url: str) -> None:
    with pytest.raises(BlockedUrl):
        check_public_url(url, allow_private_hosts=True)
    with pytest.raises(BlockedUrl):
        UrlGuard(allow_private_hosts=True).pin(url)


def test_public_address_allowed() -> None:
    assert check_public_url("https://93.184.215.14/e/abc") == "https://93.184.215.14/e/abc"
    pin = UrlGuard().pin("https://93.184.215.14/e/abc")
    assert pin == Pin("93.184.215.14", 443, "93.184.215.14")


def test_private_allowed_when_configured() -> None:
    assert check_public_url("http://127.0.0.1:5/x", allow_private_hosts=True)
    assert UrlGuard(allow_private_hosts=True).pin("http://127.0.0.1:5/x").address == "127.0.0.1"
    with pytest.raises(BlockedUrl):
        check_public_url("ftp://127.0.0.1/x", allow_private_hosts=True)


def test_name_resolving_to_a_private_address_refused(dns: FakeDns) -> None:
    dns.answer("intranet.test", "93.184.215.14,10.0.0.5")
    with pytest.raises(BlockedUrl, match="private address 10.0.0.5"):
        UrlGuard().pin("https://intranet.test/e/abc")
    dns.answer("mapped.test", "::ffff:192.168.1.1")
    with pytest.raises(BlockedUrl, match="private address"):
        check_public_url("https://mapped.test/e/abc")


def test_pin_resolves_once_and_keeps_the_checked_address(dns: FakeDns) -> None:
    # DNS rebinding: the first answer is public, every later one loopback. The pin holds the
    # address that was checked, and nothing asks DNS a second time.
    dns.answer("rebind.test", "93.184.215.14", then="127.0.0.1")
    pin = UrlGuard().pin("https://Rebind.test./media.mp4")
    assert pin == Pin("rebind.test", 443, "93.184.215.14")
    assert dns.calls["rebind.test"] == 1
    assert pin.curl_resolve() == "rebind.test:443:93.184.215.14"
    assert pin.matches("REBIND.test.", 443) and not pin.matches("rebind.test", 80)


def test_unresolvable_host_refused(dns: FakeDns) -> None:
    dns.answer("gone.test")
    with pytest.raises(BlockedUrl, match="cannot resolve gone.test"):
        UrlGuard(allow_private_hosts=True).pin("http://gone.test/x")


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.215.14", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("::ffff:93.184.215.14", True), ("::ffff:10.0.0.1", False), ("64:ff9b::a00:1", False),
    ("100.64.0.1", False), ("239.1.2.3", False), ("ff02::1", False), ("::", False),
    ("fc00::1", False), ("198.18.0.1", False),
])
def test_is_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public
