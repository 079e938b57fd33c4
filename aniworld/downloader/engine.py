"""The download entry point: fetch into a work dir, validate, remux, place atomically."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from functools import partial
from pathlib import Path
from typing import TypeVar

import requests

from aniworld.downloader import hls, mp4
from aniworld.downloader.disk import ensure_space, place
from aniworld.downloader.errors import CorruptDownload, DownloadCancelled
from aniworld.downloader.ffmpeg import probe, remux
from aniworld.downloader.playlist import iso639_2, local_playlist
from aniworld.downloader.progress import Reporter
from aniworld.downloader.transfer import Transfer, new_session, watch
from aniworld.downloader.types import DownloadResult, DownloadSettings, Progress, StopRequested
from aniworld.phrases import Number, Phrase
from aniworld.streams import Stream, StreamKind

logger = logging.getLogger(__name__)

T = TypeVar("T")
JOIN_GRACE = 1.0  # seconds to let aborted workers close their files before clean-up
ShouldStop = Callable[[], StopRequested | None]


def download(
    stream: Stream,
    final_path: Path,
    work_dir: Path,
    *,
    settings: DownloadSettings,
    on_progress: Callable[[Progress], None],
    should_stop: ShouldStop,
) -> DownloadResult:
    """Download ``stream`` to ``final_path`` via ``work_dir``; raises DownloadError subclasses."""
    ensure_space(final_path.parent, stream.expected_bytes, settings.disk_reserve_bytes)
    work_dir.mkdir(parents=True, exist_ok=True)
    job = _Job(stream, work_dir, settings, Reporter(on_progress, settings.progress_interval))
    logger.info("download start kind=%s hoster=%s path=%s", stream.kind, stream.hoster, final_path)
    try:
        media, duration = job.run(should_stop)
        ensure_space(final_path.parent, 0, 0)
        place(media, final_path)
    except (DownloadCancelled, CorruptDownload):
        # Cancelled: the user wants it gone. Corrupt: the bytes are bad, so the retry must
        # start from scratch rather than resume into the same damage.
        discard_partial(work_dir)
        raise
    finally:
        job.session.close()
    discard_partial(work_dir)
    size = final_path.stat().st_size
    job.reporter.tick(job.transfer.downloaded, job.transfer.downloaded, force=True)
    logger.info("download done path=%s bytes=%s duration=%s", final_path, size, duration)
    return DownloadResult(final_path, size, duration)


def discard_partial(work_dir: Path) -> None:
    """Delete a download's partial data (cancel, corrupt result or crash clean-up)."""
    shutil.rmtree(work_dir, ignore_errors=True)


class _Job:
    """One run of one download: the shared transfer state and its HTTP session."""

    def __init__(
        self, stream: Stream, work_dir: Path, settings: DownloadSettings, reporter: Reporter
    ) -> None:
        self.stream, self.work_dir, self.settings, self.reporter = (
            stream,
            work_dir,
            settings,
            reporter,
        )
        self.transfer = Transfer(settings)
        self.session: requests.Session = new_session(stream.headers, settings.hls_concurrency)

    def run(self, should_stop: ShouldStop) -> tuple[Path, float]:
        """Fetch and validate; return the file to place and its duration."""
        if self.stream.kind is StreamKind.HLS:
            return self._hls(should_stop)
        return self._mp4(should_stop)

    def _parallel(
        self, tasks: list[Callable[[], T]], workers: int, should_stop: ShouldStop
    ) -> list[T]:
        """Run tasks on worker threads while this thread watches stops, stalls, progress."""
        pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="download")
        futures = [pool.submit(task) for task in tasks]
        try:
            watch(futures, self.transfer, self.reporter, should_stop)  # type: ignore[arg-type]
        except BaseException:
            self.transfer.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            wait(futures, timeout=JOIN_GRACE)
            raise
        pool.shutdown(wait=True)
        return [future.result() for future in futures]

    def _mp4(self, should_stop: ShouldStop) -> tuple[Path, float]:
        fetch = partial(mp4.fetch, self.stream.url, self.work_dir, self.session, self.transfer)
        (part,) = self._parallel([fetch], 1, should_stop)
        duration, fmt = probe(part)
        _check_duration(duration, self.stream.expected_duration)
        if self.settings.container == "mp4" and "mp4" in fmt:
            return part, duration
        out = self.work_dir / f"out.{self.settings.container}"
        remux(part, out)
        return out, probe(out)[0]

    def _hls(self, should_stop: ShouldStop) -> tuple[Path, float]:
        fetch = partial(hls.fetch_tracks, self.stream.url, self.session, self.transfer,
                        self.settings.audio_language)
        (tracks,) = self._parallel([fetch], 1, should_stop)
        todo, tally = hls.pending(self.work_dir, tracks, self.transfer)
        fetcher = hls.SegmentFetcher(self.work_dir, self.session, self.transfer, tally)
        tasks = [partial(fetcher.fetch, track, index) for track, index in todo]
        self._parallel(tasks, self.settings.hls_concurrency, should_stop)
        logger.info("hls segments done tracks=%s fetched=%s", len(tracks), len(todo))
        inputs = [self._join(track) for track in tracks]
        ensure_space(self.work_dir, self.transfer.downloaded, self.settings.disk_reserve_bytes)
        out = self.work_dir / f"out.{self.settings.container}"
        audio = tracks[1] if len(tracks) > 1 else None
        remux(inputs[0], out, audio=inputs[1] if audio else None,
              audio_language=iso639_2(audio.language) if audio else "")
        duration = probe(out)[0]
        _check_duration(duration, sum(part.duration for part in tracks[0].parts))
        return out, duration

    def _join(self, track: hls.Track) -> Path:
        """One input for ffmpeg per track: a local playlist (TS) or init + fragments (fMP4)."""
        names = [hls.segment_name(track, i) for i in range(len(track.parts))]
        if not track.fmp4:
            local = self.work_dir / f"{track.name}.m3u8"
            local.write_text(local_playlist(track.parts, names))
            return local
        joined = self.work_dir / f"{track.name}.mp4"
        with joined.open("wb") as out:
            for name in names:
                with (self.work_dir / name).open("rb") as part:
                    shutil.copyfileobj(part, out)
        return joined


def _check_duration(actual: float, expected: float | None) -> None:
    """CorruptDownload unless ``actual`` is within 2 s or 2 % of ``expected``."""
    if expected is None or expected <= 0:
        return
    if abs(actual - expected) > max(2.0, 0.02 * expected):
        raise CorruptDownload(Phrase(
            "the video lasts %(actual)s s but should last %(expected)s s; "
            "it will be downloaded again",
            actual=Number(actual, 1), expected=Number(expected, 1),
        ))
