"""Plain, immutable values the site client hands to the rest of the app."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from aniworld.languages import Language

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchResult:
    """One series found by the site's search endpoints."""

    key: str
    title: str
    year: int | None
    cover: str | None
    url: str
    description: str
    # Which site found it (``aniworld.sites.SITES``); the client sets it.
    site: str = "aniworld"


@dataclass(frozen=True)
class SiteImage:
    """An image the site serves (a cover): its bytes and the type the site declared."""

    data: bytes = field(repr=False)
    content_type: str
    url: str


@dataclass(frozen=True)
class SeriesInfo:
    """The header of a series page; ``seasons`` lists 0 for the films ("Filme") page."""

    key: str
    title: str
    alternative_titles: list[str]
    description: str
    genres: list[str]
    start_year: int | None
    end_year: int | None
    cover: str | None
    url: str
    seasons: list[int]


@dataclass(frozen=True)
class EpisodeInfo:
    """One row of a season table (season 0 = films)."""

    season: int
    number: int
    title_de: str
    title_en: str
    languages: frozenset[Language]
    url: str


@dataclass(frozen=True)
class HosterLink:
    """One hoster offer of an episode in one language, reached through ``/redirect/<id>``."""

    hoster: str
    language: Language
    link_id: str
    redirect_url: str


@dataclass(frozen=True)
class EpisodeHosters:
    """The hoster offers of an episode page plus the page's own language-key table."""

    hosters: list[HosterLink]
    language_keys: dict[str, Language] = field(default_factory=dict)

    def for_language(self, language: Language) -> list[HosterLink]:
        """Return the offers in ``language``, in page order."""
        return [link for link in self.hosters if link.language is language]


@dataclass(frozen=True)
class FeedEntry:
    """One episode in a site feed (new-episodes list, release calendar).

    The sites repeat an episode once per language; parsers merge those rows into one entry.
    ``season`` 0 is a film (``episode`` = film number). ``time`` is None when the site gives
    none or its 23:59 end-of-day placeholder. ``released`` means the stream is online,
    ``new`` that the site tags the row "Neu!".
    """

    key: str
    title: str
    season: int
    episode: int
    languages: frozenset[Language]
    url: str
    day: dt.date | None = None
    time: dt.time | None = None
    released: bool = True
    new: bool = False
    # Which site the feed came from (``aniworld.sites.SITES``); the client sets it.
    site: str = "aniworld"
