"""The s.to V2 stand-in (serienstream, reference site-2026 §1 and §9): routing, tokens, gate.

Behaviours the reference marks as inferred are switchable in :class:`StoModes`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from tests.fakesite.blocks import Response, block_response, html
from tests.fakesite.catalog import Catalog, HosterLink, Series
from tests.fakesite.content import STO_V2
from tests.fakesite.covers import sto_cover
from tests.fakesite.hosters import embed_url
from tests.fakesite.httpbase import App, Request
from tests.fakesite.sto_calendar import calendar_json, calendar_page
from tests.fakesite.sto_pages import episode_page, gate_page, search_page, series_page

_SERIES = re.compile(r"^/serie/([a-z0-9-]+)(?:/staffel-(\d+)(?:/episode-(\d+))?)?/?$")
MIN_TERM = 3
# The name the "IP" host (http://<ip>#<name>) must be asked for (site-2026 §1.1, §9.10).
STO_HOST = "serienstream.localhost"


@dataclass
class StoModes:
    """Switches for the stand-in; ``reset`` restores these defaults."""

    gate: bool = False  # every /r answers the Turnstile gate page
    token_ttl: float = 60.0  # play token lifetime in seconds (real lifetime unknown)
    # (max /r, within seconds, gate seconds): one client asking more /r than that within the
    # window is gated for the gate seconds; other clients are not [inf]
    rate_gate: tuple[int, float, float] | None = None
    unknown_season: str = "404"  # or "season-1": render season 1 for it [inf]
    sub_label: str = "Deutsch (Untertitel)"  # label of language id 3 [inf]
    escaped_suggest: bool = False  # HTML entities inside the suggest JSON [inf]
    search_page_size: int = 24
    calendar_referer: bool = True  # /api/calendar: 403 without Referer …/serienkalender [inf]
    # A season listed before anything of it is out: "rows" = only "Demnächst" rows (§1.4
    # upcoming rows), "empty" = an empty episode table and no episode pages yet [inf].
    announced: str = "rows"


class StoApp:
    """Answers s.to V2 requests from the catalogue's ``serienstream`` series.

    The site's clock (token expiry, rate gate) is ``time.monotonic`` plus an offset that
    :meth:`advance` moves, so tests see a gate lift or a token expire without sleeping.
    """

    def __init__(self, catalog: Catalog, hoster_url: str) -> None:
        self.catalog, self.hoster_url = catalog, hoster_url
        self.modes = StoModes()
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[HosterLink, float]] = {}
        self._plays: dict[str, deque[float]] = {}  # client IP -> times of its recent /r
        self._gated_until: dict[str, float] = {}  # client IP -> end of its gate
        self._offset = 0.0

    def reset(self) -> None:
        """Default modes, no tokens, no rate gate, the real clock."""
        with self._lock:
            self.modes = StoModes()
            self._tokens.clear()
            self._plays.clear()
            self._gated_until.clear()
            self._offset = 0.0

    def now(self) -> float:
        """The site's clock (monotonic seconds)."""
        return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the site's clock forward (a gate lifts, tokens expire)."""
        with self._lock:
            self._offset += seconds

    def __call__(self, request: Request) -> Response:
        """Answer one request."""
        path = request.path.rstrip("/") or "/"
        origin = "http://" + request.headers.get("Host", STO_HOST)
        if request.method not in ("GET", "HEAD"):
            return html("<!doctype html><html><body><h1>405</h1></body></html>", 405)
        if path == "/serienkalender":
            return self._calendar_page(origin)
        if path == "/api/calendar":
            return self._calendar(request)
        if path == "/api/search/suggest":
            return self._suggest(request.arg("term"))
        if path == "/suche":
            return self._search(request)
        if path == "/r":
            return self._play(request.arg("t"), request.client)
        if path.startswith("/media/images/"):
            return sto_cover(self.catalog, path, request.arg("format")) or _not_found()
        match = _SERIES.match(path)
        series = self.catalog.series(match[1], STO_V2) if match else None
        if match is None or series is None:
            return _not_found()
        if self.modes.announced == "empty":
            series = series.announced_without_rows()
        if match[3] is not None:
            return self._episode(series, int(match[2]), int(match[3]), origin)
        return self._season(series, int(match[2] or 1), origin)

    def token(self, link: HosterLink) -> str:
        """A fresh play URL ``/r?t=<url-encoded base64 JSON>`` for one page view."""
        payload = {
            "iv": base64.b64encode(os.urandom(16)).decode(),
            "value": base64.b64encode(os.urandom(64)).decode(),
            "mac": hashlib.sha256(os.urandom(16)).hexdigest(),
            "tag": "",
        }
        token = base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        with self._lock:
            self._tokens[token] = (link, self.now() + self.modes.token_ttl)
        return "/r?t=" + quote(token, safe="")

    def _season(self, series: Series, number: int, origin: str) -> Response:
        if series.season(number) is None:
            if self.modes.unknown_season != "season-1" or series.season(1) is None:
                return _not_found()
            number = 1
        return html(series_page(series, number, origin))

    def _episode(self, series: Series, season: int, number: int, origin: str) -> Response:
        episode = series.episode(season, number)
        if episode is None:
            return _not_found()
        return html(episode_page(series, episode, origin, self.token, self.modes.sub_label))

    def _play(self, token: str, client: str) -> Response:
        with self._lock:
            now = self.now()
            found = self._tokens.get(token)
            gated = self.modes.gate or self._rate_gated(client, now)
        if found is None or found[1] <= now:
            return _not_found()
        if gated:
            return html(gate_page(token, ""))
        return Response(302, b"", headers=[("Location", embed_url(self.hoster_url, found[0]))])

    def _rate_gated(self, client: str, now: float) -> bool:
        """Count this client's /r; more than the limit within the window gates every /r of
        that client (only) for the gate seconds, after which it starts afresh."""
        if self.modes.rate_gate is None:
            return False
        if now < self._gated_until.get(client, 0.0):
            return True
        limit, window, duration = self.modes.rate_gate
        plays = self._plays.setdefault(client, deque())
        plays.append(now)
        while plays and plays[0] <= now - window:
            plays.popleft()
        if len(plays) <= limit:
            return False
        plays.clear()
        self._gated_until[client] = now + duration
        return True

    def _calendar_page(self, origin: str) -> Response:
        response = html(calendar_page(origin))
        response.headers.append(
            ("Set-Cookie", "serienstream_session=fakesiteSession; Path=/; HttpOnly; SameSite=Lax"))
        return response

    def _calendar(self, request: Request) -> Response:
        """The calendar JSON; in the strict mode only for the calendar page's own XHR."""
        referer = urlsplit(request.headers.get("Referer", "")).path.rstrip("/")
        if self.modes.calendar_referer and referer != "/serienkalender":
            return Response(403, b'{"message":"This action is unauthorized."}',
                            "application/json")
        body = calendar_json(self.catalog, dt.date.today(), dt.datetime.now().time(),
                             self.modes.sub_label)
        return Response(200, body, "application/json")

    def _matches(self, term: str) -> list[Series]:
        needle = term.strip().casefold()
        return [s for s in self.catalog.all(STO_V2) if needle and needle in s.title.casefold()]

    def _suggest(self, term: str) -> Response:
        found = self._matches(term) if len(term.strip()) >= MIN_TERM else []
        genres = sorted({g for s in found for g in s.genres})
        body = json.dumps({
            "shows": [{"name": s.title, "url": f"/serie/{s.slug}"} for s in found],
            "people": [],
            "genres": [{"name": g, "url": f"/genre/{g.lower()}"} for g in genres],
        }, ensure_ascii=False)
        if self.modes.escaped_suggest:
            body = body.replace("&", "&amp;")
        return Response(200, body.encode(), "application/json")

    def _search(self, request: Request) -> Response:
        term = request.arg("term")
        page = int(request.arg("page", "1")) if request.arg("page", "1").isdigit() else 1
        found = self._matches(term)
        return html(search_page(found, term, max(page, 1), self.modes.search_page_size))


class NamedHostOnly:
    """The site behind its bare IP: only requests naming it in ``Host`` reach it."""

    def __init__(self, app: App, host: str = STO_HOST) -> None:
        self.app, self.host = app, host

    def __call__(self, request: Request) -> Response:
        """Pass requests for the site's name on; answer others like a default virtual host."""
        name = (urlsplit("//" + request.headers.get("Host", "")).hostname or "").lower()
        if name != self.host:
            return block_response("status", 404, 0)
        return self.app(request)


def _not_found() -> Response:
    return html("<!doctype html><html><head><title>404 | S.to</title></head>"
                "<body><h1>Seite nicht gefunden</h1></body></html>", 404)
