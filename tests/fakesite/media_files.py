"""Real media for the fake hosters, generated once with ffmpeg and cached under the temp dir.

Each language variant gets its own tone pitch and burned-in label ("GerDub", "GerSub", ...),
because "Sub" streams are hard-subbed video (reference §5.3, §7.6). Big files for the
benchmark are padded or generated lazily, on first request.
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

logger = logging.getLogger(__name__)

CACHE_VERSION = "v1"
DURATION = 4  # seconds; HLS segments are 1 s, so 4 segments per variant
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass(frozen=True)
class Look:
    """How one language variant looks and sounds."""

    label: str
    tone_hz: int
    colour: str


LOOKS: dict[str, Look] = {
    "german-dub": Look("GerDub", 440, "red"),
    "german-sub": Look("GerSub", 550, "green"),
    "english-sub": Look("EngSub", 660, "blue"),
    "english-dub": Look("EngDub", 770, "yellow"),
}
VARIANTS = {"hi": ("640x360", 900_000), "lo": ("320x180", 400_000)}

_lock = threading.RLock()  # big_mp4 builds its seed under the same lock


def ffmpeg_exe() -> str:
    """``ffmpeg`` on PATH, else the binary shipped with imageio-ffmpeg."""
    return shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()


def cache_root() -> Path:
    """Directory holding the generated media (shared by test sessions)."""
    root = Path(tempfile.gettempdir()) / f"aniworld-fakesite-media-{CACHE_VERSION}"
    root.mkdir(parents=True, exist_ok=True)
    return root


def look_for(language: str) -> Look:
    """The look of a language variant (unknown languages look like German dub)."""
    return LOOKS.get(language, LOOKS["german-dub"])


def language_dir(language: str) -> Path:
    """Directory with ``video.mp4`` and ``hi/``, ``lo/`` HLS sets of one language."""
    look = look_for(language)
    target = cache_root() / look.label
    with _lock:
        if not (target / "done").exists():
            _build(look, target)
    return target


def _build(look: Look, target: Path) -> None:
    work = Path(tempfile.mkdtemp(prefix=f"{look.label}-", dir=cache_root()))
    try:
        _encode(look, "640x360", work / "video.mp4", faststart=True)
        for name, (size, _) in VARIANTS.items():
            encoded = work / f"{name}.mp4"
            _encode(look, size, encoded, faststart=False)
            _segment(encoded, work / name)
            encoded.unlink()
        (work / "done").touch()
        shutil.rmtree(target, ignore_errors=True)
        os.replace(work, target)  # atomic: a half-built set is never visible
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("fakesite media generated label=%s dir=%s", look.label, target)


def _video_filter(look: Look, size: str) -> tuple[str, str]:
    """Source and filter: a test pattern with the label, or a plain colour without a font."""
    if FONT.exists():
        text = f"drawtext=fontfile={FONT}:text={look.label}:fontsize=28:fontcolor=white:x=10:y=10"
        return f"testsrc2=size={size}:rate=25:duration={DURATION}", text
    return f"color=c={look.colour}:size={size}:rate=25:duration={DURATION}", "null"


def _encode(look: Look, size: str, out: Path, *, faststart: bool) -> None:
    source, vfilter = _video_filter(look, size)
    args = ["-f", "lavfi", "-i", source, "-f", "lavfi"]
    args += ["-i", f"sine=frequency={look.tone_hz}:duration={DURATION}", "-vf", vfilter]
    # A keyframe every second so the HLS segmenter can cut 1 s segments.
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25"]
    args += ["-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k", "-shortest"]
    if faststart:
        args += ["-movflags", "+faststart"]
    run_ffmpeg([*args, str(out)])


def _segment(source: Path, out_dir: Path) -> None:
    out_dir.mkdir()
    args = ["-i", str(source), "-c", "copy", "-f", "hls", "-hls_time", "1"]
    args += ["-hls_list_size", "0", "-hls_segment_filename", str(out_dir / "seg-%d.ts")]
    run_ffmpeg([*args, str(out_dir / "index.m3u8")])


def run_ffmpeg(args: list[str]) -> None:
    """Run ffmpeg quietly; raise with its error output on failure."""
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "error", "-y", *args]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {result.stderr.strip()[-800:]}")


def big_mp4(size: int) -> Path:
    """A real MP4 padded with a trailing ``free`` box to exactly ``size`` bytes (sparse)."""
    path = cache_root() / f"big-{size}.mp4"
    with _lock:
        if path.exists():
            return path
        seed = (language_dir("german-dub") / "video.mp4").read_bytes()
        padding = size - len(seed)
        if padding < 16:
            raise ValueError(f"size must exceed {len(seed) + 16} bytes")
        partial = path.with_suffix(".tmp")
        with partial.open("wb") as out:
            out.write(seed)
            # 64-bit box: size field 1, then type, then the real size; ffmpeg skips it.
            out.write(struct.pack(">I4sQ", 1, b"free", padding))
            out.truncate(size)  # the rest is a hole: no disk blocks, reads as zeros
        os.replace(partial, path)
    return path


def big_hls(segments: int) -> Path:
    """Directory with ``index.m3u8`` and ``seg-<n>.ts``: a real ``segments``-second stream."""
    target = cache_root() / f"hls-big-{segments}"
    with _lock:
        if (target / "done").exists():
            return target
        work = Path(tempfile.mkdtemp(prefix="hls-big-", dir=cache_root()))
        try:
            args = ["-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=10:duration={segments}"]
            args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={segments}"]
            args += ["-c:v", "libx264", "-preset", "ultrafast", "-g", "10", "-keyint_min", "10"]
            args += ["-sc_threshold", "0", "-c:a", "aac", "-b:a", "32k", "-f", "hls"]
            args += ["-hls_time", "1", "-hls_list_size", "0"]
            args += ["-hls_segment_filename", str(work / "seg-%d.ts"), str(work / "index.m3u8")]
            run_ffmpeg(args)
            (work / "done").touch()
            shutil.rmtree(target, ignore_errors=True)
            os.replace(work, target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target


def corrupt_file() -> Path:
    """64 KiB of bytes that no demuxer accepts as a video."""
    path = cache_root() / "corrupt.mp4"
    if not path.exists():
        partial = path.with_suffix(".tmp")
        partial.write_bytes(b"\x00\x00\x00\x08junk" + bytes(range(256)) * 256)
        os.replace(partial, path)
    return path


def remove_big_files() -> None:
    """Delete the padded big MP4s (the benchmark cleans up after itself)."""
    for path in cache_root().glob("big-*.mp4"):
        path.unlink(missing_ok=True)
