"""Shared helpers for the hoster tests: links by hoster, real transports, stub transports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urljoin

import requests

from aniworld.site.transport import Response, make_transport
from aniworld.streams import Stream
from tests.fakesite import FakeSite, HosterLink

USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AniworldTest/1.0"


def link_for(site: FakeSite, hoster: str) -> HosterLink:
    """The first catalogue link served by ``hoster``."""
    for series in site.catalog.series_list:
        for episode in series.all_episodes():
            for link in episode.links:
                if link.hoster == hoster:
                    return link
    raise LookupError(hoster)


def embed_via_redirect(site: FakeSite, link: HosterLink) -> str:
    """Follow the site's /redirect/<id> like the app does and return the embed URL."""
    transport = make_transport("requests", site.url, user_agent=USER_AGENT)
    try:
        return transport.request("GET", f"{site.url}/redirect/{link.link_id}").url
    finally:
        transport.close()


def fetch(stream: Stream, drop: str | None = None) -> requests.Response:
    """GET the media with the stream's headers (optionally without one of them)."""
    headers = {k: v for k, v in stream.headers.items() if k != drop}
    return requests.get(stream.url, headers=headers, timeout=5)


def first_segment(stream: Stream, master: str) -> Stream:
    """The stream's first media segment: master -> first variant -> first segment."""
    variant_url = urljoin(stream.url, _first_uri(master))
    playlist = requests.get(variant_url, headers=stream.headers, timeout=5).text
    return replace(stream, url=urljoin(variant_url, _first_uri(playlist)))


def _first_uri(playlist: str) -> str:
    return next(line for line in playlist.splitlines() if line and not line.startswith("#"))


@dataclass
class StubTransport:
    """A Transport answering every URL from a function; for parser property tests."""

    answer: Callable[[str], str]
    user_agent: str = USER_AGENT

    def request(
        self, method: str, url: str, *, headers: Mapping[str, str] | None = None, **_: object
    ) -> Response:
        """Return 200 with the text the answer function gives for ``url``."""
        return Response(200, {}, self.answer(url), url)

    def close(self) -> None:
        """Nothing to release."""


def assert_fetchable(stream: Stream, hls: bool) -> None:
    """The media answers with the stream's headers and refuses one without Referer or UA."""
    answer = fetch(stream)
    assert answer.status_code in (200, 206)
    if hls:
        # Playlists only need the UA; the bytes (segments) also need the Referer.
        stream = first_segment(stream, answer.text)
        assert fetch(stream).status_code in (200, 206)
    assert fetch(stream, drop="Referer").status_code == 403
    bare = replace(stream, headers={**stream.headers, "User-Agent": ""})
    assert fetch(bare).status_code == 403
