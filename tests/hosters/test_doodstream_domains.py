"""Doodstream on rotating host names, recognised by its page (ref site-2026 §4).

The stand-in's hoster app also listens on 127.0.0.2 and 127.0.0.3 (loopback; ``*.localhost``
names do not resolve on every machine), so one file is reachable under three hosts, and an
"old" host 301-redirects to the "current" one.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from aniworld.hosters import HosterFileGone, HosterUnavailable, resolve_stream
from aniworld.site.transport import RequestsTransport
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite
from tests.fakesite.hosters import HosterApp
from tests.fakesite.hosters import doodstream as fake_dood
from tests.fakesite.httpbase import ServerThread
from tests.hosters.helpers import assert_fetchable, link_for

MIRROR_ADDRESSES = ("127.0.0.2", "127.0.0.3")


@pytest.fixture(scope="module")
def mirrors(fakesite_server: FakeSite) -> Iterator[list[str]]:
    """Base URLs of the hoster app on two more loopback addresses (same port, same logs)."""
    port = urlsplit(fakesite_server.hoster_url).port or 0
    site = fakesite_server
    servers = [
        ServerThread("hoster", HosterApp(site.catalog), site.logs["hoster"], site.faults, a, port)
        for a in MIRROR_ADDRESSES
    ]
    for server in servers:
        server.start()
    yield [server.url for server in servers]
    for server in servers:
        server.stop()


def _resolve(transport: RequestsTransport, url: str) -> Stream:
    return resolve_stream("Doodstream", url, transport, allow_private_hosts=True)


def _code(site: FakeSite) -> str:
    return link_for(site, "Doodstream").code


def test_same_file_resolves_on_every_host(
    fakesite: FakeSite, transport: RequestsTransport, mirrors: list[str]
) -> None:
    for base in [fakesite.hoster_url, *mirrors]:
        stream = _resolve(transport, f"{base}/e/{_code(fakesite)}")
        assert stream.url.startswith(base) and stream.headers["Referer"] == base + "/"
        assert stream.kind is StreamKind.MP4
        assert_fetchable(stream, hls=False)


def test_old_host_redirects_to_the_current_one(
    fakesite: FakeSite,
    transport: RequestsTransport,
    mirrors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, current = mirrors
    monkeypatch.setitem(fake_dood.MOVED, urlsplit(old).netloc, current)
    stream = _resolve(transport, f"{old}/e/{_code(fakesite)}")
    # pass_md5 only answers on the host the embed finally came from, with its Referer.
    (pass_md5,) = fakesite.requests_to("/pass_md5/", server="hoster")
    assert pass_md5.headers["Referer"] == current + "/"
    assert stream.url.startswith(current) and stream.headers["Referer"] == current + "/"
    assert_fetchable(stream, hls=False)


def test_download_page_is_followed_to_its_player(
    fakesite: FakeSite, transport: RequestsTransport, mirrors: list[str]
) -> None:
    stream = _resolve(transport, f"{mirrors[0]}/d/{_code(fakesite)}")
    assert_fetchable(stream, hls=False)
    assert [r.path.split("/")[1] for r in fakesite.hoster_requests][:3] == ["d", "e", "pass_md5"]


def test_stale_pass_md5_reload_is_typed(
    fakesite: FakeSite,
    transport: RequestsTransport,
    mirrors: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fake_dood, "PASS_TTL", -1.0)
    with pytest.raises(HosterUnavailable, match="RELOAD"):
        _resolve(transport, f"{mirrors[1]}/e/{_code(fakesite)}")


@pytest.mark.parametrize(
    ("variant", "error", "text"),
    [
        ("turnstile", HosterUnavailable, "Turnstile"),
        ("notfound", HosterFileGone, "no longer has this file"),
    ],
)
def test_check_and_not_found_pages_are_typed(
    fakesite: FakeSite,
    transport: RequestsTransport,
    mirrors: list[str],
    variant: str,
    error: type[Exception],
    text: str,
) -> None:
    with pytest.raises(error, match=text):
        _resolve(transport, f"{mirrors[0]}/e/{_code(fakesite)}?variant={variant}")
