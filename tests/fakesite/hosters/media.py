"""Placeholder media (tiny HLS playlists, fake segments, MP4 bytes); real media comes later."""

from __future__ import annotations

import re

from tests.fakesite.blocks import Response
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext
from tests.fakesite.httpbase import Request

_HLS = re.compile(r"^/engine/hls2/([a-z0-9]+)/(master|index)\.m3u8$")
_SEGMENT = re.compile(r"^/engine/hls2/([a-z0-9]+)/seg-(\d+)\.ts$")
_MP4 = re.compile(r"^/media/([a-z0-9]+)/video\.mp4$")
SEGMENTS = 3


def embed_path(link: HosterLink) -> str:
    """Media has no embed page; present so every module has the same shape."""
    return f"/media/{link.code}/video.mp4"


def hls_url(base_url: str, link: HosterLink) -> str:
    """Master playlist URL for a link."""
    return f"{base_url}/engine/hls2/{link.code}/master.m3u8?t=fake{link.link_id}&e=14400"


def mp4_url(base_url: str, link: HosterLink) -> str:
    """Direct MP4 URL for a link."""
    return f"{base_url}/media/{link.code}/video.mp4"


def _playlist(kind: str) -> str:
    if kind == "master":
        return "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\nindex.m3u8\n"
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:0"]
    for number in range(SEGMENTS):
        lines += ["#EXTINF:2.0,", f"seg-{number}.ts"]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve playlists, segments and the MP4 placeholder for any known code."""
    catalog = context.catalog
    if (match := _HLS.match(request.path)) and catalog.link_by_code(match[1]):
        return Response(200, _playlist(match[2]).encode(), "application/vnd.apple.mpegurl")
    if (match := _SEGMENT.match(request.path)) and catalog.link_by_code(match[1]):
        return Response(200, b"G" + bytes(187) * 4, "video/mp2t")
    if (match := _MP4.match(request.path)) and catalog.link_by_code(match[1]):
        return Response(200, b"\x00\x00\x00\x18ftypmp42" + bytes(64), "video/mp4")
    return None
