"""End to end over real HTTP against the local stand-in site (tests/fakesite)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from aniworld.languages import Language
from aniworld.site import SiteClient, SiteSettings
from aniworld.site.errors import (
    CaptchaRequired,
    SiteChallenge,
    SiteNotFound,
    SiteRateLimited,
    SiteServerError,
    SiteSpamBlocked,
    SiteUnreachable,
)
from aniworld.site.transport import CurlTransport, RequestsTransport
from tests.fakesite.content import LONG_SLUG
from tests.fakesite.hosters import embed_url

TRANSPORTS = ["impersonate", "requests"]


def make_client(fakesite: Any, redis: Any = None, **overrides: Any) -> SiteClient:
    """A client for the stand-in with fast back-off and no spacing, unless overridden."""
    options: dict[str, Any] = {
        "base_url": fakesite.url, "min_interval": 0.0, "backoff_base": 0.01, "timeout": 3.0,
    }
    options.update(overrides)
    return SiteClient(SiteSettings(**options), redis=redis)


def page_requests(fakesite: Any) -> list[Any]:
    """Logged requests for pages and JSON (images excluded)."""
    return [r for r in fakesite.requests if not r.path.startswith("/public/")]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_search_merges_both_endpoints_and_caches(fakesite: Any, transport: str) -> None:
    """Only series links, absolute URLs, one request per endpoint, then served from cache."""
    with make_client(fakesite, transport=transport) as client:
        results = client.search("Drache")
        assert {r.key for r in results} >= {"blauer-drache", "roter-drache"}
        assert all(r.url == f"{fakesite.url}/anime/stream/{r.key}" for r in results)
        assert all(r.cover and r.cover.startswith(fakesite.url) for r in results)
        assert sorted(r.path for r in page_requests(fakesite)) == [
            "/ajax/search", "/ajax/seriesSearch",
        ]
        client.search("Drache")
    assert len(page_requests(fakesite)) == 2


def expected_episodes(season: Any) -> list[tuple[int, str, str, frozenset[Language]]]:
    """The catalogue's truth in the parser's shape ([Movie]/[OVA] tags are kept on purpose)."""
    return [
        (e.number, e.title_de, re.sub(r"\s*\[Episode \d+\]$", "", e.title_en),
         frozenset(Language(x) for x in e.languages))
        for e in season.episodes
    ]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_long_series_every_season_within_budget(fakesite: Any, transport: str) -> None:
    """20 seasons cost 21 page requests; a second look within the TTL costs none."""
    truth = fakesite.catalog.series(LONG_SLUG)
    with make_client(fakesite, transport=transport) as client:
        for _ in range(2):
            info = client.series(LONG_SLUG)
            assert info.seasons == truth.season_numbers
            for number in info.seasons:
                got = client.season(LONG_SLUG, number)
                parsed = [(e.number, e.title_de, e.title_en, e.languages) for e in got]
                assert parsed == expected_episodes(truth.season(number))
    assert len(page_requests(fakesite)) == 21


def test_every_series_and_season_of_the_catalogue(fakesite: Any) -> None:
    """Titles, years, films as season 0, episodes and flags for the whole catalogue."""
    with make_client(fakesite) as client:
        # By default an announced season's page has an empty table (modes.announced).
        for truth in (s.announced_without_rows() for s in fakesite.catalog.all()):
            info = client.series(truth.slug)
            assert (info.title, info.start_year, info.end_year) == (
                truth.title, truth.start_year, truth.end_year,
            )
            assert info.alternative_titles == list(truth.alt_titles)
            assert info.seasons == ([0] if truth.has_films else []) + truth.season_numbers
            for number in info.seasons:
                got = client.season(truth.slug, number)
                parsed = [(e.number, e.title_de, e.title_en, e.languages) for e in got]
                assert parsed == expected_episodes(truth.season(number)), (truth.slug, number)


@pytest.mark.parametrize(
    "slug", ["dr-who-s-cat", "sternenstaub", "kaempfer-des-lichts-die-rueckkehr"]
)
def test_episode_hosters_match_the_catalogue(fakesite: Any, slug: str) -> None:
    """Hoster name, language (from the flag box) and link id of every offer."""
    truth = fakesite.catalog.series(slug)
    if truth is None:
        pytest.skip(f"catalogue has no {slug}")
    with make_client(fakesite) as client:
        for episode in truth.announced_without_rows().all_episodes()[:10]:
            got = client.episode_hosters(slug, episode.season, episode.number)
            assert sorted((h.hoster, h.language.value, h.link_id) for h in got.hosters) == sorted(
                (link.hoster, link.language, str(link.link_id)) for link in episode.links
            )


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_resolve_redirect_to_hoster(fakesite: Any, transport: str) -> None:
    """Link id, path or absolute URL all resolve to the hoster's embed URL (not fetched)."""
    series, episode, link = fakesite.catalog.link(
        next(iter(fakesite.catalog.series("dr-who-s-cat").episode(1, 2).links)).link_id
    )
    expected = embed_url(fakesite.hoster_url, link)
    with make_client(fakesite, transport=transport) as client:
        hosters = client.episode_hosters("dr-who-s-cat", 1, 2)
        assert client.resolve_redirect(hosters.hosters[0].redirect_url) == expected
        assert client.resolve_redirect(str(link.link_id)) == expected
        assert client.resolve_redirect(f"https://elsewhere.example/redirect/{link.link_id}") == (
            expected
        )
    assert fakesite.hoster_requests == []


def a_link_id(fakesite: Any) -> str:
    """Any existing /redirect/ id."""
    return str(fakesite.catalog.series("dr-who-s-cat").episode(1, 1).links[0].link_id)


def test_captcha_on_redirect(fakesite: Any) -> None:
    """The redirect stays on the site: CaptchaRequired naming the URL to open."""
    fakesite.set_fault("captcha")
    link_id = a_link_id(fakesite)
    with make_client(fakesite) as client, pytest.raises(CaptchaRequired) as info:
        client.resolve_redirect(link_id)
    assert info.value.url == f"{fakesite.url}/redirect/{link_id}"
    assert f"open {fakesite.url}/redirect/{link_id} in your browser" in str(info.value)


def test_redirect_refused_with_403(fakesite: Any) -> None:
    """A 403 on the redirect is a challenge, retried once, not a captcha."""
    fakesite.set_fault("status", status=403, prefix="/redirect/")
    with make_client(fakesite) as client, pytest.raises(SiteChallenge):
        client.resolve_redirect(a_link_id(fakesite))
    assert len(fakesite.requests_to("/redirect/")) == 2


@pytest.mark.parametrize("kind", ["ddos_guard", "cloudflare"])
def test_challenge_is_retried_at_most_once(fakesite: Any, kind: str) -> None:
    """No retry storm: two requests, then an actionable SiteChallenge."""
    fakesite.set_fault(kind)
    with make_client(fakesite, max_retries=5) as client, pytest.raises(SiteChallenge) as info:
        client.series("dr-who-s-cat")
    assert "import your browser's cookies" in str(info.value)
    assert len(page_requests(fakesite)) == 2


def test_challenge_passes_when_cookie_was_set(fakesite: Any) -> None:
    """A one-off check page followed by the real page succeeds on the single retry."""
    fakesite.set_fault("ddos_guard", times=1)
    with make_client(fakesite) as client:
        assert client.series("dr-who-s-cat").title == "Dr. Who's Cat"


def test_spam_block_is_not_retried(fakesite: Any) -> None:
    """The site's spam sentence is raised at once."""
    fakesite.set_fault("spam")
    with make_client(fakesite) as client, pytest.raises(SiteSpamBlocked):
        client.series("dr-who-s-cat")
    assert len(page_requests(fakesite)) == 1


def test_rate_limit_honours_retry_after(fakesite: Any) -> None:
    """429 + Retry-After: 1 → wait about a second, then succeed."""
    fakesite.set_fault("rate_limit", times=1, retry_after=1)
    started = time.monotonic()
    with make_client(fakesite) as client:
        assert client.series("dr-who-s-cat").seasons == [1, 2]
    first, second = page_requests(fakesite)
    assert second.start - first.start >= 0.95
    assert time.monotonic() - started < 3


def test_rate_limit_longer_than_max_wait_is_raised(fakesite: Any) -> None:
    """A long Retry-After is passed to the caller instead of blocking the worker."""
    fakesite.set_fault("rate_limit", retry_after=120)
    with make_client(fakesite, max_wait=5) as client, pytest.raises(SiteRateLimited) as info:
        client.series("dr-who-s-cat")
    assert info.value.retry_after == 120
    with make_client(fakesite, max_wait=5) as other, pytest.raises(SiteRateLimited):
        other.series("sternenstaub")  # the cool-down is shared: no request at all
    assert len(page_requests(fakesite)) == 1


def test_server_error_then_recovery(fakesite: Any) -> None:
    """Two 503s, then the page."""
    fakesite.set_fault("status", status=503, times=2)
    with make_client(fakesite) as client:
        assert client.series("dr-who-s-cat").title == "Dr. Who's Cat"
    assert [r.status for r in page_requests(fakesite)] == [503, 503, 200]


def test_server_error_gives_up_after_max_retries(fakesite: Any) -> None:
    """Persistent 500: max_retries + 1 requests, then SiteServerError (502 for the web layer)."""
    fakesite.set_fault("status", status=500)
    with make_client(fakesite, max_retries=2) as client, pytest.raises(SiteServerError) as info:
        client.series("dr-who-s-cat")
    assert info.value.status == 502
    assert len(page_requests(fakesite)) == 3


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_slow_response_times_out_then_recovers(fakesite: Any, transport: str) -> None:
    """One answer slower than the timeout is retried; a slow site is SiteUnreachable."""
    fakesite.set_fault("slow", latency_ms=800, times=1)
    with make_client(fakesite, transport=transport, timeout=0.3) as client:
        assert client.series("dr-who-s-cat").seasons == [1, 2]
    fakesite.set_fault("slow", latency_ms=800)
    with make_client(fakesite, transport=transport, timeout=0.3, max_retries=1) as client:
        with pytest.raises(SiteUnreachable) as info:
            client.series("sternenstaub")
    assert info.value.status == 504


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_truncated_body(fakesite: Any, transport: str) -> None:
    """A cut-off body is retried; if it keeps happening, SiteUnreachable."""
    fakesite.set_fault("truncate", times=1)
    with make_client(fakesite, transport=transport) as client:
        assert len(client.season("dr-who-s-cat", 1)) == 8
    fakesite.set_fault("truncate")
    with make_client(fakesite, transport=transport, max_retries=1) as client:
        with pytest.raises(SiteUnreachable):
            client.season("sternenstaub", 0)


def test_unknown_series_and_season(fakesite: Any) -> None:
    """Soft 404 and a season the series does not have; a not-found page is never cached."""
    with make_client(fakesite) as client:
        for _ in range(2):
            with pytest.raises(SiteNotFound):
                client.series("does-not-exist")
        assert len(page_requests(fakesite)) == 2
        with pytest.raises(SiteNotFound):
            client.season("dr-who-s-cat", 9)
        assert client.season("dr-who-s-cat", 2) == []


def test_default_transport_is_curl_cffi_and_fallback_is_requests(fakesite: Any) -> None:
    """Impersonating curl_cffi by default, plain requests on request; one UA per client."""
    with make_client(fakesite) as client:
        assert isinstance(client.transport, CurlTransport)
        client.series("dr-who-s-cat")
        client.season("dr-who-s-cat", 1)
        curl_ua = client.user_agent
    with make_client(fakesite, transport="requests") as fallback:
        assert isinstance(fallback.transport, RequestsTransport)
        fallback.series("sternenstaub")
        requests_ua = fallback.user_agent
    agents = [r.headers.get("User-Agent") for r in page_requests(fakesite)]
    assert agents == [curl_ua, curl_ua, requests_ua]
    assert "Chrome/" in curl_ua


def test_headers_cookies_and_user_agent_setting(fakesite: Any) -> None:
    """Imported cookies are sent; ajax calls look like the site's own XHR; fixed UA kept."""
    settings = {"cookies": "__ddg1_=abc; aniworld_session=s1", "user_agent": "UA/1"}
    with make_client(fakesite, **settings) as client:
        client.search("Drache")
        client.series("dr-who-s-cat")
    ajax, page = page_requests(fakesite)[0], page_requests(fakesite)[-1]
    assert "__ddg1_=abc" in ajax.headers.get("Cookie", "")
    assert ajax.headers.get("X-Requested-With") == "XMLHttpRequest"
    assert ajax.headers.get("Referer", "").startswith(f"{fakesite.url}/search?q=")
    assert page.headers.get("User-Agent") == "UA/1"
