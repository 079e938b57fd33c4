"""HLS as 2026 hosters serve it: every stand-in variant over real HTTP (reference §6, §9)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests

from aniworld.downloader import (
    BadStreamKey,
    DownloadPaused,
    DownloadSettings,
    MediaUnavailable,
    Progress,
    StopRequested,
    UnsupportedStream,
    download,
)
from aniworld.downloader.ffmpeg import ffmpeg_path, probe
from aniworld.downloader.hlsbytes import KeyStore
from aniworld.downloader.transfer import Transfer
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import hls_variants


def fetch(fakesite: FakeSite, link: HosterLink, headers: dict[str, str], mode: str,
          settings: DownloadSettings, tmp: Path) -> Path:
    stream = Stream(hls_variants.variant_url(fakesite.hoster_url, link, mode), StreamKind.HLS,
                    headers)
    reports: list[Progress] = []
    result = download(stream, tmp / "lib" / "ep.mkv", tmp / "work", settings=settings,
                      on_progress=reports.append, should_stop=lambda: None)
    return result.path


def decode_errors(path: Path) -> str:
    """ffmpeg's complaints when decoding every frame of ``path`` (empty: clean)."""
    check = subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(path), "-f", "null", "-"],
                           capture_output=True, text=True, check=False)
    return check.stderr if check.returncode == 0 else f"exit {check.returncode}: {check.stderr}"


def requested(fakesite: FakeSite, part: str) -> list[str]:
    return [r.path for r in fakesite.hoster_requests if part in r.path]


@pytest.mark.parametrize("mode", ["aes", "aes-seq", "fmp4", "disguised", "disguised-png"])
def test_variant_downloads_into_a_clean_playable_file(
    fakesite, link, headers, settings, tmp_path, mode
) -> None:
    settings = DownloadSettings(**{**settings.__dict__, "container": "mkv"})
    path = fetch(fakesite, link, headers, mode, settings, tmp_path)
    assert abs(probe(path)[0] - 4.0) < 0.3
    assert decode_errors(path) == ""
    assert len(requested(fakesite, "key.bin")) == (1 if mode.startswith("aes") else 0)
    assert not (tmp_path / "work").exists()


def test_fmp4_init_section_is_fetched_once_and_output_is_mp4(
    fakesite, link, headers, settings, tmp_path
) -> None:
    stream = Stream(hls_variants.variant_url(fakesite.hoster_url, link, "fmp4"), StreamKind.HLS,
                    headers)
    result = download(stream, tmp_path / "ep.mp4", tmp_path / "work", settings=settings,
                      on_progress=lambda p: None, should_stop=lambda: None)
    duration, fmt = probe(result.path)
    assert "mp4" in fmt and abs(duration - 4.0) < 0.3
    assert len(requested(fakesite, "/init.mp4")) == 1
    assert len(requested(fakesite, ".m4s")) == 4


def test_disguised_segments_are_fetched_under_their_fake_names(
    fakesite, link, headers, settings, tmp_path
) -> None:
    fetch(fakesite, link, headers, "disguised-png", settings, tmp_path)
    names = {path.rsplit(".", 1)[1] for path in requested(fakesite, "/seg-")}
    assert names == {"jpg", "png", "html", "js"}


def test_segment_that_is_not_video_is_refused_not_joined(
    fakesite, link, headers, settings, tmp_path
) -> None:
    with pytest.raises(MediaUnavailable, match="segment 2 .* holds no MPEG-TS video"):
        fetch(fakesite, link, headers, "disguised-junk", settings, tmp_path)
    assert not (tmp_path / "lib" / "ep.mkv").exists()


def test_key_fetch_goes_through_the_url_guard(fakesite, link, headers) -> None:
    key_url = hls_variants.variant_url(fakesite.hoster_url, link, "aes").split("master")[0]
    strict = Transfer(DownloadSettings())
    with requests.Session() as session:
        session.headers.update(headers)
        with pytest.raises(MediaUnavailable, match="private address"):
            KeyStore(session, strict).get(key_url + "x-aes/key.bin")
        lenient = Transfer(DownloadSettings(allow_private_hosts=True))
        with pytest.raises(MediaUnavailable, match="only http"):
            KeyStore(session, lenient).get("file:///etc/passwd")
        assert KeyStore(session, lenient).get(key_url + "x-aes/key.bin") == hls_variants.KEY
    assert len(requested(fakesite, "key.bin")) == 1


def test_key_of_wrong_size_is_refused_with_a_typed_error(
    fakesite, link, headers, settings, tmp_path
) -> None:
    with pytest.raises(BadStreamKey, match="17 bytes instead of 16") as caught:
        fetch(fakesite, link, headers, "aes-badkey", settings, tmp_path)
    assert isinstance(caught.value, MediaUnavailable) and not caught.value.transient
    assert not (tmp_path / "lib" / "ep.mkv").exists()


@pytest.mark.parametrize(("mode", "reason"), [("sample-aes", "SAMPLE-AES"),
                                               ("byterange", "EXT-X-BYTERANGE"),
                                               ("live", "live playlist .no EXT-X-ENDLIST")])
def test_unsupported_forms_fail_over_with_a_typed_reason(
    fakesite, link, headers, settings, tmp_path, mode, reason
) -> None:
    with pytest.raises(UnsupportedStream, match=reason) as caught:
        fetch(fakesite, link, headers, mode, settings, tmp_path)
    # A MediaUnavailable subclass: the runner moves on to the next hoster (runner.py).
    assert isinstance(caught.value, MediaUnavailable) and not caught.value.transient
    assert requested(fakesite, ".ts") == [] and requested(fakesite, "key.bin") == []
    assert not (tmp_path / "lib" / "ep.mkv").exists()


@pytest.mark.parametrize(("wanted", "chosen"), [("deu", "de"), ("jpn", "ja"), ("", "ja")])
def test_audio_rendition_follows_the_language(
    fakesite, link, headers, settings, tmp_path, wanted, chosen
) -> None:
    settings = DownloadSettings(**{**settings.__dict__, "audio_language": wanted})
    path = fetch(fakesite, link, headers, "audio", settings, tmp_path)
    other = "ja" if chosen == "de" else "de"
    assert requested(fakesite, f"/x-audio/{chosen}/seg-") and not requested(
        fakesite, f"/x-audio/{other}/")
    header = subprocess.run([ffmpeg_path(), "-i", str(path)], capture_output=True, text=True,
                            check=False).stderr
    tag = {"de": "deu", "ja": "jpn"}[chosen]
    assert f"({tag}): Audio" in header and "Video:" in header
    assert abs(probe(path)[0] - 4.0) < 0.3 and decode_errors(path) == ""


def test_key_endpoint_demands_the_segment_headers(fakesite, link, headers) -> None:
    master = hls_variants.variant_url(fakesite.hoster_url, link, "aes")
    key_url = master.split("master.m3u8")[0] + "x-aes/key.bin"
    bare = requests.get(key_url, timeout=10)
    ua_only = requests.get(key_url, headers={"User-Agent": headers["User-Agent"]}, timeout=10)
    full = requests.get(key_url, headers=headers, timeout=10)
    assert bare.status_code == 403 and ua_only.status_code == 403
    assert full.status_code == 200 and full.content == hls_variants.KEY


def test_paused_aes_download_resumes_from_decrypted_segments(
    fakesite, link, headers, settings, tmp_path
) -> None:
    settings = DownloadSettings(**{**settings.__dict__, "hls_concurrency": 1,
                                   "container": "mkv"})
    fakesite.set_fault("slow", latency_ms=300, server="hoster", prefix="/engine/hls2/")
    stream = Stream(hls_variants.variant_url(fakesite.hoster_url, link, "aes-seq"),
                    StreamKind.HLS, headers)
    reports: list[Progress] = []
    with pytest.raises(DownloadPaused):
        download(stream, tmp_path / "ep.mkv", tmp_path / "work", settings=settings,
                 on_progress=reports.append,
                 should_stop=lambda: StopRequested.PAUSE if reports and
                 reports[-1].downloaded_bytes else None)
    done = sorted((tmp_path / "work").glob("seg-*.ts"))
    assert 1 <= len(done) < 4
    assert all(path.read_bytes()[0] == 0x47 for path in done)  # kept decrypted
    fakesite.clear_faults()
    fakesite.clear_requests()
    result = download(stream, tmp_path / "ep.mkv", tmp_path / "work", settings=settings,
                      on_progress=lambda p: None, should_stop=lambda: None)
    assert len(requested(fakesite, "/seg-")) == 4 - len(done)
    assert abs(probe(result.path)[0] - 4.0) < 0.3 and decode_errors(result.path) == ""


def test_segments_of_a_failing_host_come_from_the_playlists_other_host(
    fakesite, link, headers, settings, tmp_path
) -> None:
    # One segment at a time (deterministic request count); retry back-off is not a stall.
    settings = DownloadSettings(**{**settings.__dict__, "hls_concurrency": 1,
                                   "stall_timeout": 10.0})
    path = fetch(fakesite, link, headers, "disguised-mirrors", settings, tmp_path)
    assert abs(probe(path)[0] - 4.0) < 0.3 and decode_errors(path) == ""
    segments = [r for r in fakesite.hoster_requests if "/seg-" in r.path]
    # Only the mirror answers 522. Once it failed every retry it is tried last, so it sees
    # the retries of one segment; each segment arrives once from the working host.
    assert len([r for r in segments if r.status == 522]) == 4
    assert sorted(r.path.rsplit("/", 1)[1] for r in segments if r.status == 200) == [
        "seg-0.jpg", "seg-1.png", "seg-2.html", "seg-3.js"]
