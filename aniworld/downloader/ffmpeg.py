"""Locate ffmpeg, probe a file's duration and remux without re-encoding."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

from aniworld.downloader.disk import no_space
from aniworld.downloader.errors import CorruptDownload, FfmpegMissing
from aniworld.phrases import Phrase

logger = logging.getLogger(__name__)

_FORMAT = re.compile(r"^Input #0, ([^,]+(?:,[^,]+)*?), from ", re.MULTILINE)
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
PROBE_TIMEOUT = 60
REMUX_TIMEOUT = 3600


@cache
def ffmpeg_path() -> str:
    """``ffmpeg`` on PATH, else the binary of imageio-ffmpeg; FfmpegMissing if neither."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as exc:
        raise FfmpegMissing(Phrase(
            "ffmpeg was not found; install it (e.g. apt install ffmpeg) or pip install "
            "imageio-ffmpeg"
        )) from exc


def _run(args: list[str], timeout: int) -> subprocess.CompletedProcess[str]:
    command = [ffmpeg_path(), "-hide_banner", "-nostdin", *args]
    try:
        return subprocess.run(
            command, capture_output=True, text=True, errors="replace", timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # A hung ffmpeg is treated like a damaged file: start over, later.
        raise CorruptDownload(Phrase(
            "ffmpeg did not finish within %(timeout)ss; the download will be retried",
            timeout=timeout,
        )) from None


def probe(path: Path) -> tuple[float, str]:
    """(duration in seconds, demuxer names) of a file; CorruptDownload if it does not open."""
    # Without an output ffmpeg exits 1 after printing the input's header, which is all we need.
    result = _run(["-i", str(path)], PROBE_TIMEOUT)
    match = _DURATION.search(result.stderr)
    if match is None or "Stream #" not in result.stderr:
        logger.info("probe failed path=%s stderr=%s", path, result.stderr[-300:])
        raise CorruptDownload(Phrase(
            "the downloaded file %(name)s is not a playable video; it will be downloaded again",
            name=path.name,
        ))
    hours, minutes, seconds = match.groups()
    fmt = _FORMAT.search(result.stderr)
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds), fmt[1] if fmt else ""


def remux(
    source: Path, target: Path, *, audio: Path | None = None, audio_language: str = ""
) -> None:
    """Copy the streams of ``source`` into ``target``'s container (``-c copy``).

    With ``audio``, the video comes from ``source`` and the sound from ``audio`` (a separate
    HLS audio rendition), tagged ``audio_language``. ``.m3u8`` inputs are read as HLS.
    """
    args = ["-v", "error", "-y", *_input(source)]
    if audio is None:
        # Data and subtitle streams in MPEG-TS (ID3 tags, DVB subs) do not fit MP4: A/V only.
        args += ["-map", "0:v?", "-map", "0:a?"]
    else:
        args += [*_input(audio), "-map", "0:v", "-map", "1:a"]
        if audio_language:
            args += ["-metadata:s:a:0", f"language={audio_language}"]
    args += ["-dn", "-sn", "-c", "copy"]
    if target.suffix == ".mp4":
        args += ["-movflags", "+faststart"]
    result = _run([*args, str(target)], REMUX_TIMEOUT)
    if result.returncode == 0:
        return
    target.unlink(missing_ok=True)
    if "No space left on device" in result.stderr:
        raise no_space(str(target))
    logger.info("remux failed source=%s stderr=%s", source, result.stderr[-500:])
    raise CorruptDownload(Phrase(
        "ffmpeg could not remux %(name)s (%(output)s); it will be downloaded again",
        name=source.name, output=result.stderr.strip()[-200:],
    ))


def _input(path: Path) -> list[str]:
    if path.suffix == ".m3u8":
        return ["-f", "hls", "-allowed_extensions", "ALL", "-i", str(path)]
    return ["-i", str(path)]
