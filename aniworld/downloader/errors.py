"""Typed download failures; ``transient`` tells the job whether retrying can help."""

from __future__ import annotations

from aniworld.errors import AniworldError


class DownloadError(AniworldError):
    """Base of every download failure."""

    code = "download_error"
    status = 502
    transient = True


class MediaUnavailable(DownloadError):
    """The media server refused the request (4xx) or the URL is not allowed."""

    code = "media_unavailable"
    transient = False


class UnsupportedStream(MediaUnavailable):
    """The hoster serves an HLS form the downloader cannot fetch (SAMPLE-AES, byte ranges).

    Subclass of MediaUnavailable, so the runner moves on to the next hoster.
    """

    code = "unsupported_stream"


class BadStreamKey(MediaUnavailable):
    """The AES-128 key of an HLS stream is not 16 bytes; the stream cannot be decrypted."""

    code = "bad_stream_key"


class MediaLinkExpired(MediaUnavailable):
    """The media server refused a link that worked earlier in the same download.

    Hoster CDNs sign media URLs for a few hours and one client IP (VOE: ``e=14400``), so a
    refusal after the link delivered is its expiry: resolving the hoster again gives a fresh
    link and the download resumes. Transient, unlike the refusal of a link from the start.
    """

    code = "media_link_expired"
    transient = True


class MediaServerError(DownloadError):
    """The media server failed (5xx) or the network dropped; retrying later may work."""

    code = "media_server_error"


class StalledDownload(DownloadError):
    """No bytes arrived for the stall timeout."""

    code = "download_stalled"


class CorruptDownload(DownloadError):
    """The finished file did not pass the integrity check; it was deleted."""

    code = "download_corrupt"


class InsufficientDiskSpace(DownloadError):
    """The library's filesystem is (or would become) too full."""

    code = "insufficient_disk_space"
    status = 507
    transient = False


class DownloadStopped(DownloadError):
    """The user stopped the download (cancel or pause); not a failure, never retried."""

    code = "download_stopped"
    status = 409
    transient = False


class DownloadCancelled(DownloadStopped):
    """The user cancelled; partial data was deleted."""

    code = "download_cancelled"


class DownloadPaused(DownloadStopped):
    """The user paused; partial data was kept for a later resume."""

    code = "download_paused"


class FfmpegMissing(DownloadError):
    """No ffmpeg binary could be found."""

    code = "ffmpeg_missing"
    status = 500
    transient = False
