"""DNS-over-HTTPS for the site clients (site-2026 §8), over real HTTP.

The stand-in site is configured under names system DNS cannot resolve (``*.doh-test``); the
DoH stand-in answers them with 127.0.0.1, so every page that arrives proves the connection
went to the DoH answer while Host said the name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from aniworld.errors import ValidationError
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.doh import (
    FALLBACK_SECONDS,
    MIN_TTL,
    DohResolver,
    DohUnavailable,
    Endpoint,
    check_doh,
    forget_resolvers,
    parse_answer,
)
from aniworld.site.errors import SiteUnreachable
from aniworld.site.transport import make_transport
from aniworld.urlguard import BlockedUrl, UrlGuard
from tests.fakedoh import FakeDoh
from tests.test_pinning import paths, port, server  # noqa: F401 - a redirecting server

TRANSPORTS = ["impersonate", "requests"]
SITE_NAME = "aniworld.doh-test"
STO_NAME = "sto.doh-test"


@pytest.fixture
def fakedoh() -> Iterator[FakeDoh]:
    """A fresh DoH stand-in, and no resolver state left from another test."""
    forget_resolvers()
    doh = FakeDoh().start()
    yield doh
    doh.stop()
    forget_resolvers()


def renamed(url: str, name: str) -> str:
    """``url`` with its host replaced by ``name`` (same port)."""
    return f"http://{name}:{urlsplit(url).port}"


def doh_client(fakesite: Any, fakedoh: FakeDoh, base_url: str, **overrides: Any) -> SiteClient:
    """A client of the stand-in site that resolves through the DoH stand-in."""
    options: dict[str, Any] = {
        "base_url": base_url, "doh": fakedoh.url, "allow_private_hosts": True,
        "min_interval": 0.0, "backoff_base": 0.01, "timeout": 3.0, "max_retries": 0,
    }
    options.update(overrides)
    return SiteClient(SiteSettings(**options))


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_site_reached_under_a_name_only_doh_knows(fakesite: Any, fakedoh: FakeDoh,
                                                  transport: str) -> None:
    fakedoh.answer(SITE_NAME, "127.0.0.1")
    base = renamed(fakesite.url, SITE_NAME)
    with doh_client(fakesite, fakedoh, base, transport=transport) as client:
        info = client.series("blauer-drache")
        assert info.url == f"{base}/anime/stream/blauer-drache"
        assert client.season("blauer-drache", 1)
    hosts = {r.headers.get("Host") for r in fakesite.requests if r.path.startswith("/anime")}
    assert hosts == {urlsplit(base).netloc}
    # Both pages, one lookup: the answer is cached for its TTL.
    assert fakedoh.queries == [(SITE_NAME, "A")]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_sto_client_resolves_through_doh_too(fakesite: Any, fakedoh: FakeDoh,
                                             transport: str) -> None:
    fakedoh.answer(STO_NAME, "127.0.0.1")
    base = renamed(fakesite.sto_url, STO_NAME)
    with doh_client(fakesite, fakedoh, base, engine="serienstream",
                    transport=transport) as client:
        assert client.series("demo-serie").url == f"{base}/serie/demo-serie"
        hosters = client.episode_hosters("demo-serie", 2, 1).hosters
        assert hosters and hosters[0].redirect_url.startswith(base)
        embed = client.resolve_redirect(hosters[0].redirect_url)
    assert urlsplit(embed).netloc == urlsplit(fakesite.hoster_url).netloc
    assert fakedoh.asked(STO_NAME) == 1


def test_two_clients_share_one_lookup_until_the_ttl_runs_out(fakesite: Any,
                                                            fakedoh: FakeDoh) -> None:
    fakedoh.answer(SITE_NAME, "127.0.0.1", ttl=3600)
    base = renamed(fakesite.url, SITE_NAME)
    for _ in range(2):  # a job or web request each makes its own client
        with doh_client(fakesite, fakedoh, base) as client:
            client.series("blauer-drache", fresh=True)
    assert fakedoh.asked(SITE_NAME) == 1


def test_cached_answer_expires_with_its_ttl(fakedoh: FakeDoh) -> None:
    now = [1000.0]
    fakedoh.answer(SITE_NAME, "127.0.0.1", ttl=60)
    resolver = DohResolver(Endpoint(fakedoh.url), timeout=3.0, clock=lambda: now[0])
    assert [str(a) for a in resolver.resolve(SITE_NAME, 80)] == ["127.0.0.1"]
    now[0] += 59
    resolver.resolve(SITE_NAME, 80)
    assert resolver.queries == 1
    now[0] += 2
    resolver.resolve(SITE_NAME, 80)
    assert resolver.queries == 2


def test_hanging_doh_falls_back_to_system_dns_within_the_deadline(
        fakesite: Any, fakedoh: FakeDoh, caplog: pytest.LogCaptureFixture) -> None:
    fakedoh.hang = True
    base = renamed(fakesite.url, "localhost")  # system DNS knows this one
    caplog.set_level(logging.WARNING, logger="aniworld.site.doh")
    with doh_client(fakesite, fakedoh, base, doh_timeout=1.0) as client:
        started = time.monotonic()
        client.series("blauer-drache")
        elapsed = time.monotonic() - started
        client.season("blauer-drache", 1)  # system DNS for a while: no second DoH wait
    assert elapsed < 1.0 + 8.0  # the deadline plus a busy machine; the client timeout is 3 s
    assert fakedoh.asked("localhost") == 1
    warnings = [r for r in caplog.records if "doh failed" in r.getMessage()]
    assert len(warnings) == 1 and "fallback=system-dns" in warnings[0].getMessage()


def test_fallback_ends_after_a_while(fakedoh: FakeDoh) -> None:
    now = [0.0]
    resolver = DohResolver(Endpoint(fakedoh.url.replace("/dns-query", "/gone")), timeout=3.0,
                           clock=lambda: now[0])
    fakedoh.answer(SITE_NAME, "127.0.0.1")
    with pytest.raises(DohUnavailable):  # the stand-in answers 400 on another path
        resolver.resolve(SITE_NAME, 80)
    now[0] += FALLBACK_SECONDS - 1
    with pytest.raises(DohUnavailable, match="paused"):
        resolver.resolve(SITE_NAME, 80)
    assert resolver.queries == 1
    resolver.endpoint = Endpoint(fakedoh.url)
    now[0] += 2
    assert [str(a) for a in resolver.resolve(SITE_NAME, 80)] == ["127.0.0.1"]


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.8", "0.0.0.0", "::1"])
def test_private_doh_answer_is_refused_unless_allowed(fakesite: Any, fakedoh: FakeDoh,
                                                      address: str) -> None:
    kind = "AAAA" if ":" in address else "A"
    fakedoh.answer(SITE_NAME, address, kind=kind)
    base = renamed(fakesite.url, SITE_NAME)
    with doh_client(fakesite, fakedoh, base, allow_private_hosts=False) as client:
        with pytest.raises(SiteUnreachable, match="private address"):
            client.series("blauer-drache")
    assert not fakesite.requests


def test_unknown_name_is_unreachable_not_a_fallback(fakesite: Any, fakedoh: FakeDoh) -> None:
    base = renamed(fakesite.url, "nowhere.doh-test")
    with doh_client(fakesite, fakedoh, base) as client:
        with pytest.raises(SiteUnreachable, match="knows no address"):
            client.series("blauer-drache")
    assert fakedoh.queries == [("nowhere.doh-test", "A")]


def test_ip_form_of_a_mirror_asks_no_one(fakesite: Any, fakedoh: FakeDoh) -> None:
    base = f"{fakesite.url}#{SITE_NAME}"  # http://127.0.0.1:<port>#<name>
    with doh_client(fakesite, fakedoh, base, allow_private_hosts=False) as client:
        assert client.series("blauer-drache")
    assert fakedoh.queries == []


def test_a_proxy_resolves_names_itself(fakedoh: FakeDoh) -> None:
    settings = SiteSettings(doh=fakedoh.url, proxy="http://127.0.0.1:9")
    with SiteClient(settings) as client:
        assert client.transport.site_guard is None


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_each_redirect_hop_is_looked_up_through_doh(fakedoh: FakeDoh, transport: str,
                                                    port: int, paths: list[str]) -> None:  # noqa: F811
    fakedoh.answer("a.doh-test", "127.0.0.1")
    fakedoh.answer("b.doh-test", "127.0.0.1")
    final = f"http://b.doh-test:{port}/final"
    site = make_transport(transport, f"http://a.doh-test:{port}",
                          doh=DohResolver(Endpoint(fakedoh.url), 3.0), allow_private_hosts=True)
    try:
        response = site.get(f"http://a.doh-test:{port}/start?to={quote(final, safe='')}")
    finally:
        site.close()
    assert response.status == 200 and response.url == final
    assert paths == [f"/start?to={quote(final, safe='')}", "/final"]
    assert {name for name, _ in fakedoh.queries} == {"a.doh-test", "b.doh-test"}


def test_guard_with_doh_refuses_private_answers(fakedoh: FakeDoh) -> None:
    fakedoh.answer(SITE_NAME, "192.168.1.4")
    resolver = DohResolver(Endpoint(fakedoh.url), 3.0)
    with pytest.raises(BlockedUrl, match="private address 192.168.1.4"):
        UrlGuard(resolve=resolver.resolve).pin(f"https://{SITE_NAME}/")
    pin = UrlGuard(True, resolve=resolver.resolve).pin(f"https://{SITE_NAME}/")
    assert (pin.host, pin.port, pin.address) == (SITE_NAME, 443, "192.168.1.4")


def test_answer_parsing() -> None:
    body = (b'{"Status": 0, "Answer": [{"type": 5, "TTL": 20, "data": "x.example."},'
            b'{"type": 1, "TTL": 300, "data": "1.2.3.4"}, {"type": 1, "TTL": 120, "data":'
            b' "5.6.7.8"}, {"type": 1, "TTL": 9, "data": "not an ip"}]}')
    addresses, ttl = parse_answer(body, "A")
    assert [str(a) for a in addresses] == ["1.2.3.4", "5.6.7.8"] and ttl == 120
    assert parse_answer(b'{"Status": 3}', "A") == (None, 0)
    assert parse_answer(b'{"Status": 0}', "AAAA") == ([], MIN_TTL)
    for bad in (b'{"Status": 2}', b"<html>", b'{"Answer": []}', b"[]"):
        with pytest.raises(DohUnavailable):
            parse_answer(bad, "A")


@pytest.mark.parametrize(("value", "expected"), [
    ("off", "off"), (" Cloudflare ", "cloudflare"), ("google", "google"), ("quad9", "quad9"),
    ("https://doh.example/dns-query", "https://doh.example/dns-query"),
    ("http://127.0.0.1:8053/dns-query", "http://127.0.0.1:8053/dns-query"),
])
def test_setting_accepts_providers_and_endpoints(value: str, expected: str) -> None:
    assert SiteSettings(doh=value).doh == expected


@pytest.mark.parametrize("value", ["on", "", "http://doh.example/dns-query",
                                   "https://user@doh.example/", "ftp://doh.example", None])
def test_setting_refuses_anything_else(value: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        check_doh(value)
    assert caught.value.field == "doh"


def test_bootstrap_address_is_used_instead_of_system_dns(fakedoh: FakeDoh) -> None:
    # The named providers are reached this way (cloudflare-dns.com at 1.1.1.1, ...); here the
    # endpoint's name is one system DNS does not know, so an answer proves the bootstrap.
    url = fakedoh.url.replace("127.0.0.1", "doh.doh-test")
    fakedoh.answer(SITE_NAME, "203.0.113.7")
    resolver = DohResolver(Endpoint(url, bootstrap="127.0.0.1"), 3.0)
    assert [str(a) for a in resolver.resolve(SITE_NAME, 443)] == ["203.0.113.7"]
    with pytest.raises(DohUnavailable):
        DohResolver(Endpoint(url), 3.0).resolve(SITE_NAME, 443)
