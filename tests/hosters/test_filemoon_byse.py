"""Filemoon/Byse in both API generations against the strict stand-in (ref site-2026 §5.1)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from aniworld.hosters import ExtractorOutdated, HosterUnavailable, filemoon, resolve_stream
from aniworld.site.transport import RequestsTransport
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite
from tests.fakesite.hosters import filemoon as fake_filemoon
from tests.hosters.helpers import (
    USER_AGENT,
    assert_fetchable,
    embed_via_redirect,
    fetch,
    first_segment,
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


# --- legacy player chain (§9.23) -----------------------------------------------------------


@pytest.mark.parametrize("page", ["e", "d"])
def test_legacy_player_is_the_last_iframe(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch,
    page: str,
) -> None:
    code = link_for(fakesite, "Filemoon").code
    monkeypatch.setitem(fake_filemoon.VARIANTS, code, "legacy")
    stream = resolve_stream("Filemoon", f"{fakesite.hoster_url}/{page}/{code}", transport,
                            allow_private_hosts=True)
    frame = fakesite.hoster_url.replace("127.0.0.1", fake_filemoon.FRAME_HOST)
    assert stream.headers["Referer"] == f"{frame}/bkg/{code}"
    assert_fetchable(stream, hls=True)
    pages = [r.path for r in fakesite.hoster_requests if not r.path.startswith(("/api/", "/cdn/"))]
    assert pages == [f"/{page}/{code}", f"/bkg/{code}"]


def test_legacy_page_has_no_player_of_its_own_and_a_decoy_first_iframe(
    fakesite: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = link_for(fakesite, "Filemoon").code
    monkeypatch.setitem(fake_filemoon.VARIANTS, code, "legacy")
    ua = {"User-Agent": USER_AGENT}
    page = requests.get(f"{fakesite.hoster_url}/d/{code}", headers=ua, timeout=5).text
    first, *_, last = re.findall(r'<iframe src="([^"]+)"', page)
    with pytest.raises(ExtractorOutdated):
        filemoon.parse_legacy_page(page)
    decoy = requests.get(urljoin(fakesite.hoster_url, first), headers=ua, timeout=5)
    assert decoy.status_code == 200
    with pytest.raises(ExtractorOutdated):
        filemoon.parse_legacy_page(decoy.text)
    player = requests.get(last, headers=ua, timeout=5).text
    assert "/cdn/filemoon/" in filemoon.parse_legacy_page(player)


# --- captcha and header checks (§9.24, §9.25) ----------------------------------------------


def _frame_call(site: FakeSite, code: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setitem(fake_filemoon.VARIANTS, code, mode)
    frame = site.hoster_url.replace("127.0.0.1", fake_filemoon.FRAME_HOST)
    headers = {"User-Agent": USER_AGENT, "Referer": frame + "/", "Origin": frame,
               "X-Embed-Parent": f"{site.hoster_url}/e/{code}"}
    return requests.post(f"{frame}/api/videos/{code}/playback", headers=headers, timeout=5,
                         json={"fingerprint": filemoon.fingerprint()}).status_code


def test_playback_is_refused_while_a_captcha_is_required(
    fakesite: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = link_for(fakesite, "Filemoon").code
    assert _frame_call(fakesite, code, "byse", monkeypatch) == 200
    assert _frame_call(fakesite, code, "byse-captcha", monkeypatch) == 403


@pytest.mark.parametrize(
    ("mode", "path"),
    [("api", ""), ("embedplayback", "/embed/playback"), ("byse", "/details"),
     ("byse-embed", "/embed/details")],
)
def test_api_wants_referer_and_origin_of_its_own_host(
    fakesite: FakeSite, monkeypatch: pytest.MonkeyPatch, mode: str, path: str
) -> None:
    code = link_for(fakesite, "Filemoon").code
    monkeypatch.setitem(fake_filemoon.VARIANTS, code, mode)
    own, other = fakesite.hoster_url, fakesite.hoster_url.replace("127.0.0.1", "localhost")

    def status(**headers: str) -> int:
        url = f"{own}/api/videos/{code}{path}"
        return requests.get(url, headers={"User-Agent": USER_AGENT, **headers},
                            timeout=5).status_code

    assert status(Referer=f"{own}/e/{code}") == 200
    assert status(Referer=f"{own}/e/{code}", Origin=own) == 200
    assert status() == 403
    assert status(Referer=f"{other}/e/{code}") == 403
    assert status(Referer=f"{own}/e/{code}", Origin=other) == 403
    assert status(Origin=own) == 403


@pytest.mark.parametrize("mode", ["api", "byse", "legacy"])
def test_media_wants_the_referer_of_the_host_that_named_it(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    stream = _resolve(fakesite, transport, mode, monkeypatch)
    master = fetch(stream)
    assert master.status_code == 200
    segment = first_segment(stream, master.text)
    own = urlsplit(stream.url).netloc
    elsewhere = own.replace("localhost", "127.0.0.1") if "localhost" in own else (
        own.replace("127.0.0.1", "localhost"))
    for media in (stream, segment):
        assert fetch(media).status_code == 200
        assert fetch(media, drop="Referer").status_code == 403
        foreign = {**media.headers, "Referer": f"http://{elsewhere}/",
                   "Origin": f"http://{elsewhere}"}
        assert fetch(replace(media, headers=foreign)).status_code == 403
