"""The one place that decides what an HTTP answer from the site means."""

from __future__ import annotations

import logging
import re
import time
from email.utils import parsedate_to_datetime

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
# Markers checked in the first 20 kB only: a real page may mention them in user content.
_CHALLENGE_MARKERS = (
    ("ddos-guard", "DDoS-Guard browser check"),
    ("checking your browser", "browser check"),
    ("browser check", "browser check"),
    ("<title>just a moment", "Cloudflare challenge"),
    ("<title>attention required", "Cloudflare block"),
    ("cdn-cgi/challenge-platform", "Cloudflare challenge"),
    ("cf_chl_", "Cloudflare challenge"),
)
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
            detail=f"HTTP {status}; with the 'requests' transport switch to 'impersonate'"
        )
    if status in (404, 410):
        return SiteNotFound(f"the site has no such page ({response.url}, HTTP {status})")
    if status >= 500:
        return SiteServerError(status)
    if status >= 400:
        return SiteServerError(status, f"the site refused the request (HTTP {status})")
    return None


def _challenge_label(head: str, text: str, status: int) -> str | None:
    # A real content page or JSON answer may mention DDoS-Guard in a script tag; only an
    # error status or a page without the site's content is a check page.
    lowered = text.lower()
    if status < 400 and (head.lstrip().startswith(("[", "{"))
                         or any(m in lowered for m in (_SITE_CONTENT, *_V2_CONTENT))):
        return None
    for marker, label in _CHALLENGE_MARKERS:
        if marker in head:
            return label
    return None


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
