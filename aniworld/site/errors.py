"""Typed failures of the site client; each message tells the user what to do next."""

from __future__ import annotations

import logging

from aniworld.errors import AniworldError
from aniworld.phrases import N_, Phrase

logger = logging.getLogger(__name__)


class SiteError(AniworldError):
    """Base class of every failure talking to or reading the streaming site.

    ``hint`` is the message when none is given (an ``N_`` template where the error has
    fields).
    """

    code = "site_error"
    status = 502
    hint = N_("the site could not be used; try again later")

    def __init__(self, message: str | Phrase | None = None) -> None:
        super().__init__(message or Phrase(self.hint))


class SiteNotFound(SiteError):
    """The series, season or episode does not exist on the site (also the soft 404 page)."""

    code = "site_not_found"
    status = 404


class SiteChallenge(SiteError):
    """The site (DDoS-Guard, Cloudflare) answered with a browser check or a plain 403."""

    code = "site_challenge"
    status = 503
    hint = N_(
        "the site asks for a browser check; import your browser's cookies in Settings "
        "or set a proxy"
    )

    def __init__(self, message: str | Phrase | None = None, detail: str | Phrase = "") -> None:
        with_detail = Phrase("%(hint)s (%(detail)s)", hint=Phrase(self.hint), detail=detail)
        super().__init__(message or (with_detail if detail else None))
        self.detail = detail


class SiteSpamBlocked(SiteError):
    """The site flagged this address as spam ("Deine Anfrage wurde als Spam erkannt.")."""

    code = "site_spam_blocked"
    status = 503
    hint = N_(
        "the site blocked this address as spam; open the site in your browser and solve "
        "its captcha, then import the browser's cookies in Settings, or use a proxy/VPN"
    )


class SiteRateLimited(SiteError):
    """The site answered 429 (or we are cooling down); ``retry_after`` is in seconds."""

    code = "site_rate_limited"
    status = 503
    hint = N_("the site asks us to slow down; try again in %(seconds)s seconds")

    def __init__(self, retry_after: float, message: str | Phrase | None = None) -> None:
        self.retry_after = max(0.0, float(retry_after))
        super().__init__(message or Phrase(self.hint, seconds=int(self.retry_after) + 1))


class SiteServerError(SiteError):
    """The site answered with a 5xx status."""

    code = "site_server_error"
    hint = N_("the site has a problem (HTTP %(http_status)s); try again later")

    def __init__(self, http_status: int, message: str | Phrase | None = None) -> None:
        self.http_status = http_status
        super().__init__(message or Phrase(self.hint, http_status=http_status))


class SiteUnreachable(SiteError):
    """The site could not be reached: connection refused, DNS, TLS, timeout, cut-off body."""

    code = "site_unreachable"
    status = 504


class CaptchaRequired(SiteError):
    """Following a hoster redirect ended on the site itself, i.e. on its captcha page."""

    code = "captcha_required"
    status = 503
    hint = N_(
        "the site shows a captcha instead of the video link; open %(url)s in your "
        "browser, solve it, import the browser's cookies in Settings and retry"
    )

    def __init__(self, url: str, message: str | Phrase | None = None) -> None:
        self.url = url
        super().__init__(message or Phrase(self.hint, url=url))


class SiteLayoutChanged(SiteError):
    """A page did not look like the expected page; the parser needs an update."""

    code = "site_layout_changed"


ParseError = SiteLayoutChanged


class HosterLinkExpired(SiteNotFound):
    """The site no longer knows a hoster link: s.to play tokens expire, old link ids vanish."""

    code = "hoster_link_expired"
    hint = N_(
        "this hoster link has expired or was removed; load the episode's hoster list "
        "again and retry with the fresh link"
    )

    def __init__(self, url: str, message: str | Phrase | None = None) -> None:
        self.url = url
        super().__init__(message)


class PlayGateRequired(CaptchaRequired):
    """s.to V2 kept a play link on its own "Stream wird vorbereitet" Turnstile/ALTCHA gate."""

    code = "play_gate_required"
    hint = N_(
        "s.to shows its \"Stream wird vorbereitet\" check instead of the video link; "
        "open %(url)s in your browser, solve the check, import the browser's cookies in "
        "Settings and retry - or wait a few minutes, the site gates links after many "
        "requests in a row"
    )
