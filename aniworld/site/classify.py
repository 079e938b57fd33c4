"""The one place that decides what an HTTP answer from the site means."""

from __future__ import annotations

import logging
import re
import time
from email.utils import parsedate_to_datetime
from html import unescape

from aniworld.phrases import Phrase
from aniworld.site.errors import (
    SiteChallenge,
    SiteError,
    SiteNotFound,
    SiteRateLimited,
    SiteServerError,
    SiteSpamBlocked,
)
from aniworld.site.transport import Response

logger = logging.getLogger(__name__)

SPAM_SENTENCE = "deine anfrage wurde als spam erkannt"
SOFT_404_SENTENCE = "die gewünschte serie wurde nicht gefunden"
# Challenge markers of site-2026 §8, checked in the first 20 kB only. Markup a check page
# carries and a content page does not (script paths, form fields, the protection's own hosts):
_STRONG_MARKERS = (
    ("cdn-cgi/challenge-platform", "Cloudflare challenge"),
    ("challenges.cloudflare.com", "Cloudflare challenge"),
    ("cf_chl_", "Cloudflare challenge"),
    ("challenge-running", "Cloudflare challenge"),
    ("jschl-answer", "Cloudflare challenge"),
    ("/.well-known/ddos-guard/", "DDoS-Guard browser check"),
    ("check.ddos-guard.net", "DDoS-Guard browser check"),
)
# A check page's whole <title>. A content page's title also names the series and the site,
# so a series called "Just a moment" does not match (false positive noted in §8).
_CHALLENGE_TITLES = (
    (re.compile(r"just a moment(?:\.\.\.|…)?"), "Cloudflare challenge"),
    (re.compile(r"attention required!?(?: \| cloudflare)?"), "Cloudflare block"),
    (re.compile(r"ddos-guard|ddos guard"), "DDoS-Guard browser check"),
)
# Words a content page may contain too; they count only on an error answer (403, 503, ...).
_ERROR_PHRASES = (
    ("ddos-guard", "DDoS-Guard browser check"),
    ("just a moment", "Cloudflare challenge"),
    ("attention required", "Cloudflare block"),
    ("checking your browser", "browser check"),
    ("enable javascript and cookies", "Cloudflare challenge"),
    ("ddos protection by cloudflare", "Cloudflare challenge"),
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)
_HEAD_BYTES = 20_000
_SITE_CONTENT = "hostersitedirectnav"
# s.to V2 structure (series, episode and search pages, the /r play gate): Cloudflare injects
# its challenge-platform script into such ordinary pages as well.
_V2_CONTENT = ('id="season-nav"', "data-play-url", "search-results-list",
               "episode-redirect-gate-root")
DEFAULT_RETRY_AFTER = 5.0


def classify_response(response: Response) -> SiteError | None:
    """Return None for a usable answer, else the typed error it stands for (not raised)."""
    head = response.text[:_HEAD_BYTES].lower()
    status = response.status
    if status == 429:
        return SiteRateLimited(retry_after_seconds(response.header("retry-after")))
    if response.header("cf-mitigated").lower() == "challenge":
        return SiteChallenge(detail=f"Cloudflare challenge, HTTP {status}")
    challenge = _challenge_label(head, response.text, status)
    if challenge:
        return SiteChallenge(detail=f"{challenge}, HTTP {status}")
    if SPAM_SENTENCE in head:
        return SiteSpamBlocked()
    if status in (401, 403):
        return SiteChallenge(
            detail=Phrase("HTTP %(status)s; with the 'requests' transport switch to "
                          "'impersonate'", status=status)
        )
    if status in (404, 410):
        return SiteNotFound(Phrase("the site has no such page (%(url)s, HTTP %(status)s)",
                                   url=response.url, status=status))
    if status >= 500:
        return SiteServerError(status)
    if status >= 400:
        return SiteServerError(
            status, Phrase("the site refused the request (HTTP %(status)s)", status=status)
        )
    return None


def _challenge_label(head: str, text: str, status: int) -> str | None:
    # A real content page or JSON answer may mention the protection (a script, a series
    # title); the site's own structure wins over marker words on a successful answer.
    lowered = text.lower()
    if status < 400 and (head.lstrip().startswith(("[", "{"))
                         or any(m in lowered for m in (_SITE_CONTENT, *_V2_CONTENT))):
        return None
    title = _page_title(head)
    for pattern, label in _CHALLENGE_TITLES:
        if pattern.fullmatch(title):
            return label
    for marker, label in _STRONG_MARKERS:
        if marker in head:
            return label
    if status >= 400:
        return next((label for phrase, label in _ERROR_PHRASES if phrase in head), None)
    return None


def _page_title(head: str) -> str:
    """The lower-cased ``<title>`` text with entities decoded and spaces collapsed."""
    match = _TITLE.search(head)
    return " ".join(unescape(match[1]).split()) if match else ""


def is_soft_404(html: str) -> bool:
    """Return True when a 200 page carries the site's "series not found" alert."""
    return SOFT_404_SENTENCE in html[:200_000].lower().replace("&uuml;", "ü")


def retry_after_seconds(value: str, now: float | None = None) -> float:
    """Parse a Retry-After header (seconds or HTTP date); a missing or bad value gives a default."""
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    if value:
        try:
            when = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            logger.warning("unparsable retry-after value=%r", value)
        else:
            return max(0.0, when - (time.time() if now is None else now))
    return DEFAULT_RETRY_AFTER
