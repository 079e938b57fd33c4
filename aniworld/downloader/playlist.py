"""M3U8 parsing: master playlists (variants, audio renditions) and media playlists (segments).

Supported: MPEG-TS and fMP4 (``EXT-X-MAP``) segments, AES-128 keys (``EXT-X-KEY``).
SAMPLE-AES (and other key methods or formats), byte-range, I-frame-only and live playlists
(no ``EXT-X-ENDLIST``) raise UnsupportedStream, which sends the download on to the next
hoster. ``EXT-X-I-FRAME-STREAM-INF`` entries of a master are trick-play tracks, never chosen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from aniworld.downloader.errors import MediaUnavailable, UnsupportedStream
from aniworld.phrases import Phrase

_ATTR = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')
_IV = re.compile(r"^0[xX]([0-9a-fA-F]{1,32})$")
_RESOLUTION = re.compile(r"^(\d+)[xX](\d+)$")
# Tags a rendition may carry per language (ISO 639-2 code of the wanted audio first).
_LANGUAGE_TAGS = {"deu": ("de", "ger", "deu"), "eng": ("en", "eng"), "jpn": ("ja", "jp", "jpn")}
_NAME_HINTS = {"deu": ("german", "deutsch"), "eng": ("english",), "jpn": ("japanese", "japanisch")}


@dataclass(frozen=True)
class Variant:
    """One ``#EXT-X-STREAM-INF`` entry; ``audio`` is its ``AUDIO`` group id, if any."""

    url: str
    bandwidth: int
    audio: str = ""
    pixels: int = 0  # width x height of RESOLUTION, 0 when not given


@dataclass(frozen=True)
class Rendition:
    """One ``#EXT-X-MEDIA:TYPE=AUDIO`` entry with its own playlist."""

    url: str
    language: str
    name: str
    default: bool


@dataclass(frozen=True)
class Key:
    """An AES-128 key: where to fetch it and the explicit IV, if the playlist gives one."""

    url: str
    iv: bytes | None = None


@dataclass(frozen=True)
class Segment:
    """One media segment, or (``init``) the fMP4 initialisation section of ``EXT-X-MAP``."""

    url: str
    duration: float
    discontinuity: bool = False
    key: Key | None = None
    sequence: int = 0
    init: bool = False

    @property
    def iv(self) -> bytes:
        """The AES IV: explicit, else the media sequence number as 16 bytes big-endian."""
        if self.key is not None and self.key.iv is not None:
            return self.key.iv
        return self.sequence.to_bytes(16, "big")


def attributes(line: str) -> dict[str, str]:
    """Attribute list of a tag line, quotes removed."""
    _, _, rest = line.partition(":")
    return {key: value.strip('"') for key, value in _ATTR.findall(rest)}


def is_master(text: str) -> bool:
    """True for a multi-variant (master) playlist."""
    return "#EXT-X-STREAM-INF" in text


def _check_header(text: str) -> None:
    if not text.lstrip("\ufeff").startswith("#EXTM3U"):
        raise MediaUnavailable(Phrase(
            "the media link did not return an HLS playlist; another hoster will be tried"
        ))


def _lines(text: str) -> list[str]:
    return [line for line in (raw.strip() for raw in text.splitlines()) if line]


def best_variant(text: str, base_url: str) -> Variant:
    """The highest-bandwidth variant of a master playlist (ties: the higher resolution).

    Only ``EXT-X-STREAM-INF`` lines followed by a URI count: an ``EXT-X-I-FRAME-STREAM-INF``
    line carries its URI as an attribute and names a keyframes-only trick-play playlist.
    """
    _check_header(text)
    variants: list[Variant] = []
    pending: dict[str, str] | None = None
    for line in _lines(text):
        if line.startswith("#EXT-X-STREAM-INF:"):
            pending = attributes(line)
        elif not line.startswith("#") and pending is not None:
            variants.append(_variant(urljoin(base_url, line), pending))
            pending = None
    if not variants:
        raise MediaUnavailable(Phrase(
            "the HLS master playlist lists no streams; another hoster will be tried"
        ))
    return max(variants, key=lambda variant: (variant.bandwidth, variant.pixels))


def _variant(url: str, found: dict[str, str]) -> Variant:
    bandwidth = found.get("BANDWIDTH", "")
    size = _RESOLUTION.match(found.get("RESOLUTION", ""))
    pixels = int(size[1]) * int(size[2]) if size else 0
    return Variant(url, int(bandwidth) if bandwidth.isdigit() else 0, found.get("AUDIO", ""),
                   pixels)


def audio_rendition(text: str, base_url: str, group: str, language: str) -> Rendition | None:
    """The separate audio playlist of ``group`` that best fits ``language`` (ISO 639-2).

    Order: LANGUAGE tag, then a NAME hint, then ``DEFAULT=YES``, then the first. None when
    the group has no rendition with its own URI (the audio is muxed into the video).
    """
    renditions = [
        Rendition(urljoin(base_url, found["URI"]), found.get("LANGUAGE", "").lower(),
                  found.get("NAME", "").lower(), found.get("DEFAULT") == "YES")
        for found in (attributes(line) for line in _lines(text)
                      if line.startswith("#EXT-X-MEDIA:"))
        if found.get("TYPE") == "AUDIO" and found.get("GROUP-ID") == group and found.get("URI")
    ]
    tags, hints = _LANGUAGE_TAGS.get(language, ()), _NAME_HINTS.get(language, ())
    tests = (
        lambda r: r.language.split("-")[0] in tags,
        lambda r: any(hint in r.name for hint in hints),
        lambda r: r.default,
        lambda r: True,
    )
    for test in tests:
        if chosen := next((r for r in renditions if test(r)), None):
            return chosen
    return None


def iso639_2(tag: str) -> str:
    """``deu``/``eng``/``jpn`` for a rendition's LANGUAGE tag (``de``, ``ja-JP``…), else the tag."""
    first = tag.lower().split("-")[0]
    return next((code for code, tags in _LANGUAGE_TAGS.items() if first in tags), tag)


def segments(text: str, base_url: str) -> list[Segment]:
    """Segments of a media playlist, the fMP4 init section first; UnsupportedStream if needed."""
    _check_header(text)
    parser = _MediaParser(base_url)
    for line in _lines(text):
        parser.feed(line)
    if not any(not part.init for part in parser.found):
        raise MediaUnavailable(
            Phrase("the HLS playlist has no segments; another hoster will be tried")
        )
    if not parser.complete:
        # A live playlist keeps growing (or slides): fetching it would never end, or save a
        # cut-off stream as if it were the episode.
        raise _unsupported(Phrase("a live playlist (no EXT-X-ENDLIST)"))
    return parser.found


class _MediaParser:
    """Walks a media playlist line by line, carrying key, sequence and flags forward."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.found: list[Segment] = []
        self.duration, self.discontinuity = 0.0, False
        self.key: Key | None = None
        self.sequence = 0
        # ENDLIST, or a VOD playlist type (cannot change) that omits it.
        self.complete = False

    def feed(self, line: str) -> None:
        """Take one non-empty line of the playlist."""
        if line == "#EXT-X-ENDLIST" or line == "#EXT-X-PLAYLIST-TYPE:VOD":
            self.complete = True
        elif line == "#EXT-X-I-FRAMES-ONLY":
            raise _unsupported(Phrase("an I-frame-only (trick-play) playlist"))
        elif line.startswith("#EXTINF:"):
            self.duration = float(line[8:].split(",")[0] or 0)
        elif line == "#EXT-X-DISCONTINUITY":
            self.discontinuity = True
        elif line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            self.sequence = int(line.partition(":")[2] or 0)
        elif line.startswith("#EXT-X-KEY"):
            self.key = _key(line, self.base_url)
        elif line.startswith("#EXT-X-MAP"):
            self._map(line)
        elif line.startswith("#EXT-X-BYTERANGE"):
            raise _unsupported(Phrase("byte-range segments (EXT-X-BYTERANGE)"))
        elif not line.startswith("#"):
            url = urljoin(self.base_url, line)
            self.found.append(Segment(url, self.duration, self.discontinuity, self.key,
                                      self.sequence))
            self.duration, self.discontinuity = 0.0, False
            self.sequence += 1

    def _map(self, line: str) -> None:
        found = attributes(line)
        if "BYTERANGE" in found:
            raise _unsupported(
                Phrase("a byte-range initialisation section (EXT-X-MAP BYTERANGE)")
            )
        if self.found:
            # Only one init section, ahead of every segment, can be joined into one file.
            raise _unsupported(Phrase("more than one initialisation section (EXT-X-MAP)"))
        url = urljoin(self.base_url, found.get("URI", ""))
        self.found.append(Segment(url, 0.0, key=self.key, sequence=self.sequence, init=True))


def _key(line: str, base_url: str) -> Key | None:
    found = attributes(line)
    method = found.get("METHOD", "NONE")
    if method == "NONE":
        return None
    if method != "AES-128" or found.get("KEYFORMAT", "identity") != "identity":
        raise _unsupported(Phrase("%(method)s encryption", method=method))
    iv = None
    if "IV" in found:
        match = _IV.match(found["IV"])
        if match is None:
            raise _unsupported(Phrase("an unreadable AES IV (%(iv)s)", iv=found["IV"][:40]))
        iv = int(match[1], 16).to_bytes(16, "big")
    return Key(urljoin(base_url, found.get("URI", "")), iv)


def _unsupported(what: Phrase) -> UnsupportedStream:
    return UnsupportedStream(Phrase(
        "this HLS stream uses %(what)s, which cannot be downloaded; another hoster will be tried",
        what=what,
    ))


def local_playlist(parts: list[Segment], names: list[str]) -> str:
    """A playlist over downloaded MPEG-TS segment files, for ffmpeg to join."""
    target = max(1, round(max(part.duration for part in parts)))
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{target}"]
    lines.append("#EXT-X-MEDIA-SEQUENCE:0")
    for part, name in zip(parts, names, strict=True):
        if part.discontinuity:
            lines.append("#EXT-X-DISCONTINUITY")
        lines += [f"#EXTINF:{part.duration:.6f},", name]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])
