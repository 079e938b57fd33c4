"""Which monitored series a round reads, from the site's feed and the last full reads.

Reading every monitored series costs a series page plus one page per season each, so 300
series cost 600 requests or more per round. The sites list their latest releases on one
page instead (aniworld ``/neue-episoden``, s.to's calendar; reference §7), so a round
reads that feed once per site and then only:

- the seasons the feed names with an episode the database does not hold, or with a
  language of the series' order the stored episode lacks (one page per season), and
- the series whose last full read is older than ``monitor_full_refresh_hours``, because
  the feed lists only the latest releases: a round that came late, or a feed row the site
  never showed, is caught there. At most :func:`full_share` of them per round, oldest
  first, so series added together do not all come due in the same round.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from aniworld.models import Episode, Series, utcnow
from aniworld.models.episode import languages_from
from aniworld.services.library.preferences import preferences
from aniworld.services.settings import AppSettings
from aniworld.site.types import FeedEntry
from aniworld.sites import SITES


@dataclass(frozen=True)
class Target:
    """A series to read in this round, with what the round needs once its session closed."""

    id: int
    site: str
    key: str
    title: str
    # The seasons the feed named (read without the series page); None = read it in full.
    seasons: frozenset[int] | None = None


@dataclass(frozen=True)
class SitePlan:
    """What a round reads on one site."""

    site: str
    monitored: int
    targets: tuple[Target, ...]
    named: int  # series read because the feed named something new in them
    due: int  # series read in full because their last full read is too old


def monitored_sites(session: Session) -> list[str]:
    """The sites with at least one monitored series, in the order of ``SITES``."""
    found = set(session.scalars(select(Series.site).where(Series.monitored.is_(True))
                                .distinct()))
    return [site for site in SITES if site in found] + sorted(found - set(SITES))


def full_share(monitored: int, settings: AppSettings) -> int:
    """How many due series one round reads in full at most.

    One full-refresh interval holds ``full / interval`` rounds; reading that fraction of the
    series per round reads each once per interval, and because the oldest go first a burst
    (300 series added at once, all due together) spreads over the next interval by itself.
    Rounded up, so nothing ever falls behind. Without scheduled rounds (interval 0) one
    round may read all of them.
    """
    interval = settings.monitor_interval_hours or settings.monitor_full_refresh_hours
    share = math.ceil(monitored * interval / settings.monitor_full_refresh_hours)
    return max(1, min(monitored, share))


def plan_site(session: Session, site: str, feed: Sequence[FeedEntry] | None,
              settings: AppSettings, now: datetime | None = None) -> SitePlan:
    """Plan one site's part of a round; ``feed`` None means the feed could not be read.

    A series the feed names but that was never read in full is read in full: it has no
    stored episodes to compare with.
    """
    monitored = {series.id: series for series in session.scalars(
        select(Series).where(Series.site == site, Series.monitored.is_(True)))}
    due = _due(monitored.values(), settings, now or utcnow())
    full = {series.id for series in due[:full_share(len(monitored), settings)]}
    news = _news(session, [s for s in monitored.values() if s.id not in full], feed or (),
                 settings)
    full |= {series_id for series_id in news if monitored[series_id].refreshed_at is None}
    targets = [Target(s.id, s.site, s.key, s.title,
                      None if s.id in full else frozenset(news[s.id]))
               for s in sorted(monitored.values(), key=lambda s: (s.title, s.id))
               if s.id in full or s.id in news]
    return SitePlan(site, len(monitored), tuple(targets), named=len(set(news) - full),
                    due=len(full))


def _due(monitored: Iterable[Series], settings: AppSettings, now: datetime) -> list[Series]:
    """Series whose last full read (or failed try) is older than the interval, oldest first.

    A failed try counts like a read for the order: a series the site no longer has would
    otherwise stay first in line and take a full read's place in every round.
    """
    limit = now - timedelta(hours=settings.monitor_full_refresh_hours)

    def last(series: Series) -> datetime | None:
        tries = [t for t in (series.refreshed_at, series.full_read_failed_at) if t is not None]
        return max(tries) if tries else None

    due = [s for s in monitored if last(s) is None or last(s) <= limit]  # type: ignore[operator]
    return sorted(due, key=lambda s: (last(s) is not None, last(s) or now, s.id))


def _news(session: Session, candidates: Sequence[Series], feed: Iterable[FeedEntry],
          settings: AppSettings) -> dict[int, set[int]]:
    """Per series id, the seasons in which the feed names something the database lacks.

    Something new is an episode not stored, or a language of the series' own order the
    stored episode does not list yet (the feed repeats episodes for days; those are old).
    """
    by_key = {series.key: series for series in candidates}
    entries = [entry for entry in feed if entry.key in by_key]
    if not entries:
        return {}
    stored = {(series_id, season, number): languages_from(languages)
              for series_id, season, number, languages in session.execute(
                  select(Episode.series_id, Episode.season, Episode.number, Episode.languages)
                  .where(Episode.series_id.in_(sorted({by_key[e.key].id for e in entries}))))}
    # A language outside the order is never queued: its release is no reason to read.
    orders = {series.id: set(preferences(series, settings).language_order)
              for series in by_key.values()}
    news: dict[int, set[int]] = defaultdict(set)
    for entry in entries:
        series = by_key[entry.key]
        held = stored.get((series.id, entry.season, entry.episode))
        if held is None or (entry.languages - held) & orders[series.id]:
            news[series.id].add(entry.season)
    return dict(news)
