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
        (answer(200, "<html>ddos-guard check</html>"), SiteChallenge),
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
