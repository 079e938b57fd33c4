"""Filemoon/Byse in both API generations against the strict stand-in (ref site-2026 §5.1)."""

from __future__ import annotations

import json

import pytest

from aniworld.hosters import HosterUnavailable, filemoon, resolve_stream
from aniworld.site.transport import RequestsTransport
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite
from tests.fakesite.hosters import filemoon as fake_filemoon
from tests.hosters.helpers import (
    assert_fetchable,
    embed_via_redirect,
    link_for,
)


def _resolve(
    site: FakeSite, transport: RequestsTransport, mode: str, monkeypatch: pytest.MonkeyPatch
) -> Stream:
    link = link_for(site, "Filemoon")
    monkeypatch.setitem(fake_filemoon.VARIANTS, link.code, mode)
    embed = embed_via_redirect(site, link)
    site.clear_requests()
    return resolve_stream("Filemoon", embed, transport, allow_private_hosts=True)


@pytest.mark.parametrize("mode", ["api", "embedplayback", "embedplain"])
def test_first_generation_get_api(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    stream = _resolve(fakesite, transport, mode, monkeypatch)
    assert stream.kind is StreamKind.HLS and "master.m3u8" in stream.url  # the 1080p source
    assert stream.headers["Referer"] == fakesite.hoster_url
    assert_fetchable(stream, hls=True)


@pytest.mark.parametrize("mode", ["byse", "byse-embed"])
def test_byse_generation_details_settings_post_playback(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    stream = _resolve(fakesite, transport, mode, monkeypatch)
    frame = fakesite.hoster_url.replace("127.0.0.1", fake_filemoon.FRAME_HOST)
    assert stream.kind is StreamKind.HLS and "master.m3u8" in stream.url  # the 1080p source
    assert stream.headers["Referer"] == frame and stream.headers["Origin"] == frame
    assert_fetchable(stream, hls=True)
    (playback,) = fakesite.requests_to("/api/videos/", server="hoster")[-1:]
    assert playback.method == "POST" and playback.path.endswith("/playback")
    assert playback.headers["Origin"] == frame
    assert set(json.loads(playback.body)["fingerprint"]) >= {"viewer_id", "device_id", "token"}


def test_byse_api_refuses_a_client_without_the_frame_headers(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stand-in is strict: playback needs POST, the fingerprint and the frame headers."""
    code = link_for(fakesite, "Filemoon").code
    monkeypatch.setitem(fake_filemoon.VARIANTS, code, "byse")
    frame = fakesite.hoster_url.replace("127.0.0.1", fake_filemoon.FRAME_HOST)
    url = f"{frame}/api/videos/{code}/playback"
    good = {"Referer": frame + "/", "Origin": frame, "X-Embed-Parent": fakesite.hoster_url}
    body = {"fingerprint": filemoon.fingerprint()}
    assert transport.request("POST", url, headers=good, json=body).status == 200
    assert transport.request("GET", url, headers=good).status == 405
    assert transport.request("POST", url, headers=good, json={}).status == 400
    bare = {k: v for k, v in good.items() if k != "X-Embed-Parent"}
    assert transport.request("POST", url, headers=bare, json=body).status == 403


def test_byse_captcha_is_typed(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(HosterUnavailable, match="captcha"):
        _resolve(fakesite, transport, "byse-captcha", monkeypatch)


def test_fingerprint_token_is_json_dot_sha256() -> None:
    made = filemoon.fingerprint()
    body, digest = str(made["token"]).split(".")
    ids = json.loads(filemoon.b64url(body))
    assert ids == {"viewer_id": made["viewer_id"], "device_id": made["device_id"]}
    assert len(filemoon.b64url(digest)) == 32
