"""The download engine against the fake hoster server over real HTTP."""

from __future__ import annotations

import statistics
import subprocess
import time
from pathlib import Path

import pytest

from aniworld.downloader import (
    CorruptDownload,
    DownloadCancelled,
    DownloadPaused,
    DownloadSettings,
    InsufficientDiskSpace,
    MediaUnavailable,
    Progress,
    StalledDownload,
    StopRequested,
    TokenBucket,
    download,
)
from aniworld.downloader.disk import free_bytes
from aniworld.downloader.ffmpeg import ffmpeg_path, probe
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import media


def run(stream: Stream, tmp: Path, settings: DownloadSettings, stop=None, name="ep.mp4"):
    reports: list[Progress] = []
    result = download(
        stream,
        tmp / "lib" / name,
        tmp / "lib" / ".aniworld" / "partial" / "1",
        settings=settings,
        on_progress=reports.append,
        should_stop=stop or (lambda: None),
    )
    return result, reports


def mp4(fakesite: FakeSite, link: HosterLink, headers: dict[str, str]) -> Stream:
    return Stream(media.mp4_url(fakesite.hoster_url, link), StreamKind.MP4, headers)


def hls(fakesite: FakeSite, link: HosterLink, headers: dict[str, str]) -> Stream:
    return Stream(media.hls_url(fakesite.hoster_url, link), StreamKind.HLS, headers)


def stop_after(nbytes: int, request: StopRequested, reports: list[Progress]):
    return lambda: request if reports and reports[-1].downloaded_bytes >= nbytes else None


def test_mp4_download_opens_in_ffmpeg(fakesite, link, headers, settings, tmp_path) -> None:
    result, reports = run(mp4(fakesite, link, headers), tmp_path, settings)
    assert result.path == tmp_path / "lib" / "ep.mp4" and result.size_bytes > 100_000
    assert abs(probe(result.path)[0] - 4.0) < 0.2
    assert reports[-1].downloaded_bytes == reports[-1].total_bytes == result.size_bytes
    assert not (tmp_path / "lib" / ".aniworld" / "partial" / "1").exists()


@pytest.mark.parametrize("container", ["mp4", "mkv"])
def test_hls_remuxed_with_right_duration(
    fakesite, link, headers, settings, tmp_path, container
) -> None:
    settings = DownloadSettings(**{**settings.__dict__, "container": container})
    result, _ = run(hls(fakesite, link, headers), tmp_path, settings, name=f"ep.{container}")
    assert abs(result.duration_seconds - 4.0) < 0.3
    paths = [r.path for r in fakesite.hoster_requests]
    assert all("/lo/" not in p for p in paths), "highest bandwidth variant expected"
    assert len([p for p in paths if p.endswith(".ts")]) == 4
    check = subprocess.run(
        [ffmpeg_path(), "-v", "error", "-i", str(result.path), "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and not check.stderr


def test_mp4_pause_then_resume_fetches_only_the_rest(
    fakesite, link, headers, settings, tmp_path
) -> None:
    settings = DownloadSettings(**{**settings.__dict__, "chunk_size": 16 * 1024})
    slow = DownloadSettings(**{**settings.__dict__, "rate_limiter": TokenBucket(400_000)})
    reports: list[Progress] = []
    with pytest.raises(DownloadPaused):
        download(
            mp4(fakesite, link, headers),
            tmp_path / "lib" / "ep.mp4",
            tmp_path / "w",
            settings=slow,
            on_progress=reports.append,
            should_stop=stop_after(200_000, StopRequested.PAUSE, reports),
        )
    kept = (tmp_path / "w" / "media.part").stat().st_size
    assert kept >= 200_000 and not (tmp_path / "lib" / "ep.mp4").exists()
    fakesite.clear_requests()
    result = download(
        mp4(fakesite, link, headers),
        tmp_path / "lib" / "ep.mp4",
        tmp_path / "w",
        settings=settings,
        on_progress=lambda p: None,
        should_stop=lambda: None,
    )
    (second,) = fakesite.hoster_requests
    assert second.headers["Range"] == f"bytes={kept}-" and second.status == 206
    assert probe(result.path)[0] > 3.8


def test_hls_resume_skips_finished_segments(fakesite, link, headers, settings, tmp_path) -> None:
    settings = DownloadSettings(**{**settings.__dict__, "hls_concurrency": 1})
    fakesite.set_fault("slow", latency_ms=300, server="hoster", prefix="/engine/hls2/")
    reports: list[Progress] = []
    with pytest.raises(DownloadPaused):
        download(
            hls(fakesite, link, headers),
            tmp_path / "lib" / "ep.mp4",
            tmp_path / "lib" / ".aniworld" / "partial" / "1",
            settings=settings,
            on_progress=reports.append,
            should_stop=stop_after(1, StopRequested.PAUSE, reports),
        )
    done = sorted((tmp_path / "lib" / ".aniworld" / "partial" / "1").glob("seg-*.ts"))
    assert 1 <= len(done) < 4
    fakesite.clear_faults()
    fakesite.clear_requests()
    run(hls(fakesite, link, headers), tmp_path, settings)
    fetched = [r.path for r in fakesite.hoster_requests if r.path.endswith(".ts")]
    assert len(fetched) == 4 - len(done)


def test_hls_default_keeps_six_segments_in_flight(fakesite, headers, settings, tmp_path) -> None:
    """The default is pinned on purpose (see DownloadSettings): six, like one browser's
    connections to one host; the hoster never sees more than that at once."""
    assert DownloadSettings().hls_concurrency == settings.hls_concurrency == 6
    fakesite.set_fault("slow", latency_ms=300, server="hoster", prefix="/engine/hls2/big-")
    stream = Stream(media.big_hls_url(fakesite.hoster_url, 18), StreamKind.HLS, headers)
    run(stream, tmp_path, settings)
    assert len([r for r in fakesite.hoster_requests if r.path.endswith(".ts")]) == 18
    assert 2 <= fakesite.max_concurrency("hoster") <= 6


def test_cancel_within_two_seconds_removes_work_dir(
    fakesite, link, headers, settings, tmp_path
) -> None:
    media.stall_media("/media/", after_bytes=50_000, seconds=10)
    cancel_at = time.monotonic() + 0.5
    settings = DownloadSettings(**{**settings.__dict__, "stall_timeout": 30})

    def stop() -> StopRequested | None:
        return StopRequested.CANCEL if time.monotonic() >= cancel_at else None

    with pytest.raises(DownloadCancelled):
        run(mp4(fakesite, link, headers), tmp_path, settings, stop=stop)
    assert time.monotonic() - cancel_at < 2.0
    assert not (tmp_path / "lib" / ".aniworld" / "partial" / "1").exists()


@pytest.mark.parametrize("kind", ["mp4", "hls"])
def test_stalled_body(fakesite, link, headers, settings, tmp_path, kind) -> None:
    media.stall_media("/media/" if kind == "mp4" else "/engine/hls2/", 20_000, seconds=8)
    stream = mp4(fakesite, link, headers) if kind == "mp4" else hls(fakesite, link, headers)
    started = time.monotonic()
    with pytest.raises(StalledDownload) as caught:
        run(stream, tmp_path, DownloadSettings(**{**settings.__dict__, "stall_timeout": 1.0}))
    assert 1.0 <= time.monotonic() - started < 3.0 and caught.value.transient


def test_segment_5xx_once_is_retried(fakesite, link, headers, settings, tmp_path) -> None:
    fakesite.set_fault("status", status=503, times=1, server="hoster", prefix="/engine/hls2/")
    fakesite.set_fault(
        "status", status=502, times=1, server="hoster", prefix=f"/engine/hls2/{link.code}/hi/seg-2"
    )
    result, _ = run(hls(fakesite, link, headers), tmp_path, settings)
    assert abs(result.duration_seconds - 4.0) < 0.3
    statuses = [r.status for r in fakesite.hoster_requests if r.path.endswith("seg-2.ts")]
    assert statuses == [502, 200]


def test_truncated_mp4_resumes_then_succeeds(fakesite, link, headers, settings, tmp_path) -> None:
    fakesite.set_fault("truncate", times=1, server="hoster", prefix="/media/")
    result, _ = run(mp4(fakesite, link, headers), tmp_path, settings)
    first, second = fakesite.hoster_requests
    assert "Range" not in first.headers and second.headers["Range"].startswith("bytes=")
    assert abs(probe(result.path)[0] - 4.0) < 0.2


def test_corrupt_mp4_is_deleted(fakesite, headers, settings, tmp_path) -> None:
    stream = Stream(media.corrupt_mp4_url(fakesite.hoster_url), StreamKind.MP4, headers)
    with pytest.raises(CorruptDownload) as caught:
        run(stream, tmp_path, settings)
    assert caught.value.transient
    assert not (tmp_path / "lib" / ".aniworld").exists() or not any(
        (tmp_path / "lib" / ".aniworld" / "partial").iterdir()
    )
    assert not (tmp_path / "lib" / "ep.mp4").exists()


@pytest.mark.parametrize("drop", ["Referer", "User-Agent"])
def test_missing_header_is_media_unavailable(
    fakesite, link, headers, settings, tmp_path, drop
) -> None:
    headers = {k: v for k, v in headers.items() if k != drop}
    if drop == "User-Agent":
        headers["User-Agent"] = ""
    with pytest.raises(MediaUnavailable) as caught:
        run(mp4(fakesite, link, headers), tmp_path, settings)
    assert "403" in caught.value.message and not caught.value.transient


def test_gone_is_media_unavailable(fakesite, link, headers, settings, tmp_path) -> None:
    fakesite.set_fault("status", status=410, server="hoster", prefix="/engine/hls2/")
    with pytest.raises(MediaUnavailable, match="another hoster will be tried"):
        run(hls(fakesite, link, headers), tmp_path, settings)


def test_disk_reserve_refused(fakesite, link, headers, settings, tmp_path) -> None:
    reserve = free_bytes(tmp_path) + 1024**3
    with pytest.raises(InsufficientDiskSpace, match="GiB free") as caught:
        run(
            mp4(fakesite, link, headers),
            tmp_path,
            DownloadSettings(**{**settings.__dict__, "disk_reserve_bytes": reserve}),
        )
    assert not caught.value.transient and fakesite.hoster_requests == []


def test_rate_limiter_limits(fakesite, headers, settings, tmp_path) -> None:
    limited = DownloadSettings(**{**settings.__dict__, "rate_limiter": TokenBucket(1024**2)})
    stream = Stream(media.big_mp4_url(fakesite.hoster_url, 2 * 1024**2), StreamKind.MP4, headers)
    started = time.monotonic()
    result, reports = run(stream, tmp_path, limited)
    elapsed = time.monotonic() - started
    # Only the lower bound is the limiter's doing; a busy machine may take any longer.
    assert result.size_bytes == 2 * 1024**2 and elapsed >= 1.5
    speeds = [r.speed for r in reports if r.speed]
    # A single report may catch a burst after a stall on a busy machine; the typical one may not.
    assert speeds and statistics.median(speeds) < 1.6 * 1024**2


def test_private_url_refused_by_default(fakesite, link, headers, tmp_path) -> None:
    strict = DownloadSettings(disk_reserve_bytes=0)
    with pytest.raises(MediaUnavailable, match="private address"):
        run(mp4(fakesite, link, headers), tmp_path, strict)
    assert fakesite.hoster_requests == []


def test_progress_is_throttled(fakesite, headers, settings, tmp_path) -> None:
    limited = DownloadSettings(
        **{**settings.__dict__, "rate_limiter": TokenBucket(4 * 1024**2), "progress_interval": 0.5}
    )
    stream = Stream(media.big_mp4_url(fakesite.hoster_url, 6 * 1024**2), StreamKind.MP4, headers)
    started = time.monotonic()
    _, reports = run(stream, tmp_path, limited)
    elapsed = time.monotonic() - started
    # At most one report per interval (plus the first and the last), however slow the machine.
    assert 2 <= len(reports) <= elapsed / 0.5 + 2
    assert any(r.eta_seconds is not None for r in reports[:-1])
