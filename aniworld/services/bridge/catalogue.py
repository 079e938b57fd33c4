"""Torznab searches answered from the stored catalogue: one release per episode and language.

Only series in the library are searched; nothing here asks a site. Sonarr searches every
wanted episode of every series it monitors, often, and each of those on aniworld.to would
cost requests and risk the site's hold for the user's own downloads. Add a series in
Aniworld (search → add, or monitoring keeps it fresh) and Sonarr finds all its episodes.

Sonarr asks three ways (its NewznabRequestGenerator):

- RSS: ``t=tvsearch`` without ``q``, paged by ``offset``/``limit``: the newest releases;
- a series: ``q=<scene title>`` with ``season`` (``00`` for specials) and ``ep``;
- anime: ``t=search&q=<title> <absolute number>``, mapped onto the site's numbering.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aniworld.languages import Language
from aniworld.models import DownloadItem, Episode, ItemStatus, LibraryFile, LibraryFolder, Series
from aniworld.models.episode import languages_from
from aniworld.services.bridge.releases import (
    AUDIO_NAMES,
    LONG_SEASON_EPISODES,
    ReleaseId,
    magnet_link,
    release_title,
)
from aniworld.services.bridge.titles import TitleMatch, holds_words, match_titles

TV, ANIME = 5000, 5070
CATEGORIES = {TV: "TV", ANIME: "TV/Anime"}
MAX_LIMIT = 100
# Series one text query may name (a word like "the" would otherwise name them all).
MAX_SERIES = 25
# How far RSS paging reaches back: Sonarr reads at most 30 pages of 100.
MAX_RSS_OFFSET = 3000


@dataclass(frozen=True)
class TorznabQuery:
    """A search as Sonarr sends it; ``categories`` empty means any."""

    text: str = ""
    season: int | None = None
    episode: int | None = None
    categories: frozenset[int] = frozenset()
    offset: int = 0
    limit: int = MAX_LIMIT


@dataclass(frozen=True)
class Release:
    """One downloadable episode in one language, as a Torznab item."""

    id: ReleaseId
    title: str
    size: int
    published: datetime
    series_key: str

    @property
    def magnet(self) -> str:
        """The link ``torrents/add`` accepts."""
        return magnet_link(self.id, self.title, self.size)

    @property
    def audio(self) -> str:
        """The spoken language's name (German, English, Japanese)."""
        return AUDIO_NAMES[self.id.language.audio]


@dataclass
class ReleasePage:
    """The releases of one page and how many the query found in all."""

    releases: list[Release] = field(default_factory=list)
    total: int = 0
    offset: int = 0


def search(session: Session, query: TorznabQuery) -> ReleasePage:
    """The page of releases ``query`` asks for (newest first without a text)."""
    if query.categories and not any(TV <= c < TV + 1000 for c in query.categories):
        return ReleasePage(offset=query.offset)
    if not query.text.strip():
        return _recent(session, query)
    candidates = [(row, title_variants(row)) for row in _series_rows(session)]
    numbered = query.season is None and query.episode is None
    matches = match_titles(candidates, query.text, numbered)[:MAX_SERIES]
    releases = [release for match in matches
                for release in _series_releases(session, match, query)]
    return ReleasePage(releases[query.offset:query.offset + query.limit], len(releases),
                       query.offset)


def _series_rows(session: Session) -> Sequence[Any]:
    return session.execute(select(Series.id, Series.site, Series.key, Series.title,
                                  Series.alternative_titles, Series.created_at)
                           .order_by(Series.title, Series.id)).all()


def title_variants(row: Any) -> list[str]:
    """A series' (or a row's) title and its alternative titles, the title first."""
    others = [part.strip() for part in (row.alternative_titles or "").split(", ")]
    return [row.title, *(title for title in others if title)]


def _series_releases(session: Session, match: TitleMatch[Any],
                     query: TorznabQuery) -> list[Release]:
    episodes = session.execute(
        select(Episode.season, Episode.number, Episode.languages, Episode.title_de,
               Episode.title_en, Episode.first_seen_at, Episode.languages_changed_at)
        .where(Episode.series_id == match.item.id)
        .order_by(Episode.season, Episode.number)).all()
    long_season = _is_long_season(Counter(episode.season for episode in episodes))
    chosen = _pick(episodes, match, query, long_season)
    sizes = _sizes(session, [match.item.id])
    return [release for episode in chosen
            for release in _releases(match.item, match.title, episode, long_season, sizes)]


def _is_long_season(counts: Mapping[int, int]) -> bool:
    """One regular season, longer than the TV databases' seasons (they split it)."""
    regular = [season for season in counts if season >= 1]
    return regular == [1] and counts[1] > LONG_SEASON_EPISODES


def _pick(episodes: Sequence[Any], match: TitleMatch[Any], query: TorznabQuery,
          long_season: bool) -> list[Any]:
    """The stored episodes a query asks for, by absolute number, season/ep or title words."""
    if match.absolute is not None:
        regular = [e for e in episodes if e.season >= 1]
        if long_season or len({e.season for e in regular}) == 1:
            return [e for e in regular if e.number == match.absolute]
        return [regular[match.absolute - 1]] if 0 < match.absolute <= len(regular) else []
    chosen = [e for e in episodes
              if (query.season is None or e.season == query.season)
              and (query.episode is None or e.number == query.episode)]
    if match.episode_words:
        chosen = [e for e in chosen if holds_words(e.title_de, match.episode_words)
                  or holds_words(e.title_en, match.episode_words)]
    return chosen


def _releases(series: Any, title: str, episode: Any, long_season: bool,
              sizes: dict[tuple[int, int, int, str], int]) -> list[Release]:
    """One release per language the episode is offered in (none before it is out)."""
    try:
        languages = languages_from(episode.languages)
    except ValueError:
        return []
    published = episode.languages_changed_at or episode.first_seen_at or series.created_at
    return [Release(ReleaseId(series.site, series.key, episode.season, episode.number, language),
                    release_title(title, episode.season, episode.number, language, long_season),
                    sizes.get((series.id, episode.season, episode.number, language.value), 0),
                    published, series.key)
            for language in Language if language in languages]


def _recent(session: Session, query: TorznabQuery) -> ReleasePage:
    """Newest releases of every series (Sonarr's RSS sync), paged like Sonarr pages."""
    if query.offset >= MAX_RSS_OFFSET:
        return ReleasePage(offset=query.offset)
    published = func.coalesce(Episode.languages_changed_at, Episode.first_seen_at,
                              Series.created_at)
    statement = (
        select(Episode.series_id, Episode.season, Episode.number, Episode.languages,
               Episode.first_seen_at, Episode.languages_changed_at)
        .join(Series, Series.id == Episode.series_id)
        .where(Episode.languages != "")
        .order_by(published.desc(), Episode.id.desc()))
    if query.season is not None:
        statement = statement.where(Episode.season == query.season)
    if query.episode is not None:
        statement = statement.where(Episode.number == query.episode)
    # Every episode here gives one release or more: offset + limit episodes always suffice.
    episodes = session.execute(statement.limit(query.offset + query.limit)).all()
    ids = sorted({episode.series_id for episode in episodes})
    series = {row.id: row for row in _series_rows(session) if row.id in set(ids)}
    long_seasons = _long_seasons(session, ids)
    sizes = _sizes(session, ids)
    releases = [release for episode in episodes
                for release in _releases(series[episode.series_id],
                                         series[episode.series_id].title, episode,
                                         episode.series_id in long_seasons, sizes)]
    page = releases[query.offset:query.offset + query.limit]
    # The total as far as this read reaches (Sonarr pages on until a page is not full).
    return ReleasePage(page, query.offset + len(page), query.offset)


def _long_seasons(session: Session, series_ids: list[int]) -> set[int]:
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    rows = session.execute(select(Episode.series_id, Episode.season, func.count())
                           .where(Episode.series_id.in_(series_ids))
                           .group_by(Episode.series_id, Episode.season))
    for series_id, season, count in rows:
        counts[series_id][season] = count
    return {series_id for series_id, seasons in counts.items() if _is_long_season(seasons)}


def _sizes(session: Session, series_ids: list[int]) -> dict[tuple[int, int, int, str], int]:
    """Known file sizes per (series, season, episode, language): finished downloads and
    files the library scan found. Unknown sizes are left out (Sonarr skips its size check)."""
    sizes: dict[tuple[int, int, int, str], int] = {}
    downloads = session.execute(
        select(DownloadItem.series_id, DownloadItem.season, DownloadItem.episode,
               DownloadItem.language, DownloadItem.total_bytes)
        .where(DownloadItem.series_id.in_(series_ids),
               DownloadItem.status == ItemStatus.COMPLETED, DownloadItem.total_bytes > 0))
    for series_id, season, episode, language, size in downloads:
        sizes[(series_id, season, episode, language.value)] = size
    files = session.execute(
        select(LibraryFolder.series_id, LibraryFile.season, LibraryFile.episode,
               LibraryFile.language, LibraryFile.size)
        .join(LibraryFolder, LibraryFolder.id == LibraryFile.folder_id)
        .where(LibraryFolder.series_id.in_(series_ids), LibraryFile.language.is_not(None),
               LibraryFile.size > 0))
    for series_id, season, episode, language, size in files:
        sizes[(series_id, season, episode, language)] = size
    return sizes
