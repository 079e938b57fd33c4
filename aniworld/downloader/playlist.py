"""Minimal M3U8 parsing: master playlists (variants) and media playlists (segments)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from aniworld.downloader.errors import MediaUnavailable

_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


@dataclass(frozen=True)
class Variant:
    """One ``#EXT-X-STREAM-INF`` entry."""

    url: str
    bandwidth: int


@dataclass(frozen=True)
class Segment:
    """One media segment."""

    url: str
    duration: float
    discontinuity: bool = False


def attributes(line: str) -> dict[str, str]:
    """Attribute list of a tag line, quotes removed."""
    _, _, rest = line.partition(":")
    return {key: value.strip('"') for key, value in _ATTR.findall(rest)}


def is_master(text: str) -> bool:
    """True for a multi-variant (master) playlist."""
    return "#EXT-X-STREAM-INF" in text


def _check_header(text: str) -> None:
    if not text.lstrip("\ufeff").startswith("#EXTM3U"):
        raise MediaUnavailable(
            "the media link did not return an HLS playlist; another hoster will be tried"
        )


def best_variant(text: str, base_url: str) -> Variant:
    """The highest-bandwidth variant of a master playlist."""
    _check_header(text)
    variants: list[Variant] = []
    pending: dict[str, str] | None = None
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("#EXT-X-STREAM-INF"):
            pending = attributes(line)
        elif line and not line.startswith("#") and pending is not None:
            bandwidth = int(pending.get("BANDWIDTH", "0") or 0)
            variants.append(Variant(urljoin(base_url, line), bandwidth))
            pending = None
    if not variants:
        raise MediaUnavailable(
            "the HLS master playlist lists no streams; another hoster will be tried"
        )
    return max(variants, key=lambda variant: variant.bandwidth)


def segments(text: str, base_url: str) -> list[Segment]:
    """Segments of a media playlist; MediaUnavailable for encrypted or fMP4 streams."""
    _check_header(text)
    found: list[Segment] = []
    duration, discontinuity = 0.0, False
    for line in (raw.strip() for raw in text.splitlines()):
        if line.startswith("#EXTINF:"):
            duration = float(line[8:].split(",")[0] or 0)
        elif line.startswith("#EXT-X-DISCONTINUITY"):
            discontinuity = True
        elif line.startswith(("#EXT-X-KEY", "#EXT-X-MAP")):
            _refuse_unsupported(line)
        elif line and not line.startswith("#"):
            found.append(Segment(urljoin(base_url, line), duration, discontinuity))
            duration, discontinuity = 0.0, False
    if not found:
        raise MediaUnavailable("the HLS playlist has no segments; another hoster will be tried")
    return found


def _refuse_unsupported(line: str) -> None:
    if line.startswith("#EXT-X-KEY") and attributes(line).get("METHOD", "NONE") == "NONE":
        return
    raise MediaUnavailable(
        f"this HLS stream uses {line.split(':')[0][1:]} (encryption or fMP4), which is not "
        "supported yet; another hoster will be tried"
    )


def local_playlist(parts: list[Segment], names: list[str]) -> str:
    """A playlist over downloaded segment files, for ffmpeg to join."""
    target = max(1, round(max(part.duration for part in parts)))
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}"]
    lines.append("#EXT-X-MEDIA-SEQUENCE:0")
    for part, name in zip(parts, names, strict=True):
        if part.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines += [f"#EXTINF:{part.duration:.6f},", name]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])
