"""The Response type and the pages protections and errors answer with (reference §4.2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

from tests.fakesite.html import page

SPAM_SENTENCE = "Deine Anfrage wurde als Spam erkannt."

DDOS_GUARD_PAGE = """<!DOCTYPE html>
<html><head><title>DDOS-GUARD</title><meta charset="utf-8">
<script src="/.well-known/ddos-guard/js-challenge/index.js"></script></head>
<body><div id="ddg-challenge"><h1>Checking your browser before accessing the website.</h1>
<p>Browser Check. This process is automatic. Your browser will redirect shortly.</p>
<noscript><a href="/.well-known/ddos-guard/js-challenge/index.html">Continue</a></noscript>
<img src="/.well-known/ddos-guard/check?context=free_splash" alt="">
<p>DDoS protection by <a href="https://ddos-guard.net">DDoS-Guard</a></p></div></body></html>
"""

CLOUDFLARE_PAGE = """<!DOCTYPE html>
<html lang="en-US"><head><title>Just a moment...</title><meta charset="UTF-8"></head>
<body><div class="main-wrapper"><noscript>Enable JavaScript and cookies to continue</noscript>
<h2>Checking if the site connection is secure</h2></div>
<script>window._cf_chl_opt={cvId:'3',cZone:'127.0.0.1',cType:'managed'};</script>
<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8f00fakesite"></script>
</body></html>
"""

CAPTCHA_BLOCK = """\
<div class="messageAlert warning">Bitte bestätige, dass du kein Roboter bist.</div>
<form id="captchaForm" method="post">
<div class="g-recaptcha" data-sitekey="6LfakesiteFAKESITEfakesiteFAKESITEfakesi"></div>
<script src="https://www.google.com/recaptcha/api.js" async defer></script>
<button type="submit">Weiter</button></form>"""


@dataclass
class Response:
    """A complete answer: status, body and extra headers.

    Large media is not held in memory: ``file`` names a file whose bytes
    ``[file_offset, file_offset + file_length)`` are streamed instead of ``body``.
    ``stall_after`` sends that many body bytes, then goes silent for ``stall_seconds``
    and hangs up (a CDN that stops mid-transfer).
    """

    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    file: Path | None = None
    file_offset: int = 0
    file_length: int = 0
    stall_after: int | None = None
    stall_seconds: float = 0.0

    @property
    def length(self) -> int:
        """Number of body bytes announced in Content-Length."""
        return self.file_length if self.file is not None else len(self.body)


def html(text: str, status: int = 200) -> Response:
    """An HTML response."""
    return Response(status, text.encode())


def _error_page(status: int) -> str:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return (
        f"<html><head><title>{status} {phrase}</title></head><body>"
        f"<center><h1>{status} {phrase}</h1></center><hr><center>nginx</center></body></html>\n"
    )


def block_response(kind: str, status: int, retry_after: int) -> Response:
    """The response one fault kind answers with."""
    if kind == "ddos_guard":
        cookie = "__ddg1_=fakesiteDdg1Cookie; Path=/; HttpOnly"
        return Response(
            status,
            DDOS_GUARD_PAGE.encode(),
            headers=[("Server", "ddos-guard"), ("Set-Cookie", cookie)],
        )
    if kind == "cloudflare":
        headers = [
            ("Server", "cloudflare"),
            ("cf-mitigated", "challenge"),
            ("CF-RAY", "8f00fakesite-FRA"),
        ]
        return Response(status, CLOUDFLARE_PAGE.encode(), headers=headers)
    if kind == "spam":
        sentence = f'<div class="messageAlert danger">{SPAM_SENTENCE}</div>'
        return Response(status, page("Spam", sentence).encode())
    if kind == "captcha":
        return Response(status, page("Sicherheitsüberprüfung", CAPTCHA_BLOCK).encode())
    if kind == "rate_limit":
        return Response(
            status, _error_page(status).encode(), headers=[("Retry-After", str(retry_after))]
        )
    return Response(status, _error_page(status).encode())
