"""HLS as hosters serve it (reference §6, §9 items 29–32), as modes of the fake CDN.

A mode is chosen with ``?hls=<mode>`` on the master playlist ``/engine/hls2/<code>/
master.m3u8`` (see ``variant_url``) or per code in ``HLS_MODES`` (whole-system tests);
everything below the master lives under ``/engine/hls2/<code>/x-<mode>/``.

Modes: ``aes`` (AES-128, explicit IV), ``aes-seq`` (implicit IV = media sequence number,
starting at 7), ``aes-badkey`` (a 17-byte key), ``fmp4`` (``EXT-X-MAP``), ``disguised``
(MPEG-TS named .jpg/.png/.html/.js), ``disguised-png`` (the same with a fake PNG header in
front of each segment — [inf]: the reference documents disguised names, not headers),
``disguised-junk`` (segment 2 is an HTML page served as 200, like a CDN error page),
``disguised-mirrors`` (odd segments on a second host, ``localhost``, that answers 522),
``sample-aes``, ``byterange``, ``live`` (a live window: no ``EXT-X-ENDLIST``, must fall
back) and ``audio`` (``EXT-X-MEDIA`` renditions ``de`` and ``ja``, ``DEFAULT=YES`` on ja,
behind a video-only variant with ``AUDIO="aud"``).
Segments and the key demand a User-Agent and the hoster's Referer; playlists only the
User-Agent, like the plain HLS of ``media.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.fakesite import media_files, media_variants
from tests.fakesite.blocks import Response
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext
from tests.fakesite.hosters.media import PLAYLIST, refusal, serve_file
from tests.fakesite.httpbase import Request

MODES = ("aes", "aes-seq", "aes-badkey", "fmp4", "disguised", "disguised-png", "disguised-junk",
         "disguised-mirrors", "sample-aes", "byterange", "live", "audio")
HLS_MODES: dict[str, str] = {}  # link code -> mode, for tests that cannot add a query
KEY = b"fakesite-aes-key"
EXPLICIT_IV = bytes.fromhex("8f2e0c71a4d39b56e01f7c2a9d4b6e30")
FIRST_SEQUENCE = 7
DISGUISES = {"jpg": "image/jpeg", "png": "image/png", "html": "text/html",
             "js": "application/javascript"}
# A PNG signature and IHDR chunk: what a "segment" looks like to a filter reading its head.
PNG_HEADER = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")
_MASTER = re.compile(r"^/engine/hls2/([a-z0-9-]+)/master\.m3u8$")
_FILE = re.compile(r"^/engine/hls2/([a-z0-9-]+)/x-([a-z0-9-]+)/(?:(video|de|ja)/)?([\w.-]+)$")
_SEGMENT = re.compile(r"^seg-(\d+)\.(\w+)$")


def variant_url(base_url: str, link: HosterLink, mode: str) -> str:
    """Master playlist URL of ``link`` served in ``mode``."""
    return f"{base_url}/engine/hls2/{link.code}/master.m3u8?t=fake{link.link_id}&hls={mode}"


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve master, playlists, segments and key of the HLS modes; None for anything else."""
    if match := _MASTER.match(request.path):
        mode = request.arg("hls") or HLS_MODES.get(match[1], "")
        if mode not in MODES or context.catalog.link_by_code(match[1]) is None:
            return None
        return refusal(request, need_referer=False) or _text(_master(mode))
    match = _FILE.match(request.path)
    link = context.catalog.link_by_code(match[1]) if match else None
    if match is None or link is None or match[2] not in MODES:
        return None
    mode, sub, name = match[2], match[3] or "", match[4]
    if name == "index.m3u8":
        playlist = _playlist(link, mode, sub)
        if mode == "disguised-mirrors":
            playlist = _spread(playlist, request)
        return refusal(request, need_referer=False) or _text(playlist)
    if name == "key.bin" and mode.startswith(("aes", "sample")):
        return refusal(request) or Response(200, _key(mode), "application/octet-stream")
    if mode == "disguised-mirrors" and request.headers.get("Host", "").startswith("localhost:"):
        return Response(522, b"error code: 522\n", "text/plain")
    return refusal(request) or _media(request, link, mode, sub, name)


def _text(playlist: str) -> Response:
    return Response(200, playlist.encode(), PLAYLIST)


def _key(mode: str) -> bytes:
    return KEY + b"!" if mode == "aes-badkey" else KEY


def _master(mode: str) -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:4"]
    if mode != "audio":
        return "\n".join([*lines, "#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360",
                          f"x-{mode}/index.m3u8", ""])
    for tag, name, default in (("de", "Deutsch", "NO"), ("ja", "Japanisch", "YES")):
        lines.append(f'#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",LANGUAGE="{tag}",NAME="{name}",'
                     f'DEFAULT={default},AUTOSELECT=YES,URI="x-audio/{tag}/index.m3u8"')
    lines += ['#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,AUDIO="aud"',
              "x-audio/video/index.m3u8"]
    return "\n".join([*lines, ""])


def _spread(playlist: str, request: Request) -> str:
    """Odd segments as absolute URLs on the ``localhost`` mirror of this server."""
    port = request.headers.get("Host", "").rpartition(":")[2]
    folder = request.path.rpartition("/")[0]
    lines = playlist.splitlines()
    odd = [i for i, line in enumerate(lines) if line.startswith("seg-")][1::2]
    for i in odd:
        lines[i] = f"http://localhost:{port}{folder}/{lines[i]}"
    return "\n".join([*lines, ""])


def _plain_dir(link: HosterLink) -> Path:
    return media_files.language_dir(link.language) / "hi"


def _durations(link: HosterLink) -> list[float]:
    text = (_plain_dir(link) / "index.m3u8").read_text()
    return [float(line[8:].split(",")[0]) for line in text.splitlines()
            if line.startswith("#EXTINF:")]


def _playlist(link: HosterLink, mode: str, sub: str) -> str:
    if mode == "fmp4":
        return (media_variants.fmp4_dir(link.language) / "index.m3u8").read_text()
    if mode == "audio":
        return (media_variants.audio_dirs(link.language)[sub] / "index.m3u8").read_text()
    durations = _durations(link)
    head = ["#EXTM3U", "#EXT-X-VERSION:4", "#EXT-X-TARGETDURATION:1"]
    head.append(f"#EXT-X-MEDIA-SEQUENCE:{FIRST_SEQUENCE if mode != 'aes' else 0}")
    head += _key_lines(mode)
    body: list[str] = []
    offset = 0
    for index, duration in enumerate(durations):
        body.append(f"#EXTINF:{duration:.6f},")
        if mode == "byterange":
            size = (_plain_dir(link) / f"seg-{index}.ts").stat().st_size
            body += [f"#EXT-X-BYTERANGE:{size}@{offset}", "all.ts"]
            offset += size
        else:
            body.append(f"seg-{index}.{_extension(mode, index)}")
    tail = [] if mode == "live" else ["#EXT-X-ENDLIST"]  # live: the server adds more later
    return "\n".join([*head, *body, *tail, ""])


def _key_lines(mode: str) -> list[str]:
    if mode == "aes":
        return [f'#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x{EXPLICIT_IV.hex()}']
    if mode in {"aes-seq", "aes-badkey"}:
        return ['#EXT-X-KEY:METHOD=AES-128,URI="key.bin"']
    if mode == "sample-aes":
        return ['#EXT-X-KEY:METHOD=SAMPLE-AES,URI="key.bin",KEYFORMAT="identity"']
    return []


def _extension(mode: str, index: int) -> str:
    if mode.startswith("disguised"):
        return list(DISGUISES)[index % len(DISGUISES)]
    return "ts"


def _media(request: Request, link: HosterLink, mode: str, sub: str, name: str) -> Response | None:
    if mode == "fmp4":
        return _file(request, media_variants.fmp4_dir(link.language) / name, "video/mp4")
    if mode == "audio":
        return _file(request, media_variants.audio_dirs(link.language)[sub] / name, "video/mp2t")
    if mode == "byterange" and name == "all.ts":
        return _file(request, _joined(link), "video/mp2t")
    match = _SEGMENT.match(name)
    path = _plain_dir(link) / f"seg-{match[1]}.ts" if match else None
    if match is None or path is None or not path.exists():
        return None
    data, index = path.read_bytes(), int(match[1])
    if mode in {"aes", "aes-seq", "aes-badkey"}:
        iv = EXPLICIT_IV if mode == "aes" else (FIRST_SEQUENCE + index).to_bytes(16, "big")
        return Response(200, media_variants.encrypt(data, KEY, iv), "video/mp2t")
    if mode == "disguised-png":
        data = PNG_HEADER + data
    if mode == "disguised-junk" and index == 2:
        data = b"<html><body><h1>404 Not Found</h1></body></html>\n" * 40
    return Response(200, data, DISGUISES.get(match[2], "video/mp2t"))


def _file(request: Request, path: Path, content_type: str) -> Response | None:
    return serve_file(request, path, content_type) if path.is_file() else None


def _joined(link: HosterLink) -> Path:
    """The plain segments as one file, for the byte-range playlist."""
    target = media_files.cache_root() / f"{media_files.look_for(link.language).label}-all.ts"
    with media_files._lock:
        if not target.exists():
            parts = sorted(_plain_dir(link).glob("seg-*.ts"), key=lambda p: int(p.stem[4:]))
            partial = target.with_suffix(".tmp")
            partial.write_bytes(b"".join(part.read_bytes() for part in parts))
            partial.replace(target)
    return target
