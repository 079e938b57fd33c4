"""Mutated real and fake pages make extractors return a Stream or raise a HosterError."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aniworld.hosters import HosterError, resolve_stream
from aniworld.streams import Stream
from aniworld.urlguard import BlockedUrl
from tests.fakesite.hosters import filemoon as fake_filemoon
from tests.fakesite.hosters import voe as fake_voe
from tests.hosters.helpers import StubTransport

REFERENCE = Path(__file__).resolve().parent.parent / "site_reference_pages"
HLS = "https://cdn.example.com/engine/hls2/abc/master.m3u8?t=x&e=14400"
MP4 = "https://cdn.example.com/media/abc/video.mp4"
PAYLOAD = {"source": HLS, "direct_access_url": MP4, "direct_access_allowed": True}
PAGES: dict[str, list[str]] = {
    "VOE": [
        (REFERENCE / "ani-tui__aniworld-voe-embed.html").read_text(),
        f'<script type="application/json">["{fake_voe.encode(PAYLOAD)}"]</script>',
        f"<script>var a168c='{fake_voe.encode(PAYLOAD)}';</script>",
        "<script>var s = {'hls': 'aHR0cHM6Ly9jZG4uZXhhbXBsZS5jb20vbS5tM3U4'};</script>",
        "<script>window.location.href = 'https://alias.example.com/e/abc';</script>",
    ],
    "Vidmoly": [(REFERENCE / "ani-tui__aniworld-vidmoly-embed.html").read_text()],
    "Vidoza": [f'<script>new Player({{ sourcesCode: [{{ src: "{MP4}", type: "video/mp4"}}]}})'],
    "Doodstream": ["$.get('/pass_md5/1-ab/tok', f); x='?token=tok&expiry=' + Date.now();"],
    "Filemoon": [
        "<script>"
        + fake_filemoon.pack(f'jwplayer("v").setup({{sources:[{{file:"{HLS}"}}]}});')
        + "</script>",
    ],
}
API = json.dumps({"playback": fake_filemoon.playback("abc", [{"url": HLS, "height": 720}])})
EMBED = {
    "VOE": "https://voe.example.com/e/abc",
    "Vidmoly": "https://vidmoly.example.com/embed-abc.html",
    "Vidoza": "https://vidoza.example.com/embed-abc.html",
    "Doodstream": "https://dood.example.com/e/abc",
    "Filemoon": "https://filemoon.example.com/e/abc",
}


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """Apply a few random deletions, insertions and duplications to ``text``."""
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if action == "delete":
            text = text[:start] + text[end:]
        elif action == "insert":
            text = text[:start] + draw(st.text(max_size=12)) + text[start:]
        else:
            text = text[:end] + text[start:end] + text[end:]
    return text


def _cases() -> st.SearchStrategy[tuple[str, str, str]]:
    return st.sampled_from([(h, p) for h, pages in PAGES.items() for p in pages]).flatmap(
        lambda hp: st.tuples(st.just(hp[0]), mutated(hp[1]), mutated(API))
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cases(), st.sampled_from(["https://cdn.example.com/base/", "RELOAD", ""]))
def test_mutated_pages_give_a_stream_or_a_hoster_error(
    case: tuple[str, str, str], pass_md5: str
) -> None:
    hoster, page, api = case

    def answer(url: str) -> str:
        if "/pass_md5/" in url:
            return pass_md5
        return api if "/api/videos/" in url else page

    try:
        stream = resolve_stream(
            hoster, EMBED[hoster], StubTransport(answer), allow_private_hosts=True
        )
    except (HosterError, BlockedUrl):
        return
    assert isinstance(stream, Stream) and stream.url.startswith(("http://", "https://"))
