"""M3U8 parsing of the HLS forms hosters serve (pure functions, reference §6)."""

from __future__ import annotations

import pytest

from aniworld.downloader import MediaUnavailable, UnsupportedStream
from aniworld.downloader.playlist import audio_rendition, best_variant, iso639_2, segments

BASE = "https://cdn.example/v/index.m3u8"


def media(*lines: str) -> str:
    return "\n".join(["#EXTM3U", "#EXT-X-TARGETDURATION:2", *lines, "#EXT-X-ENDLIST", ""])


def test_key_applies_until_changed_and_method_none_clears_it() -> None:
    parts = segments(media(
        "#EXT-X-MEDIA-SEQUENCE:41",
        '#EXT-X-KEY:METHOD=AES-128,URI="k1",IV=0x0000000000000000000000000000ABCD',
        "#EXTINF:2,", "a.ts",
        '#EXT-X-KEY:METHOD=AES-128,URI="/keys/k2"',
        "#EXTINF:2,", "b.ts",
        "#EXT-X-KEY:METHOD=NONE",
        "#EXTINF:2,", "c.ts",
    ), BASE)
    first, second, third = parts
    assert first.key and first.key.url == "https://cdn.example/v/k1"
    assert first.iv == (0xABCD).to_bytes(16, "big")
    assert second.key and second.key.url == "https://cdn.example/keys/k2"
    assert second.iv == (42).to_bytes(16, "big") and third.key is None


def test_map_becomes_the_first_part_and_carries_no_duration() -> None:
    init, *rest = segments(media('#EXT-X-MAP:URI="init.mp4"', "#EXTINF:2,", "s0.m4s"), BASE)
    assert init.init and init.url == "https://cdn.example/v/init.mp4" and init.duration == 0
    assert [part.url.rsplit("/", 1)[1] for part in rest] == ["s0.m4s"]


@pytest.mark.parametrize("line", [
    '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k"',
    '#EXT-X-KEY:METHOD=AES-128,URI="skd://x",KEYFORMAT="com.apple.streamingkeydelivery"',
    '#EXT-X-KEY:METHOD=AES-128,URI="k",IV=nothex',
    '#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"',
    "#EXT-X-BYTERANGE:1000@0",
])
def test_forms_the_engine_cannot_fetch_are_typed(line: str) -> None:
    with pytest.raises(UnsupportedStream, match="another hoster will be tried"):
        segments(media(line, "#EXTINF:2,", "a.ts"), BASE)


def test_second_init_section_is_refused() -> None:
    text = media('#EXT-X-MAP:URI="i1.mp4"', "#EXTINF:2,", "a.m4s", '#EXT-X-MAP:URI="i2.mp4"',
                 "#EXTINF:2,", "b.m4s")
    with pytest.raises(UnsupportedStream, match="more than one"):
        segments(text, BASE)


MASTER = "\n".join([
    "#EXTM3U",
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",LANGUAGE="en",NAME="English",URI="en.m3u8"',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="Deutsch",URI="de.m3u8"',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",LANGUAGE="ja-JP",NAME="x",DEFAULT=YES,URI="ja.m3u8"',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="b",LANGUAGE="de",NAME="muxed"',
    '#EXT-X-STREAM-INF:BANDWIDTH=10,AUDIO="b"', "low.m3u8",
    '#EXT-X-STREAM-INF:BANDWIDTH=20,AUDIO="a"', "high.m3u8", "",
])


@pytest.mark.parametrize(("wanted", "chosen"), [
    ("eng", "en.m3u8"),  # LANGUAGE tag
    ("deu", "de.m3u8"),  # no tag: the NAME hint
    ("jpn", "ja.m3u8"),  # region subtag ignored
    ("", "ja.m3u8"),  # DEFAULT=YES
])
def test_audio_rendition_choice(wanted: str, chosen: str) -> None:
    variant = best_variant(MASTER, BASE)
    assert variant.audio == "a" and variant.url.endswith("high.m3u8")
    rendition = audio_rendition(MASTER, BASE, variant.audio, wanted)
    assert rendition is not None and rendition.url.endswith("/" + chosen)


def test_group_without_own_playlists_means_muxed_audio() -> None:
    assert audio_rendition(MASTER, BASE, "b", "deu") is None
    assert audio_rendition(MASTER, BASE, "", "deu") is None
    assert iso639_2("ja-JP") == "jpn" and iso639_2("ger") == "deu" and iso639_2("fr") == "fr"


# nginx-vod urlset as VOE serves it (reference §3.3): three muxed variants, the best not
# first, then trick-play lines whose URI is an attribute. The I-frame BANDWIDTH is set
# higher than every variant's here so a parser that counted it would pick it.
URLSET = "\n".join([
    "#EXTM3U",
    '#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1728x720,CODECS="avc1.640028,mp4a.40.2"',
    "index-f2-v1-a1.m3u8?t=x",
    '#EXT-X-STREAM-INF:BANDWIDTH=4000000,RESOLUTION=1920x800,CODECS="avc1.640028,mp4a.40.2"',
    "index-f1-v1-a1.m3u8?t=x",
    '#EXT-X-STREAM-INF:BANDWIDTH=1200000,RESOLUTION=1152x480,CODECS="avc1.640028,mp4a.40.2"',
    "index-f3-v1-a1.m3u8?t=x",
    '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=9000000,RESOLUTION=1920x800,CODECS="avc1.640028",'
    'URI="iframes-f1-v1-a1.m3u8?t=x"',
    '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=250000,RESOLUTION=1728x720,URI="iframes-f2-v1-a1.m3u8"',
    "",
])


def test_urlset_master_gives_the_best_real_variant_never_an_iframe_playlist() -> None:
    variant = best_variant(URLSET, BASE)
    assert variant.url == "https://cdn.example/v/index-f1-v1-a1.m3u8?t=x"
    assert variant.bandwidth == 4_000_000 and variant.pixels == 1920 * 800


def test_master_of_only_iframe_playlists_lists_no_streams() -> None:
    iframes_only = "\n".join(line for line in URLSET.splitlines()
                             if "I-FRAME" in line or line == "#EXTM3U")
    with pytest.raises(MediaUnavailable, match="lists no streams"):
        best_variant(iframes_only, BASE)


def test_equal_bandwidth_is_decided_by_resolution() -> None:
    master = "\n".join(["#EXTM3U", "#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=320x180",
                        "small.m3u8", "#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360",
                        "large.m3u8", "#EXT-X-STREAM-INF:BANDWIDTH=900000", "none.m3u8", ""])
    assert best_variant(master, BASE).url.endswith("/large.m3u8")


def test_iframe_only_playlist_is_refused_with_a_typed_reason() -> None:
    text = media("#EXT-X-I-FRAMES-ONLY", "#EXTINF:1,", "#EXT-X-BYTERANGE:37600@0", "a.ts")
    with pytest.raises(UnsupportedStream, match="I-frame-only"):
        segments(text, BASE)


def test_live_playlist_without_endlist_is_refused_with_a_typed_reason() -> None:
    live = "\n".join(["#EXTM3U", "#EXT-X-TARGETDURATION:2", "#EXT-X-MEDIA-SEQUENCE:1041",
                      "#EXTINF:2,", "a.ts", "#EXTINF:2,", "b.ts", ""])
    with pytest.raises(UnsupportedStream, match="live playlist") as caught:
        segments(live, BASE)
    # A MediaUnavailable: the runner moves on to the next hoster, no partial file is kept.
    assert isinstance(caught.value, MediaUnavailable) and not caught.value.transient
    # An EVENT playlist only grows, but until ENDLIST it is still being recorded.
    event = live.replace("#EXTM3U", "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT")
    with pytest.raises(UnsupportedStream, match="live playlist"):
        segments(event, BASE)


def test_vod_playlist_type_counts_as_complete_without_endlist() -> None:
    vod = "\n".join(["#EXTM3U", "#EXT-X-PLAYLIST-TYPE:VOD", "#EXTINF:2,", "a.ts", ""])
    assert [part.url for part in segments(vod, BASE)] == ["https://cdn.example/v/a.ts"]
