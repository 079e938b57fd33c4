"""Download engine: bytes to files with resume, validation and atomic placement; no DB."""

from aniworld.downloader.engine import discard_partial, download
from aniworld.downloader.errors import (
    CorruptDownload,
    DownloadCancelled,
    DownloadError,
    DownloadPaused,
    DownloadStopped,
    FfmpegMissing,
    InsufficientDiskSpace,
    MediaServerError,
    MediaUnavailable,
    StalledDownload,
)
from aniworld.downloader.ratelimit import RateLimiter, TokenBucket
from aniworld.downloader.types import DownloadResult, DownloadSettings, Progress, StopRequested

__all__ = [
    "CorruptDownload",
    "DownloadCancelled",
    "DownloadError",
    "DownloadPaused",
    "DownloadResult",
    "DownloadSettings",
    "DownloadStopped",
    "FfmpegMissing",
    "InsufficientDiskSpace",
    "MediaServerError",
    "MediaUnavailable",
    "Progress",
    "RateLimiter",
    "StalledDownload",
    "StopRequested",
    "TokenBucket",
    "discard_partial",
    "download",
]
