"""Series in the library: look-ups and their seasons (adding is ``services.catalog``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.errors import NotFoundError
from aniworld.models import Episode, Series
from aniworld.phrases import Phrase
from aniworld.sites import DEFAULT_SITE, public_series_key

__all__ = ["SeasonEntry", "find_series", "get_series", "series_seasons"]


@dataclass(frozen=True)
class SeasonEntry:
    """One season of a library series with its stored episodes (season 0 = films)."""

    number: int
    episodes: list[Episode]
    # Listed by the site but nothing of it is out yet: no episodes, or only ones offered in
    # no language (aniworld lists an announcement without flags).
    announced: bool


def find_series(session: Session, key: str, site: str = DEFAULT_SITE) -> Series | None:
    """Return the library's series with this site key, or None."""
    return session.scalar(select(Series).where(Series.site == site, Series.key == key))


def get_series(session: Session, key: str, site: str = DEFAULT_SITE) -> Series:
    """Return the library's series with this site key; raises NotFoundError."""
    series = find_series(session, key, site)
    if series is None:
        raise NotFoundError(Phrase("no series %(key)s in the library; add it first",
                                   key=repr(public_series_key(site, key))))
    return series


def series_seasons(series: Series) -> list[SeasonEntry]:
    """Every season the site lists or episodes are stored for, ascending."""
    by_season: dict[int, list[Episode]] = {number: [] for number in series.listed_seasons}
    # Sorted here: episodes appended in this session are not in the relationship's order.
    for episode in sorted(series.episodes, key=lambda e: (e.season, e.number)):
        by_season.setdefault(episode.season, []).append(episode)
    return [SeasonEntry(number, episodes, not any(e.languages for e in episodes))
            for number, episodes in sorted(by_season.items())]
