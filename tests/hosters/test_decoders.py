"""Pure decoders: VOE payload, Dean-Edwards unpacker, Filemoon AES-GCM playback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aniworld.hosters import ExtractorOutdated, filemoon, packed, vidmoly, voe
from aniworld.hosters.common import looks_gone
from aniworld.streams import StreamKind
from tests.fakesite.hosters import filemoon as fake_filemoon
from tests.fakesite.hosters import voe as fake_voe

REFERENCE = Path(__file__).resolve().parent.parent / "site_reference_pages"
JS_SOURCE = st.text(alphabet=st.sampled_from("abcXYZ_019 .,:;(){}[]\"'\\/|=+-\n"), max_size=200)


def test_voe_decodes_the_real_reference_sample() -> None:
    page = (REFERENCE / "ani-tui__aniworld-voe-embed.html").read_text()
    encoded = re.search(r'\["(.+?)"\]', page)[1]
    assert voe.decode(encoded) == {"source": "https://voe-cdn.example.com/hls/master.m3u8"}
    assert voe.parse_page(page) == (
        "https://voe-cdn.example.com/hls/master.m3u8",
        StreamKind.HLS,
    )


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=30), max_size=4))
def test_voe_decode_inverts_the_fake_encoder(payload: dict[str, str]) -> None:
    assert voe.decode(fake_voe.encode(payload)) == payload


def test_voe_prefers_direct_mp4_only_when_allowed() -> None:
    both = {"source": "https://c/m.m3u8", "direct_access_url": "https://c/v.mp4"}
    assert voe.choose({**both, "direct_access_allowed": True}) == ("https://c/v.mp4", "mp4")
    assert voe.choose(both) == ("https://c/m.m3u8", StreamKind.HLS)
    with pytest.raises(ExtractorOutdated):
        voe.choose({"title": "x"})


@given(st.dictionaries(st.text(max_size=8), st.text(max_size=30), max_size=4))
def test_voe_decode_with_the_loader_table(payload: dict[str, str]) -> None:
    encoded = fake_voe.encode(payload, fake_voe.OTHER_MARKERS)
    assert voe.decode(encoded, fake_voe.OTHER_MARKERS) == payload


@pytest.mark.parametrize(
    ("script", "table"),
    [
        ("var a=[1,2];var b=['ab','cd'];var z=['@$','^^'];var y=['!!']", ("@$", "^^")),
        ('x=["!+", "#/" ,];', ("!+", "#/")),
        ("var z=['@$','^^','~@','%?','*~','!!','#&','&&','**','++']", None),  # 10 entries
        ("var z=['abc','de'];", None),
        ("", None),
    ],
)
def test_voe_loader_table(script: str, table: tuple[str, ...] | None) -> None:
    assert voe.parse_table(script) == table


@pytest.mark.parametrize("garbage", ["", "!!!", "aGVsbG8=", "ÿÿ", "W10="])
def test_voe_garbage_payload_is_outdated(garbage: str) -> None:
    with pytest.raises(ExtractorOutdated, match="VOE"):
        voe.decode(garbage)


def test_vidmoly_reference_sample() -> None:
    page = (REFERENCE / "ani-tui__aniworld-vidmoly-embed.html").read_text()
    assert vidmoly.parse_page(page) == "https://prx-example.vmpx.online/hls2/master.m3u8?token=abc"


@given(JS_SOURCE)
def test_unpack_inverts_the_packer(source: str) -> None:
    assert packed.unpack(fake_filemoon.pack(source)) == source


def test_unpack_a_hand_packed_script() -> None:
    script = (
        "eval(function(p,a,c,k,e,d){return p}('0 1=\\'2\\';',62,3,"
        "'var|file|https'.split('|'),0,{}))"
    )
    assert packed.is_packed(script)
    assert packed.unpack(script) == "var file='https';"


@pytest.mark.parametrize(
    "script",
    ["no packer here", "}('0',99,1,'a'.split('|')", "}('0 1',10,3,'a|b'.split('|')"],
)
def test_unpack_rejects_invalid_input(script: str) -> None:
    with pytest.raises(packed.UnpackError):
        packed.unpack(script)


def test_filemoon_decrypts_playback_and_picks_highest() -> None:
    sources = [
        {"url": "https://c/360.m3u8", "height": 360},
        {"url": "https://c/hi.m3u8", "height": "1080"},
    ]
    data = {"playback": fake_filemoon.playback("abc123", sources)}
    assert filemoon.parse_api(data) == "https://c/hi.m3u8"


@pytest.mark.parametrize("field", ["payload", "iv", "key_parts"])
def test_filemoon_tampered_playback_is_outdated(field: str) -> None:
    playback = fake_filemoon.playback("abc123", [{"url": "https://c/a.m3u8", "height": 1}])
    playback[field] = ["AAAA"] if field == "key_parts" else "AAAAAAAAAAAAAAAA"
    with pytest.raises(ExtractorOutdated, match="Filemoon"):
        filemoon.decrypt_playback(playback)


def test_gone_markers() -> None:
    assert looks_gone("<h1>File Not Found</h1>") and looks_gone("The file was deleted")
    assert not looks_gone("<script>player.on('error', notFound)</script>")
