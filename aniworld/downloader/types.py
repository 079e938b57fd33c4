"""Value types of the download engine's public API."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from aniworld.downloader.ratelimit import RateLimiter


@dataclass(frozen=True)
class Progress:
    """A progress report: bytes so far, total (or estimate), smoothed speed and ETA."""

    downloaded_bytes: int
    total_bytes: int | None
    speed: float | None
    eta_seconds: int | None


@dataclass(frozen=True)
class DownloadSettings:
    """Knobs of one download; defaults suit a home server."""

    container: str = "mp4"
    stall_timeout: float = 60.0
    disk_reserve_bytes: int = 2 * 1024**3
    # HLS segments in flight per download. Six is what one browser opens to one host over
    # HTTP/1.1, so a hoster sees no more than a viewer would; hosters throttle or ban clients
    # that open many more (their tokenised URLs are bound to our IP). Six is ~4x a single
    # stream (ffmpeg -i) in bench.download, 4 only 2.8-3.2x; PEER (aniworld 5.3) uses 8.
    hls_concurrency: int = 6
    chunk_size: int = 256 * 1024
    allow_private_hosts: bool = False
    rate_limiter: RateLimiter | None = None
    progress_interval: float = 1.0
    # ISO 639-2 code (deu/eng/jpn) choosing among separate HLS audio renditions.
    audio_language: str = ""

    def __post_init__(self) -> None:
        if self.container not in {"mp4", "mkv"}:
            raise ValueError(f"container must be mp4 or mkv, not {self.container!r}")


class StopRequested(Enum):
    """What the caller wants when it interrupts a download."""

    CANCEL = "cancel"
    PAUSE = "pause"


@dataclass(frozen=True)
class DownloadResult:
    """The finished file in the library."""

    path: Path
    size_bytes: int
    duration_seconds: float | None
