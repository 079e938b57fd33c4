"""The stand-in's source of truth: series, seasons, episodes, films and hoster links."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace

from tests.fakesite.html import slugify
from tests.fakesite.languages import ordered

_SUFFIX = re.compile(r"\s*\[[^\]]*\]\s*$")


@dataclass(frozen=True)
class HosterLink:
    """One /redirect/<link_id> item: an episode in one language on one hoster."""

    link_id: int
    hoster: str
    language: str
    code: str


@dataclass(frozen=True)
class Episode:
    """An episode (season >= 1) or a film (season 0, number = film number)."""

    episode_id: int
    season: int
    number: int
    title_de: str
    title_en: str
    description: str
    links: tuple[HosterLink, ...] = ()

    @property
    def is_film(self) -> bool:
        """True for entries of the Filme list."""
        return self.season == 0

    @property
    def languages(self) -> list[str]:
        """Languages offered, in display order."""
        return ordered({link.language for link in self.links})

    @property
    def hosters(self) -> list[str]:
        """Hoster names in first-seen order, without duplicates."""
        return list(dict.fromkeys(link.hoster for link in self.links))

    @property
    def title_en_clean(self) -> str:
        """English title without a trailing tag such as ``[Episode 7]``."""
        return _SUFFIX.sub("", self.title_en)

    def links_for(self, language: str) -> list[HosterLink]:
        """Hoster links of one language."""
        return [link for link in self.links if link.language == language]


@dataclass(frozen=True)
class Season:
    """A numbered season (0 = the Filme list)."""

    number: int
    episodes: tuple[Episode, ...]

    def episode(self, number: int) -> Episode | None:
        """Episode by its number within the season, or None."""
        return next((e for e in self.episodes if e.number == number), None)

    @property
    def announced(self) -> bool:
        """True while no episode of the season is out (none, or only "upcoming" ones)."""
        return not any(episode.links for episode in self.episodes)


@dataclass(frozen=True)
class Series:
    """One series as its pages show it."""

    slug: str
    title: str
    alt_titles: tuple[str, ...]
    description: str
    start_year: int
    end_year: int | None  # None = still running ("Heute")
    fsk: int
    imdb: str
    genres: tuple[str, ...]
    directors: tuple[str, ...]
    actors: tuple[str, ...]
    seasons: tuple[Season, ...]
    films: tuple[Episode, ...] = ()
    site: str = "aniworld"
    cover_hash: str = ""

    @property
    def season_numbers(self) -> list[int]:
        """Numbers of the regular seasons (without the Filme list)."""
        return [s.number for s in self.seasons]

    @property
    def has_films(self) -> bool:
        """True when the series has a Filme list."""
        return bool(self.films)

    @property
    def episode_count(self) -> int:
        """Number of regular episodes over all seasons (films not counted)."""
        return sum(len(s.episodes) for s in self.seasons)

    @property
    def languages(self) -> list[str]:
        """Every language any episode or film is offered in."""
        eps = [e for s in self.seasons for e in s.episodes] + list(self.films)
        return ordered({lang for e in eps for lang in e.languages})

    def season(self, number: int) -> Season | None:
        """Season by number; 0 returns the Filme list (None if there are no films)."""
        if number == 0:
            return Season(0, self.films) if self.films else None
        return next((s for s in self.seasons if s.number == number), None)

    def episode(self, season: int, number: int) -> Episode | None:
        """Episode (or film when season is 0) by numbers, or None."""
        found = self.season(season)
        return found.episode(number) if found else None

    def all_episodes(self) -> list[Episode]:
        """Films first, then every season's episodes in order."""
        return list(self.films) + [e for s in self.seasons for e in s.episodes]

    def announced_without_rows(self) -> Series:
        """The series as a site shows it when an announced season's page lists no rows.

        The season stays in the navigation; its upcoming episodes are not on the site yet.
        """
        seasons = tuple(Season(s.number, ()) if s.announced else s for s in self.seasons)
        return replace(self, seasons=seasons)


@dataclass
class Catalog:
    """All series of both sites plus lookup indexes for ids and hoster codes.

    Tests may change it at run time (:meth:`put_series`, e.g. to release an episode);
    :meth:`restore` returns to the catalogue it was built with.
    """

    series_list: list[Series]
    _by_slug: dict[tuple[str, str], Series] = field(default_factory=dict, repr=False)
    _links: dict[int, tuple[Series, Episode, HosterLink]] = field(default_factory=dict, repr=False)
    _codes: dict[str, HosterLink] = field(default_factory=dict, repr=False)
    # Episodes released at run time, newest first, with their series (for /neue-episoden).
    releases: list[tuple[Series, Episode]] = field(default_factory=list, repr=False)
    _built: list[Series] = field(default_factory=list, repr=False)
    # Held by whoever reads ids and then writes (see releases.py); re-entrant for that.
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self._built = list(self.series_list)
        self._index(self.series_list)

    def _index(self, series_list: list[Series]) -> None:
        """Rebuild the indexes and swap them in at once, so server threads see either."""
        by_slug: dict[tuple[str, str], Series] = {}
        links: dict[int, tuple[Series, Episode, HosterLink]] = {}
        codes: dict[str, HosterLink] = {}
        for item in series_list:
            by_slug[(item.site, item.slug)] = item
            for episode in item.all_episodes():
                for link in episode.links:
                    links[link.link_id] = (item, episode, link)
                    codes[link.code] = link
        self.series_list, self._by_slug, self._links, self._codes = (
            series_list, by_slug, links, codes)

    def put_series(self, series: Series, released: Episode | None = None) -> None:
        """Replace the series with the same site and slug (or add it); note a release."""
        with self.lock:
            items = list(self.series_list)
            key = (series.site, series.slug)
            same = [i for i, s in enumerate(items) if (s.site, s.slug) == key]
            if same:
                items[same[0]] = series
            else:
                items.append(series)
            if released is not None:
                self.releases = [(series, released), *self.releases]
            self._index(items)

    def add_many(self, series_list: list[Series]) -> None:
        """Add series at run time in one go (e.g. hundreds for a benchmark); undone by restore."""
        with self.lock:
            self._index([*self.series_list, *series_list])

    def restore(self) -> None:
        """Forget every run-time change."""
        with self.lock:
            self.releases = []
            self._index(list(self._built))

    def next_ids(self) -> tuple[int, int]:
        """Return an episode id and a link id above every one in use."""
        episodes = [e for s in self.series_list for e in s.all_episodes()]
        return (max((e.episode_id for e in episodes), default=0) + 1,
                max(self._links, default=0) + 1)

    def series(self, slug: str, site: str = "aniworld") -> Series | None:
        """Series by slug on one engine ("aniworld" or "serienstream"), or None."""
        return self._by_slug.get((site, slug))

    def all(self, site: str = "aniworld") -> list[Series]:
        """Every series of one engine, in catalogue (title) order."""
        found = [s for s in self.series_list if s.site == site]
        return sorted(found, key=lambda s: s.title.casefold())

    @property
    def slugs(self) -> list[str]:
        """Slugs of the aniworld series."""
        return [s.slug for s in self.all()]

    def link(self, link_id: int) -> tuple[Series, Episode, HosterLink] | None:
        """The series, episode and link behind a /redirect/<id>, or None."""
        return self._links.get(link_id)

    def link_by_code(self, code: str) -> HosterLink | None:
        """The hoster link whose embed code is ``code``, or None."""
        return self._codes.get(code)

    def genre(self, genre: str, site: str = "aniworld") -> list[Series]:
        """Series carrying a genre (by slug), in title order."""
        return [s for s in self.all(site) if genre in {slugify(g) for g in s.genres}]
