"""Series and episodes in the library, filled from the site client.

Fetching and storing are separate steps so the caller can finish all network I/O before it
opens a write transaction: ``snapshot = fetch_series(client, key)`` then
``store_snapshot(session, snapshot)`` then commit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import ConflictError, ValidationError
from aniworld.models import Episode, Series, utcnow
from aniworld.services.series import DEFAULT_SITE, find_series
from aniworld.site import SiteClient
from aniworld.site.types import EpisodeInfo, SeriesInfo

logger = logging.getLogger(__name__)

SERIES_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,199}$")


@dataclass(frozen=True)
class SeriesSnapshot:
    """Everything the site says about one series: its header and every season's episodes."""

    info: SeriesInfo
    episodes: list[EpisodeInfo]


def check_series_key(key: str) -> str:
    """Return ``key`` if it looks like a site slug; raises ValidationError."""
    if not isinstance(key, str) or not SERIES_KEY.match(key):
        raise ValidationError("key must be the series slug from the site, e.g. one-piece", "key")
    return key


def fetch_series(client: SiteClient, key: str, fresh: bool = False) -> SeriesSnapshot:
    """Read a series page and one page per season (films as season 0); no database access.

    ``fresh`` bypasses the page cache, for an explicit refresh.
    """
    info = client.series(check_series_key(key), fresh=fresh)
    episodes: list[EpisodeInfo] = []
    for season in info.seasons:
        episodes.extend(client.season(info.key, season, fresh=fresh))
    logger.info("series fetched key=%s seasons=%d episodes=%d",
                info.key, len(info.seasons), len(episodes))
    return SeriesSnapshot(info, episodes)


def store_snapshot(session: Session, snapshot: SeriesSnapshot,
                   site: str = DEFAULT_SITE) -> Series:
    """Create or update the series and its episodes from ``snapshot`` (no commit)."""
    info = snapshot.info
    series = find_series(session, info.key, site) or Series(site=site, key=info.key)
    # A series' first store is its baseline: what the site lists then is not "new".
    baseline = series.refreshed_at is None
    series.title = info.title
    series.alternative_titles = ", ".join(info.alternative_titles)
    series.year, series.end_year = info.start_year, info.end_year
    series.cover, series.description = info.cover, info.description
    series.genres = ", ".join(info.genres)
    series.refreshed_at = utcnow()
    session.add(series)
    session.flush()
    _store_episodes(session, series, snapshot.episodes, baseline)
    return series


def _store_episodes(session: Session, series: Series, episodes: list[EpisodeInfo],
                    baseline: bool) -> None:
    """Store ``episodes``; after the baseline, stamp new ones and those gaining a language."""
    stamp = None if baseline else series.refreshed_at
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
        episode.title_de, episode.title_en = info.title_de, info.title_en
        episode.language_set = info.languages


def add_series(session: Session, snapshot: SeriesSnapshot, site: str = DEFAULT_SITE) -> Series:
    """Add a series that is not yet in the library; raises ConflictError if it is."""
    if find_series(session, snapshot.info.key, site) is not None:
        raise ConflictError(f"{snapshot.info.title} is already in the library")
    return store_snapshot(session, snapshot, site)


def list_series(session: Session) -> list[Series]:
    """Return every series in the library, by title."""
    return list(session.scalars(select(Series).order_by(Series.title)))
