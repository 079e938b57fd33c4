"""The s.to V2 stand-in answers as reference site-2026 §9 (items 1-11) asks, over plain HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
import requests

from tests.fakesite.content import STO_V2
from tests.fakesite.sto_site import STO_HOST


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


CALENDAR_FIELDS = {"date", "time", "title", "language", "language_id", "season", "episode",
                   "released", "url", "cover_url"}


def calendar(fakesite: Any, referer: str | None, base: str | None = None) -> requests.Response:
    """GET /api/calendar as the calendar page's XHR does (or without a Referer)."""
    headers = {"Accept": "application/json", "X-Requested-With": "XMLHttpRequest"}
    if referer is not None:
        headers["Referer"] = referer
    return requests.get((base or fakesite.sto_url) + "/api/calendar", headers=headers,
                        timeout=5)


def test_calendar_page_and_api(fakesite: Any) -> None:
    """§9.9: the HTML page sets a cookie; the API is an object keyed by date, every entry
    with the §7.3 fields, released and scheduled ones."""
    page = get(fakesite, "/serienkalender")
    assert page.status_code == 200 and page.cookies.get("serienstream_session")
    assert 'data-endpoint="/api/calendar"' in page.text
    answer = calendar(fakesite, fakesite.sto_url + "/serienkalender")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    days = answer.json()
    assert days and all(re.fullmatch(r"\d{4}-\d\d-\d\d", day) for day in days)
    entries = [entry for items in days.values() for entry in items]
    assert all(set(entry) == CALENDAR_FIELDS for entry in entries)
    assert {entry["released"] for entry in entries} == {True, False}
    assert all(entry["date"] == day for day, items in days.items() for entry in items)
    assert {entry["language_id"] for entry in entries} == {1, 2, 3}


@pytest.mark.parametrize("strict", [True, False])
def test_calendar_api_referer_mode(fakesite: Any, strict: bool) -> None:
    """[inf] strict (default): 403 unless the Referer is the calendar page; lax: always."""
    fakesite.sto.modes.calendar_referer = strict
    refused = 403 if strict else 200
    assert calendar(fakesite, None).status_code == refused
    assert calendar(fakesite, fakesite.sto_url + "/").status_code == refused
    assert calendar(fakesite, fakesite.sto_url + "/serienkalender").status_code == 200


def test_calendar_lists_a_release_as_online_today(fakesite: Any) -> None:
    episode = fakesite.release("demo-serie-reboot-rache", 1, site=STO_V2)
    days = calendar(fakesite, fakesite.sto_url + "/serienkalender").json()
    path = f"/serie/demo-serie-reboot-rache/staffel-1/episode-{episode.number}"
    [entry] = [e for items in days.values() for e in items if e["url"] == path]
    assert entry["released"] is True and entry["date"] == dt.date.today().isoformat()


def test_ip_host_answers_only_for_the_site_name(fakesite: Any) -> None:
    """§9.10: the "IP" host refuses requests naming it by address or another name."""
    url = fakesite.sto_ip_url + "/serie/demo-serie"
    assert requests.get(url, timeout=5).status_code == 404
    assert requests.get(url, headers={"Host": "serienstream.cx"}, timeout=5).status_code == 404
    named = requests.get(url, headers={"Host": STO_HOST}, timeout=5)
    assert named.status_code == 200 and 'id="season-nav"' in named.text
    assert f"http://{STO_HOST}/serie/demo-serie/staffel-1/episode-1" in named.text


@pytest.mark.parametrize("status", [403, 503])
def test_challenge_on_one_host_only(fakesite: Any, status: int) -> None:
    """§9.11: a Cloudflare check page on the first host; the mirror still serves the site."""
    fakesite.set_fault("cloudflare", server="sto", status=status)
    checked = get(fakesite, "/serie/demo-serie")
    assert checked.status_code == status
    assert "<title>Just a moment...</title>" in checked.text
    assert "cdn-cgi/challenge-platform" in checked.text
    mirror = requests.get(fakesite.sto_mirror_url + "/serie/demo-serie", timeout=5)
    assert mirror.status_code == 200 and 'id="season-nav"' in mirror.text
