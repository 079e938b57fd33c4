"""Embed pages are loaded like the browser's iframe load: Referer = the site, ``Sec-Fetch-*``."""

from __future__ import annotations

import pytest

from aniworld.hosters import resolve_stream, supported_hosters
from aniworld.hosters.common import page_headers
from aniworld.site.transport import RequestsTransport
from tests.fakesite import FakeSite
from tests.fakesite.hosters import filemoon as fake_filemoon
from tests.hosters.helpers import USER_AGENT, embed_via_redirect, link_for


@pytest.mark.parametrize("hoster", supported_hosters())
def test_embed_load_names_the_site_as_its_iframe_parent(
    fakesite: FakeSite, transport: RequestsTransport, hoster: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = link_for(fakesite, hoster)
    # Filemoon asks its API first and loads the embed page only for the legacy player.
    monkeypatch.setitem(fake_filemoon.VARIANTS, link.code, "legacy")
    embed = embed_via_redirect(fakesite, link)
    fakesite.clear_requests()
    resolve_stream(hoster, embed, transport, allow_private_hosts=True)
    first = next(r for r in fakesite.hoster_requests if embed.endswith(r.path))
    assert first.headers["Referer"] == fakesite.url + "/"
    assert first.headers["Sec-Fetch-Dest"] == "iframe"
    assert first.headers["Sec-Fetch-Mode"] == "navigate"
    assert first.headers["Sec-Fetch-Site"] == "cross-site"
    assert first.headers["User-Agent"] == USER_AGENT


def test_explicit_referer_is_kept_and_same_origin_is_told_apart() -> None:
    hop = page_headers("https://voe.example/e/abc", "https://voe.example/abc")
    assert hop["Referer"] == "https://voe.example/e/abc" and hop["Sec-Fetch-Site"] == "same-origin"
    away = page_headers("https://voe.example/", "https://alias.example/abc")
    assert away["Sec-Fetch-Site"] == "cross-site"
    assert "Referer" not in page_headers() and "Sec-Fetch-Site" not in page_headers()
