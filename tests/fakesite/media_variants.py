"""Real media for the HLS variants hosters serve (reference §6, §9 items 29–32).

Built from a language's ``video.mp4`` (media_files) with ffmpeg, cached like the rest:
fMP4 segments behind an ``EXT-X-MAP`` init section, and a video-only stream with audio-only
renditions in two languages. Encryption, disguises and byte ranges are applied on the fly
by ``hosters/hls_variants.py`` to the plain MPEG-TS segments.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from tests.fakesite import media_files

# Audio renditions: LANGUAGE tag -> the language variant whose sound it carries. Japanese
# audio is the original of the "Sub" variants (reference §5.3).
AUDIO_SOURCES = {"de": "german-dub", "ja": "german-sub"}


def fmp4_dir(language: str) -> Path:
    """``index.m3u8`` (with ``EXT-X-MAP``), ``init.mp4`` and ``seg-<n>.m4s`` of a language."""
    source = media_files.language_dir(language) / "video.mp4"
    return _cached(f"{media_files.look_for(language).label}-fmp4", lambda work: _hls(
        ["-i", str(source), "-c", "copy", "-hls_segment_type", "fmp4",
         "-hls_fmp4_init_filename", "init.mp4"], work, "m4s"))


def audio_dirs(language: str) -> dict[str, Path]:
    """``video`` (video only) and one audio-only HLS set per ``AUDIO_SOURCES`` tag."""
    video = media_files.language_dir(language) / "video.mp4"
    dirs = {"video": _cached(f"{media_files.look_for(language).label}-video-only",
                             lambda work: _hls(["-i", str(video), "-map", "0:v", "-c", "copy"],
                                               work, "ts"))}
    for tag, source_language in AUDIO_SOURCES.items():
        source = media_files.language_dir(source_language) / "video.mp4"
        dirs[tag] = _cached(f"{media_files.look_for(source_language).label}-audio-only",
                            lambda work, s=source: _hls(["-i", str(s), "-map", "0:a", "-c", "copy"],
                                                        work, "ts"))
    return dirs


def _hls(args: list[str], out_dir: Path, extension: str) -> None:
    args = [*args, "-f", "hls", "-hls_time", "1", "-hls_list_size", "0"]
    args += ["-hls_segment_filename", str(out_dir / f"seg-%d.{extension}")]
    media_files.run_ffmpeg([*args, str(out_dir / "index.m3u8")])


def _cached(name: str, build: Callable[[Path], None]) -> Path:
    target = media_files.cache_root() / name
    with media_files._lock:
        if (target / "done").exists():
            return target
        work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=media_files.cache_root()))
        try:
            build(work)
            (work / "done").touch()
            shutil.rmtree(target, ignore_errors=True)
            os.replace(work, target)  # atomic: a half-built set is never visible
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def encrypt(data: bytes, key: bytes, iv: bytes) -> bytes:
    """AES-128-CBC with PKCS#7 padding, as an HLS packager encrypts a segment."""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()
