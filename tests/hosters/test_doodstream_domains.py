"""Doodstream on rotating host names, recognised by its page (ref site-2026 §4).

The stand-in's hoster app also listens on 127.0.0.2 and 127.0.0.3 (loopback; ``*.localhost``
names do not resolve on every machine), so one file is reachable under three hosts, and an
"old" host 301-redirects to the "current" one. The two extra hosts are Doodstream's alone
(``HOSTS``), so an unknown id there is Doodstream's "Video not found" page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from aniworld.hosters import HosterFileGone, HosterUnavailable, resolve_stream
from aniworld.site.transport import RequestsTransport
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite, media_files
from tests.fakesite.hosters import HosterApp
from tests.fakesite.hosters import doodstream as fake_dood
from tests.fakesite.httpbase import ServerThread
from tests.hosters.helpers import USER_AGENT, assert_fetchable, link_for

MIRROR_ADDRESSES = ("127.0.0.2", "127.0.0.3")
UA = {"User-Agent": USER_AGENT}


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
    # These two are Doodstream's own hosts (the shared one also serves the other hosters).
    owned = {urlsplit(server.url).netloc for server in servers}
    fake_dood.HOSTS.update(owned)
    yield [server.url for server in servers]
    fake_dood.HOSTS.difference_update(owned)
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
    for path in (f"/e/{_code(fakesite)}", "/d/NoSuchVideo1"):
        moved = requests.get(old + path, headers=UA, allow_redirects=False, timeout=5)
        assert moved.status_code == 301 and moved.headers["Location"] == current + path


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


@pytest.mark.parametrize("path", ["/e/zzzzzzzzzzzz", "/d/NoSuchVideo1"])
def test_unknown_id_is_video_not_found(
    fakesite: FakeSite, transport: RequestsTransport, mirrors: list[str], path: str
) -> None:
    for base in mirrors:
        page = requests.get(base + path, headers=UA, timeout=5)
        assert "<title>Video not found | DoodStream</title>" in page.text
        with pytest.raises(HosterFileGone):
            _resolve(transport, base + path)
    known = requests.get(f"{mirrors[0]}/e/{_code(fakesite)}", headers=UA, timeout=5)
    assert "/pass_md5/" in known.text and "Video not found" not in known.text


def _pass_md5(base: str, code: str) -> str:
    """A fresh pass_md5 URL from the embed page on ``base``."""
    page = requests.get(f"{base}/e/{code}", headers=UA, timeout=5).text
    match = re.search(r"\$\.get\('(/pass_md5/[^']+)'", page)
    assert match is not None
    return base + match[1]


def test_pass_md5_wants_a_referer_of_the_embed_host(
    fakesite: FakeSite, mirrors: list[str]
) -> None:
    first, second = mirrors
    url = _pass_md5(first, _code(fakesite))

    def answer(target: str, **headers: str) -> str:
        return requests.get(target, headers={**UA, **headers}, timeout=5).text

    assert answer(url) == "RELOAD"
    assert answer(url, Referer=f"{second}/e/{_code(fakesite)}") == "RELOAD"
    on_second = url.replace(first, second)  # the embed was served by the first host
    assert answer(on_second, Referer=f"{second}/e/{_code(fakesite)}") == "RELOAD"
    assert answer(url, Referer=f"{first}/e/{_code(fakesite)}").startswith(f"{first}/dood/")


def test_media_checks_its_token_and_client_and_serves_ranges(
    fakesite: FakeSite, transport: RequestsTransport, mirrors: list[str]
) -> None:
    stream = _resolve(transport, f"{mirrors[0]}/e/{_code(fakesite)}")
    link = link_for(fakesite, "Doodstream")
    data = (media_files.language_dir(link.language) / "video.mp4").read_bytes()

    def get(url: str, **headers: str) -> requests.Response:
        return requests.get(url, headers={**stream.headers, **headers}, allow_redirects=False,
                            timeout=5)

    whole = get(stream.url)
    assert whole.status_code == 200 and whole.content == data  # served here, no redirect
    part = get(stream.url, Range="bytes=100-199")
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    token = parse_qs(urlsplit(stream.url).query)["token"][0]
    forged = stream.url.replace(f"token={token}", "token=" + "0" * len(token))
    assert get(forged).status_code == 403
    assert get(stream.url.replace(f"/{token}~", "/" + "0" * len(token) + "~")).status_code == 403
    assert get(stream.url, **{"User-Agent": "SomeoneElse/1.0"}).status_code == 403
