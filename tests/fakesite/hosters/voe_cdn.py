"""VOE's CDN (reference §3.3, §9.16, §9.18): nginx-vod "urlset" HLS behind signed links.

``/engine/hls2-c/01/<n>/<code>_,n,l,.urlset/master.m3u8?t=<sig>&s=<unix>&e=14400&f=…&i=<ip>&sp=2500``
lists three muxed variants ``index-f<n>-v1-a1.m3u8`` (the best one second, so a client that
takes the first is wrong) and one ``EXT-X-I-FRAME-STREAM-INF`` line per variant, whose
playlist is keyframes-only with byte ranges: a client that downloads it fails. Every URL of
the set carries the same query; ``t`` signs the code, ``s`` (issue time), ``e`` and ``i``
(the IP the player page was served to).

Every request (playlists and segments) answers 403 when the User-Agent or a Referer from the
hoster is missing, the signature does not match, ``s + e`` lies in the CDN clock's past, or
it comes from another IP than ``i``.

Test controls on ``CDN`` (reset by ``FakeSite.reset``): ``advance(seconds)`` moves the CDN
clock (no four-hour sleeps); ``expire_after(prefix, answers)`` jumps it past the lifetime
once that many files whose name starts with ``prefix`` were served (a link running out
mid-download; links signed afterwards work, unless ``repeat`` runs every link out the same
way); ``sign_for`` signs links for another IP (the player page fetched from another address
than the download comes from).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.fakesite import media_files
from tests.fakesite.blocks import Response
from tests.fakesite.catalog import HosterLink
from tests.fakesite.hosters import HosterContext
from tests.fakesite.hosters.media import PLAYLIST, refusal, serve_file
from tests.fakesite.httpbase import Request

LIFETIME = 14400
SECRET = b"fakesite-voe-cdn"
QUERY_KEYS = ("t", "s", "e", "f", "i", "sp")
# f-number -> (media_files variant, RESOLUTION, BANDWIDTH); the best is f2.
LADDER = {1: ("lo", "320x180", 400_000), 2: ("hi", "640x360", 900_000),
          3: ("lo", "320x180", 250_000)}
CODECS = "avc1.64001e,mp4a.40.2"
_PATH = re.compile(r"^/engine/hls2-c/01/\d+/([a-z0-9]+)_,n,l,\.urlset/([\w.-]+)$")
_PLAYLIST = re.compile(r"^(index|iframes)-f(\d)-v1-a1\.m3u8$")
_SEGMENT = re.compile(r"^seg-(\d+)-f(\d)-v1-a1\.ts$")


class CdnControls:
    """The CDN's clock and the switches tests flip; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Real time, links signed for the requesting client, no pending expiry."""
        with self._lock:
            self.offset = 0.0
            self.sign_for = ""
            self._prefix, self._answers, self._repeat, self._left = "", 0, False, 0

    def now(self) -> int:
        """The CDN's current unix time."""
        return int(time.time() + self.offset)

    def advance(self, seconds: float) -> None:
        """Move the CDN clock forward."""
        with self._lock:
            self.offset += seconds

    def expire_after(self, prefix: str, answers: int, repeat: bool = False) -> None:
        """Jump past the lifetime once ``answers`` files named ``prefix…`` were served
        (with ``repeat``: again after every further ``answers`` such files)."""
        with self._lock:
            self._prefix, self._answers, self._repeat, self._left = (
                prefix, answers, repeat, answers)

    def served(self, name: str) -> None:
        """Count a served file towards a pending expiry."""
        with self._lock:
            if self._left <= 0 or not name.startswith(self._prefix):
                return
            self._left -= 1
            if self._left == 0:
                self.offset += LIFETIME + 1
                self._left = self._answers if self._repeat else 0


CDN = CdnControls()


def sign(code: str, issued: str, lifetime: str, ip: str) -> str:
    """The ``t`` value of a link: an HMAC over what the link is bound to."""
    message = f"{code}|{issued}|{lifetime}|{ip}".encode()
    digest = hmac.new(SECRET, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:22]


def master_url(base_url: str, link: HosterLink, client: str) -> str:
    """A freshly signed master playlist URL for a page served to ``client``."""
    issued, ip = str(CDN.now()), CDN.sign_for or client
    query = urlencode({"t": sign(link.code, issued, str(LIFETIME), ip), "s": issued,
                       "e": LIFETIME, "f": link.link_id, "i": ip, "sp": 2500})
    return (f"{base_url}/engine/hls2-c/01/{link.link_id % 100}/{link.code}_,n,l,.urlset/"
            f"master.m3u8?{query}")


def handle(request: Request, context: HosterContext) -> Response | None:
    """Serve the signed urlset of a known code; None for any other path."""
    match = _PATH.match(request.path)
    link = context.catalog.link_by_code(match[1]) if match else None
    if match is None or link is None:
        return None
    denied = refusal(request) or _link_refusal(request, link.code)
    if denied is not None:
        return denied
    answer = _file(request, link, match[2])
    if answer is not None and answer.status < 400:
        CDN.served(match[2])
    return answer


def _link_refusal(request: Request, code: str) -> Response | None:
    issued, lifetime, ip = request.arg("s"), request.arg("e"), request.arg("i")
    if not (issued.isdigit() and lifetime.isdigit()):
        return _forbidden("unsigned link")
    if not hmac.compare_digest(request.arg("t"), sign(code, issued, lifetime, ip)):
        return _forbidden("bad signature")
    if int(issued) + int(lifetime) < CDN.now():
        return _forbidden("link expired")
    if request.client != ip:
        return _forbidden("link bound to another client")
    return None


def _forbidden(reason: str) -> Response:
    return Response(403, f"403 Forbidden: {reason}\n".encode(), "text/plain")


def _file(request: Request, link: HosterLink, name: str) -> Response | None:
    query = urlencode({key: request.arg(key) for key in QUERY_KEYS})
    if name == "master.m3u8":
        return _text(master_text(query))
    if match := _PLAYLIST.match(name):
        number = int(match[2])
        if number not in LADDER:
            return None
        media = _media_playlist(link, number, query, iframes=match[1] == "iframes")
        return _text(media)
    match = _SEGMENT.match(name)
    if match is None or int(match[2]) not in LADDER:
        return None
    path = _variant_dir(link, int(match[2])) / f"seg-{int(match[1]) - 1}.ts"
    return serve_file(request, path, "video/mp2t") if path.is_file() else None


def _text(playlist: str) -> Response:
    return Response(200, playlist.encode(), PLAYLIST)


def master_text(query: str) -> str:
    """Three muxed variants, then their I-frame playlists, as nginx-vod lists them."""
    lines = ["#EXTM3U"]
    for number, (_, resolution, bandwidth) in LADDER.items():
        lines.append(f'#EXT-X-STREAM-INF:BANDWIDTH={bandwidth},RESOLUTION={resolution},'
                     f'FRAME-RATE=25.000,CODECS="{CODECS}"')
        lines.append(f"index-f{number}-v1-a1.m3u8?{query}")
    for number, (_, resolution, bandwidth) in LADDER.items():
        lines.append(f"#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH={bandwidth // 10},"
                     f'RESOLUTION={resolution},CODECS="avc1.64001e",'
                     f'URI="iframes-f{number}-v1-a1.m3u8?{query}"')
    return "\n".join([*lines, ""])


def _variant_dir(link: HosterLink, number: int) -> Path:
    return media_files.language_dir(link.language) / LADDER[number][0]


def _media_playlist(link: HosterLink, number: int, query: str, *, iframes: bool) -> str:
    """The variant's segments renamed nginx-vod style (1-based), every URI signed."""
    folder = _variant_dir(link, number)
    head = ["#EXTM3U", "#EXT-X-VERSION:4" if iframes else "#EXT-X-VERSION:3",
            "#EXT-X-TARGETDURATION:1", "#EXT-X-MEDIA-SEQUENCE:1", "#EXT-X-PLAYLIST-TYPE:VOD"]
    if iframes:
        head.append("#EXT-X-I-FRAMES-ONLY")
    body: list[str] = []
    for line in (folder / "index.m3u8").read_text().splitlines():
        if line.startswith("#EXTINF:"):
            body.append(line)
        elif line and not line.startswith("#"):
            index = int(line[4:].split(".")[0])
            if iframes:
                # The keyframe at the start of each segment: a byte range, not a whole file.
                size = min((folder / line).stat().st_size, 188 * 200)
                body.append(f"#EXT-X-BYTERANGE:{size}@0")
            body.append(f"seg-{index + 1}-f{number}-v1-a1.ts?{query}")
    return "\n".join([*head, *body, "#EXT-X-ENDLIST", ""])
