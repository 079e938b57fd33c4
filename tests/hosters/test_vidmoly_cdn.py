"""Vidmoly's link forms, retired host and IP-bound 12-hour CDN (site-2026 §5.2, §9.27–28)."""

from __future__ import annotations

import http.client
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from aniworld.hosters import HosterUnavailable, resolve_stream, vidmoly
from aniworld.site.transport import RequestsTransport
from aniworld.streams import Stream
from tests.fakesite import FakeSite
from tests.fakesite.hosters import cdn
from tests.fakesite.hosters import vidmoly as fake
from tests.hosters.helpers import (
    USER_AGENT,
    assert_fetchable,
    fetch,
    first_segment,
    link_for,
)


@pytest.fixture
def code(fakesite: FakeSite) -> str:
    """Embed code of the first Vidmoly link."""
    return link_for(fakesite, "Vidmoly").code


def _resolve(transport: RequestsTransport, url: str) -> Stream:
    return resolve_stream("Vidmoly", url, transport, allow_private_hosts=True)


def _status_from(address: str, stream: Stream) -> int:
    """GET the stream's URL with its headers from the local address ``address``."""
    parts = urlsplit(stream.url)
    conn = http.client.HTTPConnection(
        parts.hostname or "", parts.port, timeout=5, source_address=(address, 0)
    )
    try:
        conn.request("GET", f"{parts.path}?{parts.query}", headers=stream.headers)
        return conn.getresponse().status
    finally:
        conn.close()


def test_watch_path_is_the_embed_page(fakesite: FakeSite, code: str) -> None:
    iframe = {"User-Agent": USER_AGENT, "Sec-Fetch-Dest": "iframe"}
    for path in (f"/embed-{code}.html", f"/w/{code}"):
        page = requests.get(fakesite.hoster_url + path, headers=iframe, timeout=5)
        assert page.status_code == 200 and "sources: [{file:" in page.text
        bare = requests.get(fakesite.hoster_url + path, headers={"User-Agent": USER_AGENT},
                            timeout=5)
        assert vidmoly.is_wait_page(bare.text) and "sources:" not in bare.text
    unknown = requests.get(fakesite.hoster_url + "/w/zzzzzzzzzzzz", headers=iframe, timeout=5)
    assert unknown.status_code == 404


@pytest.mark.parametrize("form", ["/w/{code}", "/v/{code}", "/dl/{code}", "/embed-{code}.html"])
def test_every_link_form_is_read_from_the_embed_page(
    fakesite: FakeSite, transport: RequestsTransport, code: str, form: str
) -> None:
    stream = _resolve(transport, fakesite.hoster_url + form.format(code=code))
    assert_fetchable(stream, hls=True)
    pages = [r.path for r in fakesite.hoster_requests if not r.path.startswith("/cdn/")]
    assert pages == [f"/embed-{code}.html"]


@pytest.mark.parametrize(
    ("link", "page"),
    [("https://vidmoly.to/w/abc123", "https://vidmoly.biz/embed-abc123.html"),
     ("https://vidmoly.to/embed-abc123.html", "https://vidmoly.biz/embed-abc123.html"),
     ("https://vidmoly.net/dl/abc123", "https://vidmoly.net/embed-abc123.html"),
     ("https://vidmoly.biz/embed-abc123.html?x=1", "https://vidmoly.biz/embed-abc123.html?x=1"),
     ("https://vidmoly.me/other/page", "https://vidmoly.me/other/page")],
)
def test_links_are_moved_to_the_embed_page_off_retired_hosts(link: str, page: str) -> None:
    assert vidmoly.embed_page_url(link) == page


def test_retired_host_is_a_transient_error_naming_it(
    fakesite: FakeSite, transport: RequestsTransport, code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(fake.VARIANTS, code, "oldhost")
    link = link_for(fakesite, "Vidmoly")
    answer = requests.get(f"{fakesite.url}/redirect/{link.link_id}", allow_redirects=False,
                          headers={"User-Agent": USER_AGENT}, timeout=5)
    embed, old = answer.headers["Location"], urlsplit(fake.old_base()).netloc
    assert urlsplit(embed).netloc == old
    with pytest.raises(HosterUnavailable, match=f"its host {old} does not answer") as caught:
        _resolve(transport, embed)
    assert caught.value.transient
    # Known as retired: read from the current host instead.
    monkeypatch.setitem(vidmoly.RETIRED, old, fakesite.hoster_url)
    assert_fetchable(_resolve(transport, embed), hls=True)


def test_playlist_is_signed_for_the_extracting_ip_for_twelve_hours(
    fakesite: FakeSite, transport: RequestsTransport, code: str
) -> None:
    stream = _resolve(transport, f"{fakesite.hoster_url}/embed-{code}.html")
    query = parse_qs(urlsplit(stream.url).query)
    assert query["e"] == ["43200"] and query["i"] == ["127.0.0.1"] and query["t"]
    master = fetch(stream)
    assert master.status_code == 200
    segment = first_segment(stream, master.text)
    for media in (stream, segment):
        assert _status_from("127.0.0.1", media) == 200
        assert _status_from("127.0.0.2", media) == 403  # another machine's address


def test_playlist_and_segments_need_referer_and_user_agent(
    fakesite: FakeSite, transport: RequestsTransport, code: str
) -> None:
    stream = _resolve(transport, f"{fakesite.hoster_url}/embed-{code}.html")
    segment = first_segment(stream, fetch(stream).text)
    for media in (stream, segment):
        assert fetch(media).status_code in (200, 206)
        assert fetch(media, drop="Referer").status_code == 403
        blank = replace(media, headers={**media.headers, "User-Agent": ""})
        assert fetch(blank).status_code == 403


def test_referer_of_another_host_is_refused(
    fakesite: FakeSite, transport: RequestsTransport, code: str
) -> None:
    stream = _resolve(transport, f"{fakesite.hoster_url}/embed-{code}.html")
    other = fakesite.hoster_url.replace("127.0.0.1", "localhost")
    assert fetch(replace(stream, headers={**stream.headers, "Referer": other})).status_code == 403
    assert fetch(stream).status_code == 200


def test_playlist_signed_for_another_ip_is_refused(
    fakesite: FakeSite, transport: RequestsTransport, code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(fake.VARIANTS, code, "otherip")
    stream = _resolve(transport, f"{fakesite.hoster_url}/embed-{code}.html")
    refused = fetch(stream)
    assert refused.status_code == 403 and b"another IP" in refused.content
    assert _status_from("127.0.0.2", stream) == 200


def test_token_lasts_twelve_hours_and_cannot_be_altered(
    fakesite: FakeSite, transport: RequestsTransport, code: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = _resolve(transport, f"{fakesite.hoster_url}/embed-{code}.html")
    monkeypatch.setattr(cdn, "SKEW", 43200 - 60)
    assert fetch(stream).status_code == 200
    monkeypatch.setattr(cdn, "SKEW", 43200 + 60)
    expired = fetch(stream)
    assert expired.status_code == 403 and b"expired" in expired.content
    monkeypatch.setattr(cdn, "SKEW", 0.0)
    longer = replace(stream, url=stream.url.replace("e=43200", "e=99999"))
    assert fetch(longer).status_code == 403
    forged = replace(stream, url=stream.url.replace("t=", "t=0"))
    assert fetch(forged).status_code == 403
