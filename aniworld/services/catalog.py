"""Series and episodes in the library, filled from the site client.

Fetching and storing are separate steps so the caller can finish all network I/O before it
opens a write transaction: ``snapshot = fetch_series(client, key)`` then
``store_snapshot(session, snapshot)`` then commit. A snapshot knows the site its client
read, so a series of aniworld.to and one of s.to with the same slug are two rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError
from aniworld.models import Episode, Series, utcnow
from aniworld.phrases import Phrase
from aniworld.services.series import find_series
from aniworld.site import SiteClient
from aniworld.site.types import EpisodeInfo, SeriesInfo
from aniworld.sites import DEFAULT_SITE, check_slug

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeriesSnapshot:
    """Everything a site says about one series: its header and every season's episodes."""

    info: SeriesInfo
    episodes: list[EpisodeInfo]
    # The site that was read (``aniworld.sites.SITES``).
    site: str = DEFAULT_SITE


def check_series_key(key: str) -> str:
    """Return ``key`` if it is a bare site slug (no ``sto:`` prefix); raises ValidationError."""
    return check_slug(key)


def fetch_series(client: SiteClient, key: str, fresh: bool = False) -> SeriesSnapshot:
    """Read a series page and one page per season (films as season 0); no database access.

    ``fresh`` bypasses the page cache, for an explicit refresh.
    """
    info = client.series(check_series_key(key), fresh=fresh)
    episodes: list[EpisodeInfo] = []
    for season in info.seasons:
        episodes.extend(client.season(info.key, season, fresh=fresh))
    site = client.settings.site
    logger.info("series fetched site=%s key=%s seasons=%d episodes=%d",
                site, info.key, len(info.seasons), len(episodes))
    return SeriesSnapshot(info, episodes, site)


@dataclass(frozen=True)
class SeasonsSnapshot:
    """Some seasons of a series (0 = films), read without its series page.

    What a site's new-episodes feed makes worth reading: the seasons it names. Storing one
    adds and updates those seasons' episodes and leaves the rest of the series untouched.
    """

    key: str
    seasons: frozenset[int]
    episodes: list[EpisodeInfo]
    site: str = DEFAULT_SITE


def fetch_seasons(client: SiteClient, key: str, seasons: Iterable[int],
                  fresh: bool = False) -> SeasonsSnapshot:
    """Read one page per season in ``seasons``; raises SiteNotFound for a season the site lacks."""
    wanted = frozenset(seasons)
    episodes = [episode for season in sorted(wanted)
                for episode in client.season(check_series_key(key), season, fresh=fresh)]
    return SeasonsSnapshot(key, wanted, episodes, client.settings.site)


def store_seasons(session: Session, series: Series, snapshot: SeasonsSnapshot) -> None:
    """Create or update the episodes of ``snapshot`` in ``series`` (no commit).

    The series' header and ``refreshed_at`` stay as they are: only a full read renews them.
    A season the feed named that the series did not list yet (a new season) joins the list.
    """
    series.listed_seasons = [*series.listed_seasons, *snapshot.seasons]
    # Read on the feed's word: what is new here appeared now (none before the first full read).
    stamp = utcnow() if series.refreshed_at is not None else None
    _store_episodes(session, series, snapshot.episodes, stamp)


def store_snapshot(session: Session, snapshot: SeriesSnapshot,
                   site: str | None = None) -> Series:
    """Create or update the series and its episodes from ``snapshot`` (no commit).

    ``site`` defaults to the snapshot's own.
    """
    info, site = snapshot.info, site or snapshot.site
    series = find_series(session, info.key, site) or Series(site=site, key=info.key)
    # A series' first store is its baseline: what the site lists then is not "new".
    baseline = series.refreshed_at is None
    series.title = info.title
    series.alternative_titles = ", ".join(info.alternative_titles)
    series.year, series.end_year = info.start_year, info.end_year
    series.cover, series.description = info.cover, info.description
    series.genres = ", ".join(info.genres)
    # Every season the site lists, the announced ones (nothing out yet) too.
    series.listed_seasons = info.seasons
    series.refreshed_at = utcnow()
    session.add(series)
    session.flush()
    _store_episodes(session, series, snapshot.episodes,
                    None if baseline else series.refreshed_at)
    return series


def _store_episodes(session: Session, series: Series, episodes: list[EpisodeInfo],
                    stamp: datetime | None) -> None:
    """Store ``episodes``; stamp new ones and those gaining a language (None: the baseline)."""
    existing = {(e.season, e.number): e for e in series.episodes}
    for info in episodes:
        episode = existing.get((info.season, info.number))
        if episode is None:
            episode = Episode(series_id=series.id, season=info.season, number=info.number,
                              first_seen_at=stamp)
            series.episodes.append(episode)
            existing[(info.season, info.number)] = episode
        elif stamp is not None and not set(info.languages) <= episode.language_set:
            episode.languages_changed_at = stamp
            if not episode.languages:
                # Listed before its release (no language yet): it comes out now, which is
                # when "new episodes only" and "what's new" count it from.
                episode.first_seen_at = stamp
        episode.title_de, episode.title_en = info.title_de, info.title_en
        episode.language_set = info.languages


def add_series(session: Session, snapshot: SeriesSnapshot, site: str | None = None) -> Series:
    """Add a series that is not yet in the library; raises ConflictError if it is.

    ``site`` defaults to the snapshot's own.
    """
    site = site or snapshot.site
    if find_series(session, snapshot.info.key, site) is not None:
        raise ConflictError(Phrase("%(title)s is already in the library",
                                   title=snapshot.info.title))
    return store_snapshot(session, snapshot, site)


def list_series(session: Session) -> list[Series]:
    """Return every series in the library, by title."""
    return list(session.scalars(select(Series).order_by(Series.title)))
