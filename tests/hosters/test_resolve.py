"""Every extractor against the stand-in's fake hosters over real HTTP (site → embed → media)."""

from __future__ import annotations

import pytest

from aniworld.hosters import (
    ExtractorOutdated,
    HosterFileGone,
    HosterUnavailable,
    UnsupportedHoster,
    is_supported,
    resolve_stream,
    supported_hosters,
)
from aniworld.site.transport import RequestsTransport, make_transport
from aniworld.streams import StreamKind
from aniworld.urlguard import BlockedUrl
from tests.fakesite import FakeSite
from tests.fakesite.hosters import doodstream as fake_dood
from tests.fakesite.hosters import filemoon as fake_filemoon
from tests.hosters.helpers import USER_AGENT, embed_via_redirect, fetch, first_segment, link_for

HOSTERS = ["VOE", "Vidmoly", "Vidoza", "Doodstream", "Filemoon"]
VOE_VARIANTS = {
    "json": StreamKind.MP4,
    "hlsonly": StreamKind.HLS,
    "bare": StreamKind.MP4,
    "a168c": StreamKind.HLS,
    "hls": StreamKind.HLS,
    "mp4": StreamKind.MP4,
    "prompt": StreamKind.HLS,
    "m3u8": StreamKind.HLS,
    "nohop": StreamKind.MP4,
}


def _resolve(site: FakeSite, hoster: str, transport: RequestsTransport, query: str = ""):
    embed = embed_via_redirect(site, link_for(site, hoster)) + query
    site.clear_requests()  # following /redirect already loaded the embed page once
    return resolve_stream(hoster, embed, transport, allow_private_hosts=True)


def _assert_media(stream, kind: StreamKind) -> None:
    assert stream.kind is kind
    assert stream.headers["User-Agent"] == USER_AGENT
    answer = fetch(stream)
    assert answer.status_code in (200, 206)
    if kind is StreamKind.HLS:
        # Playlists only need the UA; the bytes (segments) also need the Referer.
        stream = first_segment(stream, answer.text)
        assert fetch(stream).status_code in (200, 206)
    assert fetch(stream, drop="Referer").status_code == 403


@pytest.mark.parametrize("hoster", HOSTERS)
def test_each_hoster_resolves_to_fetchable_media(
    fakesite: FakeSite, transport: RequestsTransport, hoster: str
) -> None:
    stream = _resolve(fakesite, hoster, transport)
    assert stream.hoster == hoster
    expected = StreamKind.MP4 if hoster in {"VOE", "Vidoza", "Doodstream"} else StreamKind.HLS
    _assert_media(stream, expected)


@pytest.mark.parametrize(("variant", "kind"), VOE_VARIANTS.items())
def test_voe_variants(
    fakesite: FakeSite, transport: RequestsTransport, variant: str, kind: StreamKind
) -> None:
    stream = _resolve(fakesite, "VOE", transport, f"?variant={variant}")
    assert stream.headers["Referer"] == fakesite.hoster_url + "/"
    assert stream.headers["Origin"] == fakesite.hoster_url
    _assert_media(stream, kind)
    hops = [r.path for r in fakesite.hoster_requests if "/e/" in r.path]
    assert len(hops) == (1 if variant == "nohop" else 2)


def test_voe_referer_is_the_alias_origin(fakesite: FakeSite, transport: RequestsTransport) -> None:
    stream = _resolve(fakesite, "VOE", transport, "?variant=crossorigin")
    alias = fakesite.hoster_url.replace("127.0.0.1", "localhost")
    assert stream.headers["Referer"] == alias + "/" and stream.url.startswith(alias)
    _assert_media(stream, StreamKind.MP4)


def test_filemoon_legacy_packed_player(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = link_for(fakesite, "Filemoon").code
    monkeypatch.setitem(fake_filemoon.VARIANTS, code, "legacy")
    stream = _resolve(fakesite, "Filemoon", transport)
    frame = fakesite.hoster_url.replace("127.0.0.1", fake_filemoon.FRAME_HOST)
    assert stream.headers["Referer"] == f"{frame}/bkg/{code}"  # the frame that held the player
    _assert_media(stream, StreamKind.HLS)


def test_filemoon_api_picks_highest_source(
    fakesite: FakeSite, transport: RequestsTransport
) -> None:
    stream = _resolve(fakesite, "Filemoon", transport)
    assert stream.url.endswith("&e=14400") and "master.m3u8" in stream.url  # 1080p, not 360p
    (api,) = fakesite.requests_to("/api/videos/", server="hoster")
    assert api.headers["Referer"].startswith(fakesite.hoster_url)


def test_doodstream_token_is_bound_to_the_user_agent(
    fakesite: FakeSite, transport: RequestsTransport
) -> None:
    stream = _resolve(fakesite, "Doodstream", transport)
    (pass_md5,) = fakesite.requests_to("/pass_md5/", server="hoster")
    assert pass_md5.headers["User-Agent"] == USER_AGENT
    assert pass_md5.headers["Referer"] == fakesite.hoster_url + "/"
    other = dict(stream.headers, **{"User-Agent": "SomeoneElse/1.0"})
    assert fetch(stream.__class__(stream.url, stream.kind, other)).status_code == 403
    assert fetch(stream).status_code == 200


def test_doodstream_token_expires(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = _resolve(fakesite, "Doodstream", transport)
    monkeypatch.setattr(fake_dood, "TOKEN_TTL", -1.0)
    assert fetch(stream).status_code == 403


# --- errors --------------------------------------------------------------------------------


def _variant_query(
    site: FakeSite, hoster: str, variant: str, monkeypatch: pytest.MonkeyPatch
) -> str:
    # The Filemoon API URL carries no query, so its switch is the per-code table.
    monkeypatch.setitem(fake_filemoon.VARIANTS, link_for(site, "Filemoon").code, variant)
    return f"?variant={variant}"


@pytest.mark.parametrize("hoster", HOSTERS)
def test_gone_page_means_file_gone(
    fakesite: FakeSite,
    transport: RequestsTransport,
    monkeypatch: pytest.MonkeyPatch,
    hoster: str,
) -> None:
    query = _variant_query(fakesite, hoster, "gone", monkeypatch)
    with pytest.raises(HosterFileGone) as caught:
        _resolve(fakesite, hoster, transport, query)
    assert caught.value.transient is False and caught.value.hoster == hoster


def test_voe_deleted_text_on_200_means_file_gone(
    fakesite: FakeSite, transport: RequestsTransport
) -> None:
    with pytest.raises(HosterFileGone):
        _resolve(fakesite, "VOE", transport, "?variant=deleted")


@pytest.mark.parametrize("hoster", HOSTERS)
def test_missing_payload_means_extractor_outdated(
    fakesite: FakeSite,
    transport: RequestsTransport,
    monkeypatch: pytest.MonkeyPatch,
    hoster: str,
) -> None:
    query = _variant_query(fakesite, hoster, "outdated", monkeypatch)
    with pytest.raises(ExtractorOutdated, match=f"the {hoster} page changed") as caught:
        _resolve(fakesite, hoster, transport, query)
    assert caught.value.transient is True
    assert f"Aniworld's {hoster} extractor is out of date" in caught.value.message


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_mean_unavailable(
    fakesite: FakeSite, transport: RequestsTransport, status: int
) -> None:
    fakesite.set_fault("status", status=status, server="hoster")
    with pytest.raises(HosterUnavailable, match=f"HTTP {status}") as caught:
        _resolve(fakesite, "Vidmoly", transport)
    assert caught.value.transient is True


def test_unreachable_hoster_means_unavailable(transport: RequestsTransport) -> None:
    with pytest.raises(HosterUnavailable, match="no answer"):
        resolve_stream("VOE", "http://127.0.0.1:9/e/abc", transport, allow_private_hosts=True)


@pytest.mark.parametrize("hoster", HOSTERS)
def test_private_hosts_refused_unless_allowed(
    fakesite: FakeSite, transport: RequestsTransport, hoster: str
) -> None:
    embed = embed_via_redirect(fakesite, link_for(fakesite, hoster))
    fakesite.clear_requests()
    with pytest.raises(BlockedUrl):
        resolve_stream(hoster, embed, transport)
    assert fakesite.hoster_requests == []  # refused before any request
    assert resolve_stream(hoster, embed, transport, allow_private_hosts=True).url


def test_unsupported_hoster(transport: RequestsTransport) -> None:
    with pytest.raises(UnsupportedHoster, match="LoadX") as caught:
        resolve_stream("LoadX", "https://example.invalid/e/x", transport)
    assert caught.value.transient is False
    assert supported_hosters() == ["VOE", "Vidmoly", "Vidoza", "Doodstream", "Filemoon", "Vidara"]
    assert is_supported("voe") and is_supported("DOODSTREAM") and not is_supported("LoadX")


def test_hoster_name_is_case_insensitive(fakesite: FakeSite, transport: RequestsTransport) -> None:
    embed = embed_via_redirect(fakesite, link_for(fakesite, "Vidoza"))
    stream = resolve_stream("vidoza", embed, transport, allow_private_hosts=True)
    assert stream.hoster == "Vidoza"


def test_impersonating_transport_works_too(fakesite: FakeSite) -> None:
    client = make_transport("impersonate", fakesite.url)
    try:
        stream = _resolve(fakesite, "VOE", client)  # type: ignore[arg-type]
    finally:
        client.close()
    assert stream.headers["User-Agent"] == client.user_agent
    assert fetch(stream).status_code == 200
