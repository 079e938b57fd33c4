"""What the library still wants: missing episodes and language upgrades, grouped by series.

"Missing" is the library report's (:mod:`.overview`: offered in an acceptable language,
neither on disk nor on its way), "upgradable" is :func:`.upgrades.find_upgrades`'s. An
episode that is both (held only in a language the order does not accept) is listed once,
as an upgrade: queueing it must replace the copy it has. Nothing here commits.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from aniworld.languages import Language
from aniworld.library.missing import MissingEpisode
from aniworld.models import ItemStatus, Series
from aniworld.models.download_item import episode_code
from aniworld.models.episode import languages_from
from aniworld.services.episode_status import (
    MISSING,
    EpisodeKey,
    EpisodeState,
    episode_statuses,
    file_present,
)
from aniworld.services.library.overview import queue_episodes
from aniworld.services.library.preferences import preferences
from aniworld.services.library.upgrades import Holding, episode_upgrade, queue_upgrades
from aniworld.services.library.wanted_rows import (
    OpenEpisode,
    Scope,
    informed_series,
    open_episodes,
    open_summary,
)
from aniworld.services.queue import Offers
from aniworld.services.settings import AppSettings

logger = logging.getLogger(__name__)

PER_PAGE = 25  # series groups per page: a group can hold a whole series' episodes
# Stored offers are a handful of distinct texts: parse each once per process.
_offer = lru_cache(maxsize=64)(languages_from)


class WantedKind(StrEnum):
    """Which wanted episodes to list: missing ones, upgrades, or both."""

    ALL = "all"
    MISSING = "missing"
    UPGRADE = "upgrade"


class WantedSort(StrEnum):
    """Air order (series title, season, episode; films last) or newest first."""

    AIR = "air"
    NEWEST = "newest"


@dataclass(frozen=True)
class WantedFilter:
    """What to list: ``language`` is the one an episode would be fetched in."""

    kind: WantedKind = WantedKind.ALL
    language: Language | None = None
    monitored: bool = False
    sort: WantedSort = WantedSort.AIR


@dataclass(frozen=True)
class WantedEpisode:
    """One wanted episode: fetched in ``language``; ``current`` is the copy an upgrade replaces."""

    season: int
    episode: int
    kind: WantedKind
    language: Language
    current: Language | None = None
    failed: bool = False  # the last download of it failed
    # When the site first listed it or last added a language (None: since the series was added).
    since: datetime | None = None

    @property
    def key(self) -> EpisodeKey:
        """(season, episode)."""
        return self.season, self.episode

    @property
    def code(self) -> str:
        """``S01E05``, or ``Film 3`` for season 0."""
        return episode_code(self.season, self.episode)


@dataclass(frozen=True)
class WantedSeries:
    """A series with its wanted episodes (plain values: the page never touches the ORM)."""

    series_id: int
    key: str
    title: str
    site: str
    monitored: bool
    episodes: list[WantedEpisode] = field(default_factory=list)

    @property
    def newest(self) -> datetime | None:
        """The latest ``since`` of the group's episodes."""
        return _latest(e.since for e in self.episodes)


@dataclass(frozen=True)
class WantedPage:
    """One page of series groups, with the totals over every page."""

    groups: list[WantedSeries]
    page: int
    pages: int
    series_total: int
    missing: int
    upgrades: int

    @property
    def total(self) -> int:
        """Wanted episodes on every page."""
        return self.missing + self.upgrades


@dataclass(frozen=True)
class QueuedWanted:
    """What a download from the Wanted view did.

    ``groups`` are the wanted episodes as they were before, ``queued`` the keys taken from
    each (by series id), so a page can show those rows as queued.
    """

    created: int = 0
    skipped: int = 0
    groups: list[WantedSeries] = field(default_factory=list)
    queued: dict[int, set[EpisodeKey]] = field(default_factory=dict)

    @property
    def series(self) -> int:
        """How many series got items."""
        return len(self.queued)


def wanted(session: Session, settings: AppSettings, wanted_filter: WantedFilter = WantedFilter(),
           series_ids: Collection[int] | None = None) -> list[WantedSeries]:
    """Every wanted episode (of ``series_ids`` or the library), grouped and sorted.

    The same answers as the library report's missing episodes and ``find_upgrades``, read
    the fast way (see :mod:`.wanted_rows`).
    """
    series, scope = _scope(session, settings, wanted_filter, series_ids)
    rows = open_episodes(session, scope)
    informed = _informed(session, {(series_id, row.languages) for series_id, episodes
                                   in rows.items() for row in episodes.values()})
    groups = []
    for series_id, episodes in rows.items():
        one = series[series_id]
        chosen = [e for e in _decide(one, settings, episodes,
                                     series_id in informed)
                  if _matches(wanted_filter, e.kind, e.language)]
        if chosen:
            groups.append(WantedSeries(one.id, one.public_key, one.title, one.site,
                                       one.monitored, _sorted(chosen, wanted_filter.sort)))
    return _sorted_groups(groups, wanted_filter.sort)


def wanted_page(session: Session, settings: AppSettings, wanted_filter: WantedFilter,
                page: int = 1, per_page: int = PER_PAGE) -> WantedPage:
    """Page ``page`` of :func:`wanted` (a page past the end shows the last one).

    Counts every wanted episode but reads in full only the page's series: most open
    episodes of a big library are missing ones without any file or item, which the
    database counts per series and offer (:func:`.wanted_rows.open_summary`).
    """
    summaries = _summaries(session, settings, wanted_filter)
    pages = max(1, math.ceil(len(summaries) / per_page))
    page = min(max(page, 1), pages)
    shown = {s.series_id for s in summaries[(page - 1) * per_page:page * per_page]}
    groups = wanted(session, settings, wanted_filter, shown) if shown else []
    return WantedPage(groups, page, pages, len(summaries), sum(s.missing for s in summaries),
                      sum(s.upgrades for s in summaries))


@dataclass(frozen=True)
class _Summary:
    """How many episodes a series wants, for ordering and counting the groups."""

    series_id: int
    title: str
    newest: datetime | None
    missing: int
    upgrades: int


# What a series wants, summed up: (kind, language, latest stamp, how many episodes).
_Tally = tuple[WantedKind, Language, datetime | None, int]


def _summaries(session: Session, settings: AppSettings, wanted_filter: WantedFilter,
               ) -> list[_Summary]:
    """Every series with wanted episodes, in the page's order, with its counts."""
    series, tallies = _tallies(session, settings, wanted_filter)
    summaries = []
    for series_id, counted in tallies.items():
        kept = [tally for tally in counted if _matches(wanted_filter, tally[0], tally[1])]
        missing = sum(count for kind, _, _, count in kept if kind is WantedKind.MISSING)
        upgrades = sum(count for _, _, _, count in kept) - missing
        if kept:
            summaries.append(_Summary(series_id, series[series_id].title,
                                      _latest(since for _, _, since, _ in kept), missing,
                                      upgrades))
    return _sorted_groups(summaries, wanted_filter.sort)


def _tallies(session: Session, settings: AppSettings, wanted_filter: WantedFilter,
             ) -> tuple[dict[int, Series], dict[int, list[_Tally]]]:
    """The series in scope, and per series id what it wants (filters not applied yet)."""
    series, scope = _scope(session, settings, wanted_filter, None)
    bare, held = open_summary(session, scope)
    informed = _informed(session, {(offer.series_id, offer.languages) for offer in bare} | {
        (series_id, row.languages) for series_id, episodes in held.items()
        for row in episodes.values()})
    tallies: dict[int, list[_Tally]] = defaultdict(list)
    for offer in bare:
        # Bare episodes are missing in the language their offer decides, as in _decide.
        language = _SomeOffers(series[offer.series_id], {(0, 0): _offer(offer.languages)},
                               offer.series_id in informed).best((0, 0), settings.language_order)
        if language is not None:
            tallies[offer.series_id].append((WantedKind.MISSING, language, offer.since,
                                             offer.count))
    for series_id, episodes in held.items():
        tallies[series_id] += [(e.kind, e.language, e.since, 1) for e in _decide(
            series[series_id], settings, episodes, series_id in informed)]
    return series, tallies


def _scope(session: Session, settings: AppSettings, wanted_filter: WantedFilter,
           series_ids: Collection[int] | None,
           ) -> tuple[dict[int, Series], Scope]:
    """The series to look at and the scope the queries take (their language orders)."""
    # Only what the page and the preferences read: a library's descriptions add up.
    query = select(Series).options(load_only(
        Series.site, Series.key, Series.title, Series.monitored, Series.language_order,
        Series.upgrade_until, Series.monitor_scope, Series.monitor_films))
    if wanted_filter.monitored:
        query = query.where(Series.monitored.is_(True))
    if series_ids is not None:
        query = query.where(Series.id.in_(list(series_ids)))
    series = {one.id: one for one in session.scalars(query)}
    scope = Scope({series_id: preferences(one, settings).language_order
                   for series_id, one in series.items()},
                  settings.language_order,
                  whole_library=series_ids is None and not wanted_filter.monitored)
    return series, scope


def _informed(session: Session, offers: set[tuple[int, str]]) -> set[int]:
    """Which of the series in ``offers`` (series id, offer text) the catalog lists a language for.

    Only a series whose open episodes include one not offered yet needs asking: any other
    open episode of it names a language itself.
    """
    known = {series_id for series_id, text in offers if text}
    unsure = {series_id for series_id, text in offers if not text} - known
    return known | (informed_series(session, unsure) if unsure else set())


def _matches(wanted_filter: WantedFilter, kind: WantedKind, language: Language) -> bool:
    return (wanted_filter.kind in (WantedKind.ALL, kind)
            and wanted_filter.language in (None, language))


def _latest(stamps: Iterable[datetime | None]) -> datetime | None:
    return max((stamp for stamp in stamps if stamp is not None), default=None)


def _decide(series: Series, settings: AppSettings,
            rows: dict[EpisodeKey, OpenEpisode], informed: bool) -> list[WantedEpisode]:
    """The wanted episodes among one series' open ones: an upgrade wins over "missing"."""
    held = {key: row for key, row in rows.items() if row.files or row.items}
    accepted = set(settings.language_order)
    on_disk = {key for key, row in held.items()
               if any(language and Language(language) in accepted for language, _ in row.files)}
    exists = cache(file_present)  # the status and the upgrade both ask about finished files
    statuses = episode_statuses(held.values(), [i for row in held.values() for i in row.items],
                                exists, on_disk)
    offers = _SomeOffers(series, {key: _offer(row.languages) for key, row in rows.items()},
                         informed)
    best: dict[str, Language | None] = {}  # the choice depends on the offer alone
    found = []
    for key, row in rows.items():
        copies = _copies(row, exists) if key in held else []
        upgrade = episode_upgrade(series, settings, *key, copies,
                                  offers.offered(key)) if copies else None
        if upgrade is not None:
            found.append(WantedEpisode(*key, WantedKind.UPGRADE, upgrade.target,
                                       upgrade.current, since=row.since))
            continue
        if row.languages not in best:
            best[row.languages] = offers.best(key, settings.language_order)
        status = statuses.get(key, MISSING)
        if status.wanted and best[row.languages] is not None:
            found.append(WantedEpisode(*key, WantedKind.MISSING, best[row.languages],
                                       failed=status.state is EpisodeState.FAILED,
                                       since=row.since))
    return found


def _copies(row: OpenEpisode, exists: Callable[[Path], bool]) -> list[Holding]:
    """What the library holds of the episode: scanned files and finished downloads."""
    scanned = [Holding(Language(language) if language else None, path)
               for language, path in row.files]
    return scanned + [Holding(item.item_language, item.file_path) for item in row.items
                      if item.status is ItemStatus.COMPLETED and item.file_path
                      and exists(Path(item.file_path))]


@dataclass(frozen=True)
class _SomeOffers(Offers):
    """The offers of some episodes of a series; ``known``: the catalog has any language."""

    known: bool = False

    @property
    def informed(self) -> bool:
        """Whether the catalog holds a language for any episode of the series."""
        return self.known


def queue_wanted(session: Session, settings: AppSettings, wanted_filter: WantedFilter,
                 series_ids: Collection[int] | None = None,
                 episodes: Collection[EpisodeKey] | None = None) -> QueuedWanted:
    """Queue what :func:`wanted` lists (only ``episodes`` when given); no commit.

    Missing episodes go in the language they are listed in (a failed item is retried);
    upgrades in their target language with ``force``, since a copy is on disk.
    """
    created = skipped = 0
    queued: dict[int, set[EpisodeKey]] = {}
    groups = wanted(session, settings, wanted_filter, series_ids)
    for group in groups:
        chosen = [e for e in group.episodes if episodes is None or e.key in episodes]
        if not chosen:
            continue
        series = session.get_one(Series, group.series_id)
        added, already = queue_episodes(session, series, _as_missing(chosen, WantedKind.MISSING))
        upgrades = {e.key for e in chosen if e.kind is WantedKind.UPGRADE}
        if upgrades:
            # Upgrade items name the copies they replace: the job swaps them out.
            more = len(queue_upgrades(session, settings, [series.id], upgrades))
            added, already = added + more, already + len(upgrades) - more
        created, skipped = created + added, skipped + already
        queued[series.id] = {e.key for e in chosen}
    logger.info("wanted queued created=%d skipped=%d series=%d", created, skipped, len(queued))
    return QueuedWanted(created, skipped, groups, queued)


def _as_missing(chosen: Iterable[WantedEpisode], kind: WantedKind) -> list[MissingEpisode]:
    return [MissingEpisode(e.season, e.episode, e.language) for e in chosen if e.kind is kind]


def _air_order(episode: WantedEpisode) -> tuple[bool, int, int]:
    return episode.season == 0, episode.season, episode.episode


def _sorted(episodes: list[WantedEpisode], order: WantedSort) -> list[WantedEpisode]:
    episodes.sort(key=_air_order)
    if order is WantedSort.NEWEST:
        # Stable sort: episodes of the same moment stay in air order.
        episodes.sort(key=lambda e: _stamp(e.since), reverse=True)
    return episodes


class _Group(Protocol):
    @property
    def series_id(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def newest(self) -> datetime | None: ...


G = TypeVar("G", bound=_Group)


def _sorted_groups(groups: list[G], order: WantedSort) -> list[G]:
    """By title (then id), or newest first and then by title."""
    groups.sort(key=lambda g: (g.title.casefold(), g.series_id))
    if order is WantedSort.NEWEST:
        newest = {g.series_id: g.newest for g in groups}
        groups.sort(key=lambda g: _stamp(newest[g.series_id]), reverse=True)
    return groups


def _stamp(when: datetime | None) -> float:
    return when.timestamp() if when else -math.inf
