"""Download engine: bytes to files with resume, validation and atomic placement; no DB."""

from aniworld.downloader.engine import discard_partial, download
from aniworld.downloader.errors import (
    BadStreamKey,
    CorruptDownload,
    DownloadCancelled,
    DownloadError,
    DownloadPaused,
    DownloadStopped,
    FfmpegMissing,
    InsufficientDiskSpace,
    MediaLinkExpired,
    MediaServerError,
    MediaUnavailable,
    StalledDownload,
    UnsupportedStream,
)
from aniworld.downloader.ratelimit import RateLimiter, TokenBucket
from aniworld.downloader.types import DownloadResult, DownloadSettings, Progress, StopRequested

__all__ = [
    "BadStreamKey",
    "CorruptDownload",
    "DownloadCancelled",
    "DownloadError",
    "DownloadPaused",
    "DownloadResult",
    "DownloadSettings",
    "DownloadStopped",
    "FfmpegMissing",
    "InsufficientDiskSpace",
    "MediaLinkExpired",
    "MediaServerError",
    "MediaUnavailable",
    "Progress",
    "RateLimiter",
    "StalledDownload",
    "StopRequested",
    "TokenBucket",
    "UnsupportedStream",
    "discard_partial",
    "download",
]
