"""What a hoster extractor hands to the downloader: where the media is and how to ask for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class StreamKind(StrEnum):
    """How the media is delivered."""

    HLS = "hls"
    MP4 = "mp4"


@dataclass(frozen=True)
class Stream:
    """A resolved media URL plus the request headers the download must send.

    Media URLs are short-lived and bound to the client that extracted them (same IP and
    User-Agent), so a Stream is resolved right before downloading and never stored.
    """

    url: str
    kind: StreamKind
    headers: dict[str, str] = field(default_factory=dict)
    hoster: str = ""
    expected_bytes: int | None = None
    expected_duration: float | None = None
