"""The s.to V2 stand-in answers as reference site-2026 §9 (items 1-8) asks, over plain HTTP."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import requests


def get(fakesite: Any, path: str, **params: str) -> requests.Response:
    """GET a path of the s.to stand-in without following redirects."""
    return requests.get(fakesite.sto_url + path, params=params, allow_redirects=False, timeout=5)


def play_urls(fakesite: Any) -> list[str]:
    """The data-play-url values of one view of S01E01."""
    page = get(fakesite, "/serie/demo-serie/staffel-1/episode-1").text
    return re.findall(r'data-play-url="([^"]+)"', page)


def test_suggest_needs_three_characters(fakesite: Any) -> None:
    """Shorter terms give empty arrays; longer ones series paths."""
    assert get(fakesite, "/api/search/suggest", term="De").json() == {
        "shows": [], "people": [], "genres": []}
    shows = get(fakesite, "/api/search/suggest", term="demo").json()["shows"]
    assert [s["url"] for s in shows] == ["/serie/demo-serie", "/serie/demo-serie-reboot-rache"]


def test_search_page_pages_with_rel_next(fakesite: Any) -> None:
    """One card per page here: page 1 links to page 2, page 2 is the last."""
    fakesite.sto.modes.search_page_size = 1
    first = get(fakesite, "/suche", term="demo").text
    last = get(fakesite, "/suche", term="demo", page="2").text
    assert 'rel="next" href="/suche?term=demo&amp;page=2"' in first
    assert "demo-serie-reboot-rache" in last and 'rel="next"' not in last
    assert 'class="search-section--episodes"' in first


def test_play_tokens_look_like_laravel_payloads_and_are_fresh(fakesite: Any) -> None:
    """``t`` is URL-encoded base64 JSON with iv (16 B), value (64 B), mac (64 hex), tag."""
    first, second = play_urls(fakesite), play_urls(fakesite)
    assert len(first) == 4 and set(first).isdisjoint(second)
    payload = json.loads(base64.b64decode(unquote(first[0].removeprefix("/r?t="))))
    assert set(payload) == {"iv", "value", "mac", "tag"}
    assert len(base64.b64decode(payload["iv"])) == 16
    assert len(base64.b64decode(payload["value"])) == 64
    assert re.fullmatch(r"[0-9a-f]{64}", payload["mac"]) and payload["tag"] == ""


def test_play_redirects_or_gates(fakesite: Any) -> None:
    """A valid token 302s off-site; in gate mode the answer is 200 on s.to with the gate."""
    [play, other, *_] = play_urls(fakesite)
    answer = get(fakesite, play)
    assert answer.status_code == 302
    assert urlsplit(answer.headers["Location"]).netloc == urlsplit(fakesite.hoster_url).netloc
    fakesite.sto.modes.gate = True
    gated = get(fakesite, other)
    assert gated.status_code == 200 and "Location" not in gated.headers
    for marker in ("<title>Stream wird vorbereitet...</title>", 'id="player-prepare-form"',
                   'id="player-prepare-turnstile"', "cf-turnstile", "data-turnstile-sitekey"):
        assert marker in gated.text
    assert get(fakesite, "/r", t="bm9wZQ==").status_code == 404


def test_unknown_pages_are_404(fakesite: Any) -> None:
    """Unknown series, season (default mode) and episode."""
    for path in ("/serie/nope", "/serie/demo-serie/staffel-9",
                 "/serie/demo-serie/staffel-1/episode-99"):
        assert get(fakesite, path).status_code == 404
