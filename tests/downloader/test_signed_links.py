"""Signed, IP-bound, expiring CDN links (VOE, reference §3.3, §9.18) against the stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from aniworld.downloader import (
    DownloadSettings,
    MediaLinkExpired,
    MediaUnavailable,
    download,
)
from aniworld.downloader.ffmpeg import probe
from aniworld.downloader.types import DownloadResult
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import voe_cdn


def signed(fakesite: FakeSite, link: HosterLink, headers: dict[str, str]) -> Stream:
    """A freshly signed VOE master for this client, as the extractor would hand it over."""
    return Stream(voe_cdn.master_url(fakesite.hoster_url, link, "127.0.0.1"), StreamKind.HLS,
                  headers, hoster="VOE")


def run(stream: Stream, tmp: Path, settings: DownloadSettings) -> DownloadResult:
    return download(stream, tmp / "ep.mp4", tmp / "work", settings=settings,
                    on_progress=lambda _: None, should_stop=lambda: None)


def segment_answers(fakesite: FakeSite) -> list[tuple[str, int | None]]:
    return [(r.path.rsplit("/", 1)[1], r.status) for r in fakesite.hoster_requests
            if "/seg-" in r.path]


def test_link_expiring_mid_download_is_typed_and_a_fresh_link_resumes(
    fakesite, link, headers, settings, tmp_path
) -> None:
    # One segment at a time, so exactly two arrive before the clock jumps.
    settings = DownloadSettings(**{**settings.__dict__, "hls_concurrency": 1})
    voe_cdn.CDN.expire_after("seg-", 2)
    with pytest.raises(MediaLinkExpired, match="stopped working mid-download .403") as caught:
        run(signed(fakesite, link, headers), tmp_path, settings)
    # Transient (retry later) and a MediaUnavailable (this hoster's link, not the machine).
    assert caught.value.transient and isinstance(caught.value, MediaUnavailable)
    answers = segment_answers(fakesite)
    assert answers[:3] == [("seg-1-f2-v1-a1.ts", 200), ("seg-2-f2-v1-a1.ts", 200),
                           ("seg-3-f2-v1-a1.ts", 403)]
    # The pool's one thread may start the last segment before the watcher stops it (None:
    # its 403 was still being sent when the log was read).
    assert {status for _, status in answers[3:]} <= {403, None}
    assert len(list((tmp_path / "work").glob("seg-*.ts"))) == 2
    fakesite.clear_requests()
    # What the runner's Attempt does next: resolve the hoster again, download on.
    result = run(signed(fakesite, link, headers), tmp_path, settings)
    assert segment_answers(fakesite) == [("seg-3-f2-v1-a1.ts", 200), ("seg-4-f2-v1-a1.ts", 200)]
    assert abs(probe(result.path)[0] - 4.0) < 0.3


@pytest.mark.parametrize("refusal", ["expired", "other-ip", "no-referer"])
def test_link_refused_from_the_start_is_not_an_expiry(
    fakesite, link, headers, settings, tmp_path, refusal
) -> None:
    """Never worked: the next hoster is tried, no fresh link of the same hoster."""
    if refusal == "other-ip":
        voe_cdn.CDN.sign_for = "127.0.0.2"  # the page was fetched through another address
    stream = signed(fakesite, link, headers)
    if refusal == "expired":
        voe_cdn.CDN.advance(voe_cdn.LIFETIME + 1)
    if refusal == "no-referer":
        stream = Stream(stream.url, stream.kind, {"User-Agent": headers["User-Agent"]})
    with pytest.raises(MediaUnavailable, match="expired or was refused .403") as caught:
        run(stream, tmp_path, settings)
    assert not isinstance(caught.value, MediaLinkExpired) and not caught.value.transient
    assert [r.path.rsplit("/", 1)[1] for r in fakesite.hoster_requests] == ["master.m3u8"]
