"""Vidara (site-2026 §2, §9.12–13): the extractor against the strict stand-in over real HTTP."""

from __future__ import annotations

import json
from dataclasses import replace

import certifi
import pytest
import requests

from aniworld.downloader import DownloadSettings, MediaServerError
from aniworld.downloader.transfer import Transfer, new_session, open_media
from aniworld.hosters import (
    ExtractorOutdated,
    HosterDrmProtected,
    HosterFileGone,
    HosterUnavailable,
    resolve_stream,
)
from aniworld.hosters.vidara import filecode, parse_answer
from aniworld.site.transport import RequestsTransport
from aniworld.streams import Stream, StreamKind
from tests.fakesite import FakeSite, tls
from tests.fakesite.hosters import vidara as fake
from tests.hosters.helpers import USER_AGENT, embed_via_redirect, fetch, first_segment, link_for


@pytest.fixture
def code(fakesite: FakeSite) -> str:
    """Embed code of the catalogue's first Vidara link (the Vidara-only episode)."""
    return link_for(fakesite, "Vidara").code


def _resolve(site: FakeSite, transport: RequestsTransport, url: str | None = None) -> Stream:
    embed = url or embed_via_redirect(site, link_for(site, "Vidara"))
    site.clear_requests()
    return resolve_stream("Vidara", embed, transport, allow_private_hosts=True)


def _post(site: FakeSite, body: object, **headers: str) -> requests.Response:
    base = {"User-Agent": USER_AGENT, "Origin": site.hoster_url}
    return requests.post(site.hoster_url + "/api/stream", json=body, headers={**base, **headers},
                         timeout=5)


def test_vidara_only_episode_is_offered_by_the_site(fakesite: FakeSite) -> None:
    episode = fakesite.catalog.series("nebelufer").episode(1, 1)
    assert episode.hosters == ["Vidara"]
    page = requests.get(fakesite.url + "/anime/stream/nebelufer/staffel-1/episode-1", timeout=5)
    assert "<h4>Vidara</h4>" in page.text


def test_resolves_by_post_and_media_needs_the_returned_headers(
    fakesite: FakeSite, transport: RequestsTransport
) -> None:
    stream = _resolve(fakesite, transport)
    assert stream.kind is StreamKind.HLS and stream.hoster == "Vidara"
    assert stream.url.startswith(fakesite.hoster_url.replace("http:", "https:"))
    assert stream.headers == {"User-Agent": USER_AGENT, "Referer": fakesite.hoster_url + "/"}
    (api,) = fakesite.requests_to("/api/stream", server="hoster")
    assert api.method == "POST" and api.headers["Origin"] == fakesite.hoster_url
    assert json.loads(api.body) == {"filecode": link_for(fakesite, "Vidara").code,
                                    "device": "web"}
    master = fetch(stream)
    assert master.status_code == 200 and "#EXT-X-STREAM-INF" in master.text
    assert fetch(stream, drop="Referer").status_code == 403
    segment = first_segment(stream, master.text)
    assert fetch(segment).status_code == 200
    assert fetch(segment, drop="Referer").status_code == 403


@pytest.mark.parametrize("form", ["/v/{code}", "/{code}?24", "/embed-{code}.html", "/e/{code}"])
def test_every_url_form_resolves(
    fakesite: FakeSite, transport: RequestsTransport, code: str, form: str
) -> None:
    stream = _resolve(fakesite, transport, fakesite.hoster_url + form.format(code=code))
    assert fetch(stream).status_code == 200
    if form.startswith("/v/"):  # the public page's iframe points at the other host name
        mirror = fakesite.hoster_url.replace("127.0.0.1", "localhost")
        assert stream.url.startswith(mirror.replace("http:", "https:"))
        assert stream.headers["Referer"] == mirror + "/"


@pytest.mark.parametrize(
    ("variant", "error"),
    [("gone", HosterFileGone), ("nourl", ExtractorOutdated), ("drm", HosterDrmProtected),
     ("broken", HosterUnavailable)],
)
def test_api_failures_are_typed(
    fakesite: FakeSite, transport: RequestsTransport, code: str, variant: str,
    error: type[Exception], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(fake.VARIANTS, code, variant)
    with pytest.raises(error) as caught:
        _resolve(fakesite, transport)
    assert caught.type is error


def test_unknown_file_is_gone(fakesite: FakeSite, transport: RequestsTransport) -> None:
    with pytest.raises(HosterFileGone):
        _resolve(fakesite, transport, fakesite.hoster_url + "/e/zzzzzzzzzzzz")


def test_api_that_refuses_post_means_the_extractor_is_outdated(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake.RULES, "api_methods", ("GET",))  # the pre-April-2026 API
    with pytest.raises(ExtractorOutdated, match="HTTP 405"):
        _resolve(fakesite, transport)


def test_stand_in_refuses_what_the_real_api_refuses(fakesite: FakeSite, code: str) -> None:
    api = fakesite.hoster_url + "/api/stream"
    ok = {"filecode": code, "device": "web"}
    assert requests.get(api, params={"filecode": code}, headers={"User-Agent": USER_AGENT},
                        timeout=5).status_code == 405
    assert _post(fakesite, ok).status_code == 200
    assert _post(fakesite, {"filecode": code}).status_code == 400
    assert _post(fakesite, "not an object").status_code == 400
    form = requests.post(api, data=ok, timeout=5,
                         headers={"User-Agent": USER_AGENT, "Origin": fakesite.hoster_url})
    assert form.status_code == 400
    unknown = _post(fakesite, {"filecode": "zzzzzzzzzzzz", "device": "web"})
    assert unknown.status_code == 404 and unknown.json() == {"error": "File not found"}
    assert _post(fakesite, ok, Origin="http://elsewhere.example").status_code == 403


def test_origin_rule_is_switchable(
    fakesite: FakeSite, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"filecode": code, "device": "web"}
    assert _post(fakesite, body, Origin="").status_code == 403
    monkeypatch.setattr(fake.RULES, "require_origin", False)
    assert _post(fakesite, body, Origin="").status_code == 200


def test_legacy_get_is_switchable(
    fakesite: FakeSite, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fake.RULES, "api_methods", ("GET", "POST"))
    answer = requests.get(fakesite.hoster_url + "/api/stream", params={"filecode": code},
                          headers={"User-Agent": USER_AGENT}, timeout=5)
    assert answer.status_code == 200 and parse_answer(answer.text).startswith("http")


def test_streaming_url_token_and_expiry(
    fakesite: FakeSite, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = {"User-Agent": USER_AGENT, "Referer": fakesite.hoster_url + "/"}
    url = parse_answer(_post(fakesite, {"filecode": code, "device": "web"}).text)
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    forged = url.replace("t=", "t=0")
    assert requests.get(forged, headers=headers, timeout=5).status_code == 403
    monkeypatch.setattr(fake.RULES, "lifetime", -1)
    expired = parse_answer(_post(fakesite, {"filecode": code, "device": "web"}).text)
    refused = requests.get(expired, headers=headers, timeout=5)
    assert refused.status_code == 403 and b"expired" in refused.content


def test_media_is_https_and_trusted_only_through_the_test_ca(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = _resolve(fakesite, transport)
    assert stream.url.startswith("https://") and fetch(stream).status_code == 200
    plain = replace(stream, url=stream.url.replace("https:", "http:", 1))
    assert fetch(plain).status_code == 403  # the playlist is served over TLS only
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(stream.url, headers=stream.headers, timeout=5, verify=certifi.where())
    settings = DownloadSettings(allow_private_hosts=True)
    session = new_session(stream.headers, 1)
    open_media(session, stream.url, Transfer(settings)).close()
    # The downloader verifies certificates: without the test CA it refuses the server.
    monkeypatch.delenv(tls.ENV)
    with pytest.raises(MediaServerError, match="CERTIFICATE_VERIFY_FAILED"):
        open_media(new_session(stream.headers, 1), stream.url, Transfer(settings))


def test_media_referer_rule_is_switchable(
    fakesite: FakeSite, transport: RequestsTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = _resolve(fakesite, transport)
    assert fetch(stream, drop="Referer").status_code == 403
    monkeypatch.setattr(fake.RULES, "media_referer", False)
    assert fetch(stream, drop="Referer").status_code == 200


@pytest.mark.parametrize(
    ("url", "code"),
    [("https://vidara.to/e/mfNDlA9tr8zjw", "mfNDlA9tr8zjw"),
     ("https://vidara.so/xkNOuHSrCNMj?24", "xkNOuHSrCNMj"),
     ("https://vidara.to/v/mfNDlA9tr8zjw", "mfNDlA9tr8zjw"),
     ("https://vidara.to/embed-ab_cd-EF12.html", "ab_cd-EF12")],
)
def test_filecode_of_each_url_form(url: str, code: str) -> None:
    assert filecode(url) == code


@pytest.mark.parametrize(
    "text", ["<html>", "[]", '{"streaming_url": ""}', '{"streaming_url": "ftp://x/y.m3u8"}'],
)
def test_unusable_answers_mean_outdated(text: str) -> None:
    with pytest.raises(ExtractorOutdated):
        parse_answer(text)


def test_drm_answer_is_its_own_error() -> None:
    text = '{"streaming_url": "https://x/master.m3u8", "license_url": "https://x/l"}'
    with pytest.raises(HosterDrmProtected, match="DRM") as caught:
        parse_answer(text)
    assert not caught.value.transient
