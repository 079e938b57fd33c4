"""One function decides what an answer means: ok, not found, challenge, block, slow down, 5xx."""

from __future__ import annotations

import pytest

from aniworld.site.classify import classify_response, retry_after_seconds
from aniworld.site.errors import (
    SiteChallenge,
    SiteNotFound,
    SiteRateLimited,
    SiteServerError,
    SiteSpamBlocked,
)
from aniworld.site.transport import Response

PAGE = '<div class="hosterSiteDirectNav" id="stream"></div>'


def answer(status: int, text: str = "", **headers: str) -> Response:
    """A Response with lower-case header names."""
    return Response(status, {k.replace("_", "-"): v for k, v in headers.items()}, text, "u")


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (answer(200, PAGE), None),
        (answer(302, "", location="/x"), None),
        (answer(200, "[]"), None),
        (answer(403, "<title>DDoS-Guard</title>Checking your browser"), SiteChallenge),
        (answer(200, "<title>DDOS-GUARD</title><a href='/.well-known/ddos-guard/id/1'>"),
         SiteChallenge),
        (answer(403, "<title>Just a moment...</title>"), SiteChallenge),
        (answer(503, "<script src='/cdn-cgi/challenge-platform/x'>"), SiteChallenge),
        (answer(403, "Forbidden"), SiteChallenge),
        (answer(200, "<p>Deine Anfrage wurde als Spam erkannt.</p>"), SiteSpamBlocked),
        (answer(429, "", retry_after="7"), SiteRateLimited),
        (answer(404, "nope"), SiteNotFound),
        (answer(500, "boom"), SiteServerError),
        (answer(502, "bad gateway"), SiteServerError),
        (answer(400, "bad"), SiteServerError),
    ],
)
def test_classification(response: Response, expected: type | None) -> None:
    """Status, headers and body markers map to exactly one outcome."""
    result = classify_response(response)
    assert (type(result) if result else None) is expected


def test_site_page_mentioning_ddos_guard_is_not_a_challenge() -> None:
    """A normal content page may load a DDoS-Guard script; that is not a check page."""
    assert classify_response(answer(200, "<script src='/ddos-guard/x.js'></script>" + PAGE)) is None


def test_rate_limit_carries_retry_after_and_statuses() -> None:
    """429 keeps Retry-After; the web layer gets 503, 5xx become 502."""
    error = classify_response(answer(429, "", retry_after="7"))
    assert isinstance(error, SiteRateLimited) and error.retry_after == 7
    assert error.status == 503
    assert classify_response(answer(500)).status == 502  # type: ignore[union-attr]


def test_challenge_message_is_actionable() -> None:
    """The user learns what to do."""
    error = classify_response(answer(403, "DDoS-Guard"))
    assert "import your browser's cookies in Settings or set a proxy" in str(error)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12.0), ("", 5.0), ("soon", 5.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 10.0)],
)
def test_retry_after_forms(value: str, expected: float) -> None:
    """Seconds, HTTP dates and garbage."""
    now = 1445412470.0  # 10 s before the date above
    assert retry_after_seconds(value, now=now) == pytest.approx(expected)


# --- documented challenge markers (site-2026 §8) and their false positives (§9.35) ----------

CHALLENGE_PAGES = {
    "cf title": "<html><head><title>Just a moment...</title></head><body></body></html>",
    "cf title entity": "<title>Just a moment&#8230;</title>",
    "cf block title": "<title>Attention Required! | Cloudflare</title>",
    "cf platform": "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>",
    "cf challenges host": "<script src='https://challenges.cloudflare.com/turnstile/v0/api.js'>",
    "cf chl opt": "<script>window._cf_chl_opt={cvId:'3'};</script>",
    "cf running": "<div id='challenge-running'></div>",
    "cf jschl": "<form id='challenge-form'><input name='jschl-answer'></form>",
    "ddg title": "<html><head><title>DDOS-GUARD</title></head><body></body></html>",
    "ddg path": "<script src='/.well-known/ddos-guard/js-challenge/index.js'></script>",
    "ddg captcha path": "<iframe src='/.well-known/ddos-guard/h-captcha/'></iframe>",
    "ddg host": "<img src='https://check.ddos-guard.net/set/id/abc'>",
}
ERROR_ONLY_PHRASES = [
    "Checking your browser", "Enable JavaScript and cookies to continue", "DDoS-Guard",
    "DDoS protection by Cloudflare", "Just a moment", "Attention Required",
]
LOOKALIKE_TITLES = [
    "Just a moment", "Just a Moment... | AniWorld.to - Animes gratis online ansehen",
    "DDoS-Guard", "DDoS-Guard: The Series", "Attention Required", "Checking your browser",
    "Browser Check",
]


@pytest.mark.parametrize("status", [200, 403, 503])
@pytest.mark.parametrize("name", CHALLENGE_PAGES)
def test_each_documented_marker_is_a_challenge(name: str, status: int) -> None:
    """A check page carries one documented marker; each one alone is enough."""
    assert isinstance(classify_response(answer(status, CHALLENGE_PAGES[name])), SiteChallenge)


@pytest.mark.parametrize("phrase", ERROR_ONLY_PHRASES)
def test_marker_words_count_on_error_answers_only(phrase: str) -> None:
    """Words a content page may contain flag a 403/503, never a 200 by themselves."""
    text = f"<html><body><p>{phrase}</p></body></html>"
    assert isinstance(classify_response(answer(503, text)), SiteChallenge)
    assert classify_response(answer(200, text)) is None


def _listing(title: str) -> str:
    """A 200 page without the series navigation (catalogue, search, new-episodes, s.to V2)."""
    return (
        f"<html><head><title>{title} | S.to</title></head><body>"
        f"<h1 class='h2 mb-1 fw-bold'>{title}</h1><ul><li><a href='/serie/x'>{title}</a></li>"
        "<li>Checking your browser, DDoS-Guard and other stories</li></ul></body></html>"
    )


@pytest.mark.parametrize("title", LOOKALIKE_TITLES)
def test_normal_pages_named_like_a_challenge_are_not_flagged(title: str) -> None:
    """A series called "Just a moment" or "DDoS-Guard" is content (§8 false positives)."""
    assert classify_response(answer(200, _listing(title))) is None
    series_page = f"<html><head><title>{title}</title></head><body>{PAGE}</body></html>"
    assert classify_response(answer(200, series_page)) is None
