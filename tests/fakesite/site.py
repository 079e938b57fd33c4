"""The aniworld.to stand-in: URL routing (s.to V2 is ``sto_site.py``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from tests.fakesite import ajax
from tests.fakesite.blocks import Response, html
from tests.fakesite.catalog import Catalog, Series
from tests.fakesite.covers import aniworld_cover
from tests.fakesite.hosters import embed_url
from tests.fakesite.html import page, soft_404
from tests.fakesite.httpbase import Request
from tests.fakesite.pages_episode import episode_page, series_page
from tests.fakesite.pages_feeds import anime_calendar_page, new_episodes_page
from tests.fakesite.pages_lists import catalogue_page, genre_page, home_page

_SERIES = re.compile(r"^/anime/stream/([a-zA-Z0-9-]+)/?$")
_SEASON = re.compile(r"^/anime/stream/([a-zA-Z0-9-]+)/(?:staffel-(\d+)|(filme))/?$")
_EPISODE = re.compile(
    r"^/anime/stream/([a-zA-Z0-9-]+)/(?:staffel-(\d+)/episode-(\d+)|filme/film-(\d+))/?$"
)
_GENRE = re.compile(r"^/genre/([a-z0-9-]+)(?:/(\d+))?/?$")
_REDIRECT = re.compile(r"^/redirect/(\d+)/?$")
_PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00"
    b"\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def not_found() -> Response:
    """The site's hard 404 for paths it does not know at all."""
    return html(page("Seite nicht gefunden", "<h1>404 - Seite nicht gefunden</h1>"), 404)


@dataclass
class SiteModes:
    """Switches for the aniworld stand-in; ``reset`` restores these defaults."""

    # A season listed before anything of it is out: "empty" = its page has an empty tbody
    # (reference §7.4), "rows" = its upcoming episodes are rows without hosters or flags,
    # their pages without hoster items (an announcement, §2.5). Unobserved either way [inf].
    announced: str = "empty"


class SiteApp:
    """Maps a Request to a Response using the catalogue; knows the hoster server's URL."""

    def __init__(self, catalog: Catalog, hoster_url: str) -> None:
        self.catalog = catalog
        self.hoster_url = hoster_url
        self.modes = SiteModes()
        self.fixed: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", "/"): lambda r: html(home_page(catalog)),
            ("GET", "/animes"): lambda r: html(catalogue_page(catalog)),
            ("GET", "/animes-alphabet"): lambda r: html(catalogue_page(catalog)),
            ("GET", "/animes-genres"): lambda r: html(catalogue_page(catalog, by_genre=True)),
            ("GET", "/neue-episoden"): lambda r: html(
                new_episodes_page(catalog, dt.date.today())),
            ("GET", "/animekalender"): lambda r: html(
                anime_calendar_page(catalog, dt.date.today(), dt.datetime.now().time())),
            ("GET", "/search"): lambda r: html(page("Suche", '<div id="searchResults"></div>')),
            ("POST", "/ajax/search"): self._search,
            ("GET", "/ajax/seriesSearch"): self._series_search,
            ("POST", "/ajax/randomGeneratorSeries"): lambda r: _json(ajax.random_series(catalog)),
        }

    def reset(self) -> None:
        """Default modes."""
        self.modes = SiteModes()

    def __call__(self, request: Request) -> Response:
        """Answer one request."""
        method = "GET" if request.method == "HEAD" else request.method
        handler = self.fixed.get((method, request.path.rstrip("/") or "/"))
        if handler is not None:
            return handler(request)
        if method != "GET":
            return html(page("Fehler", "<h1>405</h1>"), 405)
        if request.path.startswith("/public/img/cover/"):
            return aniworld_cover(self.catalog, request.path) or not_found()
        if request.path.startswith("/public/img/"):
            return Response(200, _PIXEL, "image/gif")
        return self._dynamic(request.path)

    def _dynamic(self, path: str) -> Response:
        for pattern, handler in (
            (_SERIES, self._series),
            (_SEASON, self._season),
            (_EPISODE, self._episode),
            (_GENRE, self._genre),
            (_REDIRECT, self._redirect),
        ):
            match = pattern.match(path)
            if match:
                return handler(match)
        return not_found()

    def _shown(self, slug: str) -> Series | None:
        """The series as its pages show it in the current modes, or None."""
        series = self.catalog.series(slug)
        if series is None or self.modes.announced == "rows":
            return series
        return series.announced_without_rows()

    def _series(self, match: re.Match[str]) -> Response:
        series = self._shown(match[1])
        if series is None:
            return html(soft_404())
        return html(series_page(series, None))

    def _season(self, match: re.Match[str]) -> Response:
        series = self._shown(match[1])
        if series is None:
            return html(soft_404())
        return html(series_page(series, 0 if match[3] else int(match[2])))

    def _episode(self, match: re.Match[str]) -> Response:
        series = self._shown(match[1])
        if series is None:
            return html(soft_404())
        if match[4] is not None:
            return html(episode_page(series, 0, int(match[4])))
        return html(episode_page(series, int(match[2]), int(match[3])))

    def _genre(self, match: re.Match[str]) -> Response:
        text = genre_page(self.catalog, match[1], int(match[2] or 1))
        return html(text) if text else not_found()

    def _redirect(self, match: re.Match[str]) -> Response:
        found = self.catalog.link(int(match[1]))
        if found is None:
            return not_found()
        location = embed_url(self.hoster_url, found[2])
        return Response(302, b"", headers=[("Location", location)])

    def _search(self, request: Request) -> Response:
        return _json(ajax.search(self.catalog, request.arg("keyword")))

    def _series_search(self, request: Request) -> Response:
        return _json(ajax.series_search(self.catalog, request.arg("keyword")))


def _json(body: bytes) -> Response:
    return Response(200, body, "application/json")
