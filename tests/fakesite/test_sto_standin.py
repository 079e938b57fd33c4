"""The s.to V2 stand-in answers as reference site-2026 §9 (items 1-11) asks, over plain HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import html
import http.client
import json
import re
import threading
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


@pytest.mark.parametrize(("path", "season"), [
    ("/serie/demo-serie", 1), ("/serie/demo-serie/staffel-2", 2),
    ("/serie/demo-serie/staffel-0", 0),
])
def test_season_nav_marks_the_asked_season_active(fakesite: Any, path: str, season: int) -> None:
    """§9.1: every season is in the nav, the asked one (1 on the bare series path) is active,
    and the table holds that season's rows only."""
    page = get(fakesite, path)
    assert page.status_code == 200
    pills = re.findall(r'data-season-pill="(\d+)"( class="active")?', page.text)
    assert [int(number) for number, _ in pills] == [0, 1, 2]
    assert [int(number) for number, active in pills if active] == [season]
    rows = re.findall(r"onclick=\"window\.location='[^']*/staffel-(\d+)/episode-\d+'", page.text)
    assert rows and set(rows) == {str(season)}
    assert get(fakesite, "/serie/demo-serie/staffel-9").status_code == 404


def test_series_page_has_description_and_imdb_link(fakesite: Any) -> None:
    """§9.2 (§1.4): ``span.description-text`` (escaped) and the IMDb link, href before class
    and with its trailing slash, on the meta line."""
    series = fakesite.catalog.series("demo-serie", STO_V2)
    page = get(fakesite, "/serie/demo-serie").text
    [description] = re.findall(r'<span class="description-text">([^<]*)</span>', page)
    assert description != series.description and html.unescape(description) == series.description
    meta = re.search(r'<p class="small text-muted mb-2">(.*?)</p>', page, re.S)[1]
    assert (f'<a href="https://www.imdb.com/title/{series.imdb}/" '
            'class="small text-muted text-decoration-none">IMDb</a>') in meta


def test_episode_page_carries_the_gate_modal_hidden(fakesite: Any) -> None:
    """§9.4 (§1.5, §1.6): the gate root and the Turnstile modal are on every episode page,
    closed (no ``show``), with an empty token; the page itself is no gate answer."""
    page = get(fakesite, "/serie/demo-serie/staffel-1/episode-1")
    assert page.status_code == 200 and "Stream wird vorbereitet" not in page.text
    text = page.text
    assert re.search(r'<div id="episode-redirect-gate-root" data-turnstile-sitekey="[^"]+">', text)
    assert '<div class="modal fade" id="playerPrepareModal" aria-hidden="true">' in text
    modal = text[text.index('id="playerPrepareModal"'):]
    assert '<form id="player-prepare-form" method="post" action="/r">' in modal
    assert 'id="player-prepare-token" name="t" value=""' in modal
    assert 'id="player-prepare-turnstile" class="cf-turnstile"' in modal
    assert "data-play-url" not in modal  # the buttons come before it, outside the modal


def play_from(fakesite: Any, address: str, play: str) -> int:
    """GET a play URL from a given loopback source address; the status."""
    parts = urlsplit(fakesite.sto_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5,
                                            source_address=(address, 0))
    try:
        connection.request("GET", play)
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def test_rate_gate_is_per_client_and_lifts_after_its_time(fakesite: Any) -> None:
    """§9.7: a third /r within the window gates that client for 30 s, not another client;
    the gate ends by the site's clock and the client starts afresh."""
    fakesite.sto.modes.rate_gate = (2, 10.0, 30.0)
    plays = play_urls(fakesite) + play_urls(fakesite)
    first = [play_from(fakesite, "127.0.0.1", play) for play in plays[:3]]
    assert first == [302, 302, 200]
    assert play_from(fakesite, "127.0.0.2", plays[3]) == 302  # another client is not gated
    assert play_from(fakesite, "127.0.0.1", plays[4]) == 200  # still gated …
    fakesite.sto.advance(29.0)
    assert play_from(fakesite, "127.0.0.1", plays[5]) == 200  # … for the whole 30 s
    fakesite.sto.advance(2.0)
    assert [play_from(fakesite, "127.0.0.1", play) for play in plays[6:]] == [302, 302]
    assert [r.status for r in fakesite.requests_to("/r", server="sto")] == [
        302, 302, 200, 302, 200, 200, 302, 302]


def test_concurrent_plays_trip_the_rate_gate(fakesite: Any) -> None:
    """§9.7: /r sent all at once count like rapid ones: beyond the limit they stay on site."""
    fakesite.sto.modes.rate_gate = (2, 10.0, 30.0)
    plays = play_urls(fakesite)
    start, statuses = threading.Barrier(len(plays)), []

    def fire(play: str) -> None:
        start.wait(timeout=5)
        statuses.append(play_from(fakesite, "127.0.0.1", play))

    threads = [threading.Thread(target=fire, args=(play,)) for play in plays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(statuses) == [200, 200, 302, 302]


def test_tokens_expire_by_the_site_clock(fakesite: Any) -> None:
    """§9.5: a token works within its 60 s and answers 404 after them."""
    early, late, *_ = play_urls(fakesite)
    fakesite.sto.advance(59.0)
    assert get(fakesite, early).status_code == 302
    fakesite.sto.advance(2.0)
    assert get(fakesite, late).status_code == 404
    assert get(fakesite, play_urls(fakesite)[0]).status_code == 302  # a fresh view works


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
