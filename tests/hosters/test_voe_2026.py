"""VOE's 2025-26 shape against the strict stand-in over real HTTP (ref site-2026 §3)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from aniworld.downloader import DownloadSettings, download
from aniworld.downloader.ffmpeg import ffmpeg_path, probe
from aniworld.hosters import (
    ExtractorOutdated,
    HosterFileGone,
    HosterUnavailable,
    resolve_stream,
    voe,
)
from aniworld.site.transport import RequestsTransport
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite
from tests.fakesite.hosters import voe as fake_voe
from tests.hosters.helpers import assert_fetchable, embed_via_redirect, link_for


def _resolve(site: FakeSite, transport: RequestsTransport, variant: str) -> Stream:
    embed = embed_via_redirect(site, link_for(site, "VOE")) + f"?variant={variant}"
    site.clear_requests()
    return resolve_stream("VOE", embed, transport, allow_private_hosts=True)


@pytest.mark.parametrize("variant", ["v2026", "v2026alt"])
def test_voe_2026_reads_the_junk_table_from_the_loader(
    fakesite: FakeSite, transport: RequestsTransport, variant: str
) -> None:
    stream = _resolve(fakesite, transport, variant)
    alias = fakesite.hoster_url.replace("127.0.0.1", "localhost")
    assert stream.kind is StreamKind.HLS and "_,n,l,.urlset/master.m3u8?" in stream.url
    assert stream.headers["Referer"] == alias + "/"
    assert stream.headers["Origin"] == alias
    assert_fetchable(stream, hls=True)
    paths = [r.path for r in fakesite.hoster_requests]
    code = link_for(fakesite, "VOE").code
    # First host, then the alias's bare /<code> (no /e/), then the loader script.
    assert paths[:2] == [f"/e/{code}", f"/{code}"]
    assert any(p.startswith("/js/loader.") for p in paths)


def test_voe_2026_other_table_defeats_a_hard_coded_table(
    fakesite: FakeSite, transport: RequestsTransport
) -> None:
    """The stand-in really discriminates: the seven known markers cannot decode it."""
    page = transport.request(
        "GET",
        fakesite.hoster_url.replace("127.0.0.1", "localhost")
        + f"/{link_for(fakesite, 'VOE').code}?variant=v2026alt",
    ).text
    with pytest.raises(ExtractorOutdated):
        voe.parse_page(page)
    loader = re.search(r'src="(/js/loader\.[0-9a-f]+\.js)"', page)[1]
    script = transport.request("GET", fakesite.hoster_url + loader).text
    assert voe.parse_table(script) == fake_voe.OTHER_MARKERS
    assert voe.parse_page(page, fake_voe.OTHER_MARKERS)[1] is StreamKind.HLS


def test_voe_2026_falls_back_to_the_known_table(
    fakesite: FakeSite, transport: RequestsTransport
) -> None:
    stream = _resolve(fakesite, transport, "v2026noloader")
    assert_fetchable(stream, hls=True)
    (loader,) = fakesite.requests_to("/js/loader.", server="hoster")
    assert loader.path == "/js/loader.deadbeef.js"  # tried, answered 404, fell back


def test_voe_2026_alias_serves_the_e_path_too(
    fakesite: FakeSite, transport: RequestsTransport
) -> None:
    alias = fakesite.hoster_url.replace("127.0.0.1", "localhost")
    embed = f"{alias}/e/{link_for(fakesite, 'VOE').code}?variant=v2026alt"
    stream = resolve_stream("VOE", embed, transport, allow_private_hosts=True)
    assert_fetchable(stream, hls=True)


@pytest.mark.parametrize(
    ("variant", "error", "text"),
    [
        ("challenge", HosterUnavailable, "Cloudflare challenge page"),
        ("altcha", HosterUnavailable, "ALTCHA"),
        ("encoding", HosterFileGone, "no longer has this file"),
        ("gone404", HosterFileGone, "no longer has this file"),
        ("gone410", HosterFileGone, "no longer has this file"),
    ],
)
def test_voe_2026_failure_pages_are_typed(
    fakesite: FakeSite,
    transport: RequestsTransport,
    variant: str,
    error: type[Exception],
    text: str,
) -> None:
    with pytest.raises(error, match=text) as caught:
        _resolve(fakesite, transport, variant)
    assert caught.value.hoster == "VOE"


def test_voe_2026_download_takes_the_best_variant_never_an_iframe_playlist(
    fakesite: FakeSite, transport: RequestsTransport, tmp_path: Path
) -> None:
    """§9.16 end to end: extractor → signed urlset master → best of 3 variants → file."""
    stream = _resolve(fakesite, transport, "v2026")
    settings = DownloadSettings(allow_private_hosts=True, disk_reserve_bytes=0,
                                container="mkv")
    result = download(stream, tmp_path / "ep.mkv", tmp_path / "work", settings=settings,
                      on_progress=lambda _: None, should_stop=lambda: None)
    header = subprocess.run([ffmpeg_path(), "-i", str(result.path)], capture_output=True,
                            text=True, check=False).stderr
    assert "640x360" in header and abs(probe(result.path)[0] - 4.0) < 0.3
    cdn = [r for r in fakesite.hoster_requests if "/engine/hls2-c/" in r.path]
    files = [r.path.rsplit("/", 1)[1] for r in cdn]
    assert files[:2] == ["master.m3u8", "index-f2-v1-a1.m3u8"]  # f2 is the best, not first
    assert sorted(files[2:]) == [f"seg-{n}-f2-v1-a1.ts" for n in range(1, 5)]
    assert not any("iframes" in name for name in files)
    # The CDN demanded Referer and UA on every file, playlists included, and got them.
    assert {r.status for r in cdn} == {200}
    assert all(r.headers.get("Referer") == stream.headers["Referer"] and
               r.headers.get("User-Agent") == stream.headers["User-Agent"] for r in cdn)
