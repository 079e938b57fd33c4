"""Site adapters: which paths to ask for and how to read the answers, one per site engine."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote, urlsplit

from aniworld.errors import ValidationError
from aniworld.languages import Language
from aniworld.phrases import Phrase
from aniworld.site.errors import CaptchaRequired, PlayGateRequired
from aniworld.site.parsers import (
    merge_results,
    parse_ajax_search,
    parse_episode,
    parse_season,
    parse_series,
    parse_series_search,
)
from aniworld.site.parsers.feeds import parse_anime_calendar, parse_new_episodes
from aniworld.site.parsers.serienstream import (
    V2_LANGUAGE_KEYS,
    parse_v2_episode,
    parse_v2_season,
    parse_v2_series,
    play_path,
)
from aniworld.site.parsers.serienstream_calendar import parse_calendar
from aniworld.site.parsers.serienstream_search import (
    is_play_gate,
    merge_v2_results,
    parse_search_page,
    parse_suggest,
)
from aniworld.site.types import EpisodeHosters, EpisodeInfo, FeedEntry, SearchResult, SeriesInfo

logger = logging.getLogger(__name__)

ANIWORLD_LANGUAGE_KEYS: Mapping[str, Language] = {
    "1": Language.GERMAN_DUB,
    "2": Language.ENGLISH_SUB,
    "3": Language.GERMAN_SUB,
    "4": Language.ENGLISH_DUB,
}
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,199}$")
_REDIRECT = re.compile(r"^/redirect/(\d{1,18})/?$")
# Feed names (``SiteEngine.feeds``): what changed lately, and the release calendar.
NEW_EPISODES = "new-episodes"
CALENDAR = "calendar"


@dataclass(frozen=True)
class PageRequest:
    """One request an engine wants made; ``ajax`` selects the XHR header set."""

    method: str
    path: str
    params: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None
    ajax: bool = False
    referer_path: str = "/"


@dataclass(frozen=True)
class Feed:
    """One request that lists many series' episodes, and how to read its answer."""

    request: PageRequest
    parse: Callable[[str, str], list[FeedEntry]]  # (text, base URL) -> entries


# aniworld (§7.1, §7.2): one HTML page each; /neue-episoden holds only released episodes.
ANIWORLD_FEEDS: Mapping[str, Feed] = {
    NEW_EPISODES: Feed(PageRequest("GET", "/neue-episoden"), parse_new_episodes),
    CALENDAR: Feed(PageRequest("GET", "/animekalender"), parse_anime_calendar),
}
# s.to V2 (§7.3): no /neue-episoden; the calendar API tells released from scheduled. The
# calendar page's own XHR sends it as Referer, and the API may refuse requests without.
SERIENSTREAM_FEEDS: Mapping[str, Feed] = {
    CALENDAR: Feed(PageRequest("GET", "/api/calendar", ajax=True,
                               referer_path="/serienkalender"), parse_calendar),
}


class SiteEngine(Protocol):
    """What the client needs from a site adapter (one per site engine)."""

    name: str
    # Feeds by name (NEW_EPISODES, CALENDAR) and the one whose released entries are the news.
    feeds: Mapping[str, Feed]
    releases_feed: str | None

    def validate_key(self, key: str) -> str:
        """Return the series key or raise ValidationError."""
        ...

    def search_requests(self, query: str) -> list[PageRequest]:
        """Return the requests whose answers make up one search."""
        ...

    def parse_search(self, bodies: list[str], base_url: str) -> list[SearchResult]:
        """Merge the answers of ``search_requests`` (same order; failed ones are "")."""
        ...

    def series_path(self, key: str) -> str:
        """Return the path of a series page."""
        ...

    def season_path(self, key: str, season: int) -> str:
        """Return the path of a season page (0 = films)."""
        ...

    def episode_path(self, key: str, season: int, episode: int) -> str:
        """Return the path of an episode page (season 0 = film ``episode``)."""
        ...

    def redirect_path(self, link_id: str) -> str:
        """Return the path that redirects to a hoster."""
        ...

    def redirect_target(self, value: str) -> str:
        """Return the path (and query) to resolve for a hoster link; raise ValidationError."""
        ...

    def stayed_on_site(self, url: str, markup: str) -> CaptchaRequired:
        """Return the error for a redirect answer that stayed on the site."""
        ...

    def parse_series(self, markup: str, base_url: str, key: str) -> SeriesInfo:
        """Parse a series page."""
        ...

    def parse_season(self, markup: str, base_url: str, key: str, season: int) -> list[EpisodeInfo]:
        """Parse a season page."""
        ...

    def parse_episode(self, markup: str, base_url: str) -> EpisodeHosters:
        """Parse an episode page."""
        ...


@dataclass(frozen=True)
class ClassicEngine:
    """The classic aniworld engine (``/anime/stream``, ``/redirect/<id>`` links)."""

    name: str
    prefix: str
    language_fallback: Mapping[str, Language] = field(default_factory=dict)
    feeds: Mapping[str, Feed] = field(default_factory=dict)
    releases_feed: str | None = None

    def validate_key(self, key: str) -> str:
        """Return the series key (slug) or raise ValidationError naming the field."""
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValidationError(
                Phrase("a series key is the slug from the series URL, e.g. 'one-piece'"),
                field="key",
            )
        return key

    def search_requests(self, query: str) -> list[PageRequest]:
        """Ask both JSON endpoints; they return different subsets and fields."""
        referer = f"/search?q={quote(query)}"
        return [
            PageRequest("POST", "/ajax/search", data={"keyword": query}, ajax=True,
                        referer_path=referer),
            PageRequest("GET", "/ajax/seriesSearch", params={"keyword": query}, ajax=True,
                        referer_path=referer),
        ]

    def parse_search(self, bodies: list[str], base_url: str) -> list[SearchResult]:
        """Merge ``/ajax/seriesSearch`` (has covers and years) with ``/ajax/search``."""
        ajax, series = (bodies + ["", ""])[:2]
        return merge_results(
            parse_series_search(series, base_url, self.prefix),
            parse_ajax_search(ajax, base_url, self.prefix),
        )

    def series_path(self, key: str) -> str:
        """Return ``<prefix>/<slug>``."""
        return f"{self.prefix}/{key}"

    def season_path(self, key: str, season: int) -> str:
        """Return ``<prefix>/<slug>/staffel-N``, or ``/filme`` for season 0."""
        suffix = "filme" if season == 0 else f"staffel-{season}"
        return f"{self.prefix}/{key}/{suffix}"

    def episode_path(self, key: str, season: int, episode: int) -> str:
        """Return the episode page path; season 0 is ``/filme/film-K``."""
        if season == 0:
            return f"{self.prefix}/{key}/filme/film-{episode}"
        return f"{self.prefix}/{key}/staffel-{season}/episode-{episode}"

    def redirect_path(self, link_id: str) -> str:
        """Return ``/redirect/<id>``."""
        return f"/redirect/{link_id}"

    def redirect_target(self, value: str) -> str:
        """Accept a link id or any URL/path whose path is ``/redirect/<id>`` (host ignored)."""
        text = str(value).strip()
        if text.isdigit() and len(text) <= 18:
            return self.redirect_path(text)
        match = _REDIRECT.match(urlsplit(text).path)
        if not match:
            raise ValidationError(Phrase("expected a /redirect/<id> link or its numeric id"),
                                  field="redirect")
        return self.redirect_path(match.group(1))

    def stayed_on_site(self, url: str, markup: str) -> CaptchaRequired:
        """The classic ``/redirect`` shows a reCAPTCHA interstitial when it does not redirect."""
        return CaptchaRequired(url)

    def parse_series(self, markup: str, base_url: str, key: str) -> SeriesInfo:
        """Parse a series page."""
        return parse_series(markup, base_url, self.prefix, key)

    def parse_season(self, markup: str, base_url: str, key: str, season: int) -> list[EpisodeInfo]:
        """Parse a season page."""
        return parse_season(markup, base_url, self.prefix, key, season)

    def parse_episode(self, markup: str, base_url: str) -> EpisodeHosters:
        """Parse an episode page, falling back to this engine's fixed key table."""
        return parse_episode(markup, base_url, self.language_fallback)


@dataclass(frozen=True)
class SerienstreamEngine(ClassicEngine):
    """s.to's V2 engine (serienstream.to since Jan 2026): ``/serie/<slug>``, ``/r?t=`` links."""

    name: str = "serienstream"
    prefix: str = "/serie"
    language_fallback: Mapping[str, Language] = field(default_factory=lambda: V2_LANGUAGE_KEYS)
    feeds: Mapping[str, Feed] = field(default_factory=lambda: SERIENSTREAM_FEEDS)
    releases_feed: str | None = CALENDAR

    def search_requests(self, query: str) -> list[PageRequest]:
        """Ask the suggest API (names) and the search page (covers)."""
        return [
            PageRequest("GET", "/api/search/suggest", params={"term": query}, ajax=True),
            PageRequest("GET", "/suche", params={"term": query}),
        ]

    def parse_search(self, bodies: list[str], base_url: str) -> list[SearchResult]:
        """Merge the suggest answer with the search page's cards."""
        suggest, page = (bodies + ["", ""])[:2]
        return merge_v2_results(parse_suggest(suggest, base_url),
                                parse_search_page(page, base_url))

    def season_path(self, key: str, season: int) -> str:
        """Return ``/serie/<slug>/staffel-N``; films are ``staffel-0``."""
        return f"{self.prefix}/{key}/staffel-{season}"

    def episode_path(self, key: str, season: int, episode: int) -> str:
        """Return ``/serie/<slug>/staffel-N/episode-M`` (films under ``staffel-0``)."""
        return f"{self.prefix}/{key}/staffel-{season}/episode-{episode}"

    def redirect_path(self, link_id: str) -> str:
        """V2 has no link ids, only per-page-view play tokens; see ``redirect_target``."""
        raise ValidationError(Phrase("s.to links are /r?t=<token> play URLs, not ids"),
                              field="redirect")

    def redirect_target(self, value: str) -> str:
        """Accept a ``/r?t=<token>`` play URL or path (host ignored)."""
        path = play_path(value)
        if path is None:
            raise ValidationError(Phrase("expected an s.to /r?t=<token> play link"),
                                  field="redirect")
        return path

    def stayed_on_site(self, url: str, markup: str) -> CaptchaRequired:
        """A V2 play link that stays on s.to shows the Turnstile/ALTCHA gate."""
        return PlayGateRequired(url) if is_play_gate(markup) else CaptchaRequired(url)

    def parse_series(self, markup: str, base_url: str, key: str) -> SeriesInfo:
        """Parse a V2 series page."""
        return parse_v2_series(markup, base_url, key)

    def parse_season(self, markup: str, base_url: str, key: str, season: int) -> list[EpisodeInfo]:
        """Parse a V2 season page (``staffel-0`` = films)."""
        return parse_v2_season(markup, base_url, key, season)

    def parse_episode(self, markup: str, base_url: str) -> EpisodeHosters:
        """Parse a V2 episode page's hoster buttons."""
        return parse_v2_episode(markup, base_url)


ENGINES: dict[str, SiteEngine] = {
    "aniworld": ClassicEngine("aniworld", "/anime/stream", ANIWORLD_LANGUAGE_KEYS,
                              ANIWORLD_FEEDS, NEW_EPISODES),
    "serienstream": SerienstreamEngine(),
}
