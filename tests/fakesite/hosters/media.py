"""Real media behind the fake hosters: HLS (master + 2 variants + .ts) and MP4 with Range.

Media bytes (segments, MP4) demand a non-empty User-Agent and a Referer from the hoster
server, else 403, as real CDNs do. Playlists only demand the User-Agent, so a bare
``requests.get`` of the master playlist still works. Faults: the shared fault set
(``status`` 410/5xx, ``truncate``, ``slow`` with ``server="hoster"``) plus
``stall_media`` below for a body that stops mid-way.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.fakesite import media_files
from tests.fakesite.blocks import Response
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext
from tests.fakesite.httpbase import Request

_HLS = re.compile(r"^/engine/hls2/([a-z0-9-]+)/(?:(hi|lo)/)?(master|index)\.m3u8$")
_SEGMENT = re.compile(r"^/engine/hls2/([a-z0-9-]+)/(hi|lo)/seg-(\d+)\.ts$")
_MP4 = re.compile(r"^/media/([a-z0-9]+)/video\.mp4$")
_BIG_MP4 = re.compile(r"^/media/big-(\d+)\.mp4$")
_BIG_HLS = re.compile(r"^big-(\d+)$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CORRUPT_CODE = "corrupt"
MAX_BIG = 8 * 1024**3
PLAYLIST = "application/vnd.apple.mpegurl"


@dataclass
class _Stall:
    prefix: str
    after_bytes: int
    seconds: float
    times: int | None
    hits: int = 0


_stalls: list[_Stall] = []
_stall_lock = threading.Lock()


def stall_media(prefix: str, after_bytes: int, seconds: float, times: int | None = None) -> None:
    """Make media under ``prefix`` send ``after_bytes`` bytes, then go silent for ``seconds``."""
    with _stall_lock:
        _stalls.append(_Stall(prefix, after_bytes, seconds, times))


def clear_media_faults() -> None:
    """Remove every stall set with ``stall_media``."""
    with _stall_lock:
        _stalls.clear()


def _stall_for(path: str) -> _Stall | None:
    with _stall_lock:
        for stall in _stalls:
            if path.startswith(stall.prefix) and (stall.times is None or stall.hits < stall.times):
                stall.hits += 1
                return stall
    return None


def embed_path(link: HosterLink) -> str:
    """Media has no embed page; present so every module has the same shape."""
    return f"/media/{link.code}/video.mp4"


def hls_url(base_url: str, link: HosterLink) -> str:
    """Master playlist URL for a link."""
    return f"{base_url}/engine/hls2/{link.code}/master.m3u8?t=fake{link.link_id}&e=14400"


def mp4_url(base_url: str, link: HosterLink) -> str:
    """Direct MP4 URL for a link."""
    return f"{base_url}/media/{link.code}/video.mp4"


def big_mp4_url(base_url: str, size: int) -> str:
    """URL of a real MP4 padded to ``size`` bytes (generated on first request)."""
    return f"{base_url}/media/big-{size}.mp4"


def big_hls_url(base_url: str, segments: int) -> str:
    """Master playlist of a ``segments``-segment stream (generated on first request)."""
    return f"{base_url}/engine/hls2/big-{segments}/master.m3u8"


def corrupt_mp4_url(base_url: str) -> str:
    """An "MP4" whose bytes are not a video at all (integrity-check tests)."""
    return f"{base_url}/media/{CORRUPT_CODE}/video.mp4"


def refusal(request: Request, *, need_referer: bool = True) -> Response | None:
    """403 unless the request has a User-Agent and (optionally) a hoster-server Referer."""
    if not request.headers.get("User-Agent", "").strip():
        return Response(403, b"Forbidden: no User-Agent\n", "text/plain")
    if need_referer and not _referer_ok(request):
        return Response(403, b"Forbidden: bad Referer\n", "text/plain")
    return None


def _referer_ok(request: Request) -> bool:
    # The hoster server answers under 127.0.0.1 and *.localhost aliases on one port, so a
    # Referer counts as "from the hoster" when it names a loopback host on that port.
    referer = urlsplit(request.headers.get("Referer", ""))
    own = urlsplit("http://" + request.headers.get("Host", ""))
    host = referer.hostname or ""
    loopback = host == "localhost" or host.endswith(".localhost") or _is_loopback_ip(host)
    return referer.scheme == "http" and loopback and referer.port == own.port


def _is_loopback_ip(host: str) -> bool:
    # Fake mirrors listen on other 127/8 addresses (127.0.0.2, ...), loopback too.
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_file(request: Request, path: Path, content_type: str) -> Response:
    """Serve a file from disk with Accept-Ranges and single-range 206/416 answers."""
    size = path.stat().st_size
    headers = [("Accept-Ranges", "bytes")]
    wanted = request.headers.get("Range")
    if not wanted:
        return _file_response(request, path, content_type, 200, 0, size, headers)
    span = _parse_range(wanted, size)
    if span is None:
        headers.append(("Content-Range", f"bytes */{size}"))
        return Response(416, b"", content_type, headers)
    start, end = span
    headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
    return _file_response(request, path, content_type, 206, start, end - start + 1, headers)


def _file_response(
    request: Request,
    path: Path,
    content_type: str,
    status: int,
    offset: int,
    length: int,
    headers: list[tuple[str, str]],
) -> Response:
    response = Response(status, b"", content_type, headers, path, offset, length)
    if stall := _stall_for(request.path):
        response.stall_after, response.stall_seconds = stall.after_bytes, stall.seconds
    return response


def _parse_range(value: str, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive for ``bytes=a-b``, ``bytes=a-`` or ``bytes=-n``; None if bad."""
    match = _RANGE.match(value.strip())
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:
        start, end = max(0, size - int(match[2])), size - 1
    else:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    return (start, end) if start <= end and start < size else None


def serve_mp4(request: Request, link: HosterLink) -> Response:
    """The MP4 of a link's language, with the CDN header checks (reusable by Doodstream)."""
    denied = refusal(request)
    if denied is not None:
        return denied
    path = media_files.language_dir(link.language) / "video.mp4"
    return serve_file(request, path, "video/mp4")


def _hls_dir(code: str, context: HosterContext) -> tuple[Path, Path] | None:
    """(hi, lo) directories of the HLS set behind a code, or None."""
    if match := _BIG_HLS.match(code):
        count = int(match[1])
        if not 1 <= count <= 2000:
            return None
        big = media_files.big_hls(count)
        return big, big
    link = context.catalog.link_by_code(code)
    if link is None:
        return None
    root = media_files.language_dir(link.language)
    return root / "hi", root / "lo"


def _serve_hls(request: Request, context: HosterContext) -> Response | None:
    if match := _HLS.match(request.path):
        dirs = _hls_dir(match[1], context)
        if dirs is None:
            return None
        if denied := refusal(request, need_referer=False):
            return denied
        if match[3] == "master":
            return Response(200, _master_text().encode(), PLAYLIST)
        variant = dirs[0] if match[2] == "hi" else dirs[1]
        return Response(200, (variant / "index.m3u8").read_bytes(), PLAYLIST)
    if match := _SEGMENT.match(request.path):
        dirs = _hls_dir(match[1], context)
        if dirs is None:
            return None
        segment = (dirs[0] if match[2] == "hi" else dirs[1]) / f"seg-{match[3]}.ts"
        if not segment.exists():
            return None
        return refusal(request) or serve_file(request, segment, "video/mp2t")
    return None


def _master_text() -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3"]
    for name in ("lo", "hi"):  # low first: a client that takes the first variant is wrong
        resolution, bandwidth = media_files.VARIANTS[name]
        lines += [f"#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={resolution}"]
        lines += [f"{name}/index.m3u8"]
    return "\n".join([*lines, ""])


def _serve_mp4(request: Request, context: HosterContext) -> Response | None:
    if match := _BIG_MP4.match(request.path):
        size = int(match[1])
        if not 1024 * 1024 <= size <= MAX_BIG:
            return None
        return refusal(request) or serve_file(request, media_files.big_mp4(size), "video/mp4")
    match = _MP4.match(request.path)
    if match and match[1] == CORRUPT_CODE:
        return refusal(request) or serve_file(request, media_files.corrupt_file(), "video/mp4")
    if match and (link := context.catalog.link_by_code(match[1])):
        return serve_mp4(request, link)
    return None


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve playlists, segments and MP4s for known codes and the benchmark's big media."""
    return _serve_hls(request, context) or _serve_mp4(request, context)
