"""The VOE stand-in is as strict as reference site-2026 §9 asks (items 14-18), over HTTP."""

from __future__ import annotations

import http.client
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from urllib3.util import SKIP_HEADER

from tests.fakesite import FakeSite
from tests.fakesite.hosters import voe as fake_voe
from tests.fakesite.hosters import voe_cdn

UA = "Mozilla/5.0 (X11; Linux x86_64) AniworldTest/1.0"


def _code(fakesite: FakeSite) -> str:
    return next(link.code for series in fakesite.catalog.series_list
                for episode in series.all_episodes() for link in episode.links
                if link.hoster == "VOE")


def _alias(fakesite: FakeSite) -> str:
    return fakesite.hoster_url.replace("127.0.0.1", fake_voe.ALIAS_HOST)


def _headers(fakesite: FakeSite) -> dict[str, str]:
    """What a browser playing the video sends to the CDN: its UA, the alias as Referer."""
    return {"User-Agent": UA, "Referer": _alias(fakesite) + "/"}


def master_url(fakesite: FakeSite, variant: str = "v2026") -> str:
    """The ``source`` of the decoded payload of the alias's player page."""
    page = requests.get(f"{_alias(fakesite)}/{_code(fakesite)}?variant={variant}",
                        headers={"User-Agent": UA}, timeout=5).text
    source = fake_voe.decode(re.search(r'\["([^"]+)"\]', page)[1])["source"]
    assert isinstance(source, str)
    return source


def _uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def urlset(fakesite: FakeSite) -> list[str]:
    """Master, best variant playlist and its first segment, as absolute URLs."""
    master = master_url(fakesite)
    text = requests.get(master, headers=_headers(fakesite), timeout=5).text
    variant = urljoin(master, _uris(text)[1])
    playlist = requests.get(variant, headers=_headers(fakesite), timeout=5).text
    return [master, variant, urljoin(variant, _uris(playlist)[0])]


def test_first_host_hops_by_script_not_by_redirect(fakesite: FakeSite) -> None:
    """§9.14: a 200 "Redirecting..." page with the permanentToken script, no 30x."""
    answer = requests.get(f"{fakesite.hoster_url}/e/{_code(fakesite)}?variant=v2026",
                          headers={"User-Agent": UA}, allow_redirects=False, timeout=5)
    assert answer.status_code == 200 and "<title>Redirecting...</title>" in answer.text
    assert "Location" not in answer.headers  # the hop is the script's, not HTTP's
    assert "localStorage.getItem('permanentToken')" in answer.text
    assert "application/json" not in answer.text and "var source" not in answer.text
    target = re.search(r"window\.location\.href = '([^']+)'", answer.text)[1]
    assert urlsplit(target).path == f"/{_code(fakesite)}"  # no /e/ on the alias
    first_host = urlsplit(fakesite.hoster_url).hostname
    assert urlsplit(target).hostname == fake_voe.ALIAS_HOST != first_host
    player = requests.get(target, headers={"User-Agent": UA}, allow_redirects=False, timeout=5)
    assert player.status_code == 200 and "application/json" in player.text


def test_master_has_three_muxed_variants_and_iframe_playlists(fakesite: FakeSite) -> None:
    """§9.16: nginx-vod urlset master, every URI signed like the master itself."""
    master = master_url(fakesite)
    assert "/engine/hls2-c/01/" in master and "_,n,l,.urlset/master.m3u8?" in master
    query = parse_qs(urlsplit(master).query)
    assert query["e"] == ["14400"] and query["i"] == ["127.0.0.1"] and query["s"][0].isdigit()
    text = requests.get(master, headers=_headers(fakesite), timeout=5).text
    variants = [line for line in text.splitlines() if line.startswith("#EXT-X-STREAM-INF:")]
    iframes = [line for line in text.splitlines() if line.startswith("#EXT-X-I-FRAME-STREAM-INF")]
    assert len(variants) == 3 and len(iframes) == 3
    assert all('CODECS="avc1' in line and "mp4a.40.2" in line for line in variants)
    assert [uri.split("?")[0] for uri in _uris(text)] == [
        f"index-f{n}-v1-a1.m3u8" for n in (1, 2, 3)]
    assert all(uri.endswith("?" + urlsplit(master).query) for uri in _uris(text))
    iframe = urljoin(master, re.search(r'URI="([^"]+)"', iframes[0])[1])
    playlist = requests.get(iframe, headers=_headers(fakesite), timeout=5).text
    assert "#EXT-X-I-FRAMES-ONLY" in playlist and "#EXT-X-BYTERANGE:" in playlist


def test_payload_has_the_master_and_a_direct_mp4(fakesite: FakeSite) -> None:
    """§9.16: the decoded JSON's ``direct_access_url`` is an MP4 (served with the player's
    headers only), next to the signed urlset ``source``."""
    page = requests.get(f"{_alias(fakesite)}/{_code(fakesite)}?variant=v2026",
                        headers={"User-Agent": UA}, timeout=5).text
    payload = fake_voe.decode(re.search(r'\["([^"]+)"\]', page)[1])
    assert "_,n,l,.urlset/master.m3u8?" in str(payload["source"])
    mp4 = str(payload["direct_access_url"])
    assert urlsplit(mp4).path.endswith(".mp4")
    answer = requests.get(mp4, headers=_headers(fakesite), timeout=5)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "video/mp4"
    assert requests.get(mp4, headers={"User-Agent": UA}, timeout=5).status_code == 403


@pytest.mark.parametrize("drop", ["Referer", "User-Agent"])
def test_every_cdn_file_demands_referer_and_user_agent(fakesite: FakeSite, drop: str) -> None:
    """§9.18: playlists and segments alike, 403 without either header."""
    # None drops a header in requests; urllib3 adds its own User-Agent unless told to skip.
    headers = {**_headers(fakesite), drop: SKIP_HEADER if drop == "User-Agent" else None}
    for url in urlset(fakesite):
        assert requests.get(url, headers=_headers(fakesite), timeout=5).status_code == 200
        assert requests.get(url, headers=headers, timeout=5).status_code == 403


def test_links_expire_by_the_cdn_clock(fakesite: FakeSite) -> None:
    """§9.18: ``s + e`` in the past is refused; a link signed afterwards works again."""
    urls = urlset(fakesite)
    voe_cdn.CDN.advance(voe_cdn.LIFETIME + 1)
    for url in urls:
        answer = requests.get(url, headers=_headers(fakesite), timeout=5)
        assert answer.status_code == 403 and "expired" in answer.text
    fresh = master_url(fakesite)
    assert requests.get(fresh, headers=_headers(fakesite), timeout=5).status_code == 200


def test_expire_after_jumps_the_clock_once_files_were_served(fakesite: FakeSite) -> None:
    """The mid-download switch: the answer that reaches the count is still served."""
    master, variant, _ = urlset(fakesite)
    voe_cdn.CDN.expire_after("index-", 1)
    assert requests.get(variant, headers=_headers(fakesite), timeout=5).status_code == 200
    assert requests.get(master, headers=_headers(fakesite), timeout=5).status_code == 403
    assert requests.get(master_url(fakesite), headers=_headers(fakesite),
                        timeout=5).status_code == 200


def get_from(source_ip: str, url: str, headers: dict[str, str]) -> tuple[int, str]:
    """GET ``url`` from the loopback address ``source_ip`` (another client, same machine)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5,
                                            source_address=(source_ip, 0))
    try:
        connection.request("GET", f"{parts.path}?{parts.query}", headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read().decode("latin-1")
    finally:
        connection.close()


def test_links_are_bound_to_the_client_ip(fakesite: FakeSite) -> None:
    """§9.18: signed for 127.0.0.1 (who loaded the page), refused to 127.0.0.2."""
    for url in urlset(fakesite):
        assert get_from("127.0.0.1", url, _headers(fakesite))[0] == 200
        status, body = get_from("127.0.0.2", url, _headers(fakesite))
        assert status == 403 and "another client" in body


def test_sign_for_mode_and_tampering(fakesite: FakeSite) -> None:
    """``sign_for`` binds new links to another IP; an edited ``i`` breaks the signature."""
    master = urlset(fakesite)[0]
    forged = master.replace("i=127.0.0.1", "i=127.0.0.2")
    status, body = get_from("127.0.0.2", forged, _headers(fakesite))
    assert status == 403 and "bad signature" in body
    voe_cdn.CDN.sign_for = "127.0.0.2"
    other = master_url(fakesite)
    assert "i=127.0.0.2" in other
    assert get_from("127.0.0.2", other, _headers(fakesite))[0] == 200
    assert requests.get(other, headers=_headers(fakesite), timeout=5).status_code == 403
