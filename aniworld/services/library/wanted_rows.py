"""The episodes the Wanted view decides on, with the database sorting out the settled ones.

A library of 100,000 episodes is mostly settled, and reading every episode as a row costs
more than the whole page may. So the queries leave out the episodes nothing can be wanted
for, by the rules of the library report and of :func:`.upgrades.find_upgrades`:

- an item is pending, downloading or paused for it (in any language): it is on its way,
  and busy episodes are never upgraded (Sonarr's grabs, items with a ``save_path``, count
  nowhere here: they are Sonarr's downloads, not the library's);
- the last scan found it without a language tag (counts as every language and is never
  replaced), or in a language the user accepts while the site offers it in none the
  series ranks higher (on disk, and nothing to upgrade to).

The others are "open". An open episode without files or finished/failed items ("bare")
is missing in the language its offer decides, so for counting they come back as one row
per series and offer (:func:`open_summary`); the rest come back in full, and :mod:`.wanted`
applies the rules themselves to them. Nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Exists,
    Select,
    Subquery,
    and_,
    except_,
    exists,
    false,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased

from aniworld.languages import Language
from aniworld.models import (
    DownloadItem,
    Episode,
    FolderState,
    ItemStatus,
    LibraryFile,
    LibraryFolder,
)
from aniworld.services.episode_status import EpisodeKey

BUSY = (ItemStatus.PENDING, ItemStatus.DOWNLOADING, ItemStatus.PAUSED)
# Cancelled items count as never queued; busy ones settle the episode (see above).
DONE = (ItemStatus.COMPLETED, ItemStatus.FAILED)
# Every key query names its columns like the episode's, so EXCEPT and joins line up.
_KEY_COLUMNS = (LibraryFolder.series_id, LibraryFile.season, LibraryFile.episode.label("number"))


@dataclass(slots=True)
class OpenEpisode:
    """An episode that may be wanted: its offer, its stamps, its files and its items."""

    season: int
    number: int
    languages: str
    since: datetime | None  # when the site first listed it or last added a language
    # (language id, path) of the scanned files of matched folders.
    files: list[tuple[str, str]] = field(default_factory=list)
    # Finished and failed items as rows (the columns ``episode_statuses`` reads).
    items: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class BareOffer:
    """``count`` bare open episodes of a series offered in ``languages`` (a stored text)."""

    series_id: int
    languages: str
    count: int
    since: datetime | None  # the latest of their stamps


@dataclass(frozen=True)
class Scope:
    """The series to look at with their language orders, and the languages the user accepts."""

    orders: Mapping[int, Sequence[Language]]
    accepted: Sequence[Language]
    whole_library: bool = False  # ``orders`` names every series: no need to list them in SQL

    def restrict(self, query: Select[Any], column: Any) -> Select[Any]:
        """``query`` limited to the series of the scope."""
        return query if self.whole_library else query.where(column.in_(list(self.orders)))


def open_episodes(session: Session, scope: Scope) -> dict[int, dict[EpisodeKey, OpenEpisode]]:
    """Every open episode of the scope, with its files and items, per series id."""
    if not scope.orders:
        return {}
    first, offered = _settling(scope)
    settled = _settled(scope, first, offered)
    keys = except_(_episode_keys(scope), *settled, _item_keys(scope, BUSY)).subquery()
    return _details(session, keys)


def open_summary(session: Session, scope: Scope,
                 ) -> tuple[list[BareOffer], dict[int, dict[EpisodeKey, OpenEpisode]]]:
    """The bare open episodes counted per series and offer, and the other open ones in full."""
    if not scope.orders:
        return [], {}
    first, offered = _settling(scope)
    # The episodes with a file that settles nothing or a finished/failed item: few, so
    # each is checked for a settling file or a busy item on its own (NOT EXISTS) instead
    # of sorting every file of the library once more.
    held = union(_files(scope, joined=True).where(~first, ~offered),
                 _item_keys(scope, DONE)).subquery()
    return (_bare_offers(session, scope),
            _details(session, held, ~_has_file(or_(first, offered)), ~_has_item(BUSY)))


def _bare_offers(session: Session, scope: Scope) -> list[BareOffer]:
    """Open episodes without any file or finished/failed item, counted per series and offer."""
    bare = except_(_episode_keys(scope), _files(scope), _item_keys(scope, BUSY),
                   _item_keys(scope, DONE)).subquery()
    since = (func.max(Episode.first_seen_at), func.max(Episode.languages_changed_at))
    counted = session.execute(_joined(select(Episode.series_id, Episode.languages,
                                             func.count(), *since), bare)
                              .group_by(Episode.series_id, Episode.languages))
    return [BareOffer(series_id, languages, count, _latest(seen, changed))
            for series_id, languages, count, seen, changed in counted]


def _has_file(settling: ColumnElement[bool]) -> Exists:
    """Whether the (outer) episode has a file of a matched folder that is ``settling``."""
    return exists(select(LibraryFile.id)
                  .join(LibraryFolder, LibraryFile.folder_id == LibraryFolder.id)
                  .where(LibraryFolder.series_id == Episode.series_id,
                         LibraryFolder.state == FolderState.MATCHED,
                         LibraryFile.season == Episode.season,
                         LibraryFile.episode == Episode.number, settling)
                  .correlate(Episode))


def _has_item(statuses: tuple[ItemStatus, ...]) -> Exists:
    """Whether the (outer) episode has an item in one of ``statuses``."""
    return exists(select(DownloadItem.id)
                  .where(DownloadItem.series_id == Episode.series_id,
                         DownloadItem.season == Episode.season,
                         DownloadItem.episode == Episode.number,
                         DownloadItem.status.in_(statuses), DownloadItem.save_path.is_(None))
                  .correlate(Episode))


def informed_series(session: Session, series_ids: Collection[int]) -> set[int]:
    """The series whose stored catalog lists a language for at least one episode."""
    query = (select(Episode.series_id).where(Episode.series_id.in_(list(series_ids)),
                                             Episode.languages != "")
             .group_by(Episode.series_id))
    return set(session.scalars(query))


def _details(session: Session, keys: Subquery, *where: ColumnElement[bool],
             ) -> dict[int, dict[EpisodeKey, OpenEpisode]]:
    """The episodes of ``keys`` (series_id, season, number) with their files and items."""
    # Aliases: the conditions in ``where`` may query the same tables on their own.
    folder, held, item = aliased(LibraryFolder), aliased(LibraryFile), aliased(DownloadItem)
    query = (_joined(select(Episode.series_id, Episode.season, Episode.number,
                            Episode.languages, Episode.first_seen_at,
                            Episode.languages_changed_at, held.language.label("held"),
                            held.path, item.id, item.status, item.language.label("item_language"),
                            item.progress, item.last_error, item.last_error_phrase,
                            item.file_path, item.save_path,
                            item.episode), keys)
             # Open episodes have no settling file: every file of theirs is tagged.
             .outerjoin(folder, and_(folder.series_id == Episode.series_id,
                                     folder.state == FolderState.MATCHED))
             .outerjoin(held, and_(held.folder_id == folder.id, held.season == Episode.season,
                                   held.episode == Episode.number))
             .outerjoin(item, and_(item.series_id == Episode.series_id,
                                   item.season == Episode.season,
                                   item.episode == Episode.number, item.status.in_(DONE),
                                   item.save_path.is_(None)))
             .where(*where))
    found: dict[int, dict[EpisodeKey, OpenEpisode]] = defaultdict(dict)
    for row in session.execute(query):
        episodes = found[row.series_id]
        episode = episodes.get((row.season, row.number))
        if episode is None:
            episode = episodes[(row.season, row.number)] = OpenEpisode(
                row.season, row.number, row.languages,
                _latest(row.first_seen_at, row.languages_changed_at))
        if row.path is not None and (row.held, row.path) not in episode.files:
            episode.files.append((row.held, row.path))
        if row.id is not None and all(item.id != row.id for item in episode.items):
            episode.items.append(row)
    return found


def _joined(query: Select[Any], keys: Subquery) -> Select[Any]:
    return query.join(keys, and_(keys.c.series_id == Episode.series_id,
                                 keys.c.season == Episode.season,
                                 keys.c.number == Episode.number))


def _latest(*stamps: datetime | None) -> datetime | None:
    return max((stamp for stamp in stamps if stamp is not None), default=None)


def _episode_keys(scope: Scope) -> Select[Any]:
    return scope.restrict(select(Episode.series_id, Episode.season, Episode.number),
                          Episode.series_id)


def _item_keys(scope: Scope, statuses: tuple[ItemStatus, ...]) -> Select[Any]:
    return scope.restrict(select(DownloadItem.series_id, DownloadItem.season,
                                 DownloadItem.episode.label("number"))
                          .where(DownloadItem.status.in_(statuses),
                                 DownloadItem.save_path.is_(None)), DownloadItem.series_id)


def _files(scope: Scope, *, joined: bool = False) -> Select[Any]:
    """Files of matched folders (``joined``: beside their episode's offer)."""
    query = (select(*_KEY_COLUMNS)
             .join(LibraryFolder, LibraryFile.folder_id == LibraryFolder.id)
             .where(LibraryFolder.state == FolderState.MATCHED))
    if joined:
        query = query.join(Episode, and_(Episode.series_id == LibraryFolder.series_id,
                                         Episode.season == LibraryFile.season,
                                         Episode.number == LibraryFile.episode))
    return scope.restrict(query, LibraryFolder.series_id)


def _settled(scope: Scope, first: ColumnElement[bool], offered: ColumnElement[bool],
             ) -> tuple[Select[Any], Select[Any]]:
    """Keys of episodes a file settles: by its language alone, or also by the offer."""
    # Split so the database joins only the files in lower languages to their episodes.
    return (_files(scope).where(first),
            _files(scope, joined=True).where(~first, offered))


def _settling(scope: Scope) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """When a file settles its episode: (by its language alone, by language and offer).

    Untagged or in the series' first language (if accepted) settles by itself; a file in
    another accepted language settles when the episode is offered in none its series ranks
    higher. Stored offers are written in one order (``Episode.language_set``), so "none
    ranked higher" is a list of the offer texts without them; a text written any other way
    only misses this shortcut and is decided in Python.
    """
    groups: dict[tuple[Language, ...], list[int]] = defaultdict(list)
    for series_id, order in scope.orders.items():
        groups[tuple(order)].append(series_id)
    first: list[ColumnElement[bool]] = [LibraryFile.language.is_(None)]
    offered: list[ColumnElement[bool]] = []
    for order, ids in groups.items():
        mine = (lambda rule: rule) if len(groups) == 1 else (
            lambda rule, ids=ids: and_(LibraryFolder.series_id.in_(ids), rule))
        for held in scope.accepted:
            better = order[:order.index(held)] if held in order else order
            if not better:
                first.append(mine(LibraryFile.language == held.value))
            else:
                offered.append(mine(and_(LibraryFile.language == held.value,
                                         Episode.languages.in_(_offers_without(better)))))
    return or_(*first), (or_(*offered) if offered else false())


def _offers_without(better: Sequence[Language]) -> list[str]:
    """Every stored offer text that names none of ``better``."""
    return [",".join(language.value for language in chosen)
            for size in range(len(Language) + 1)
            for chosen in combinations(Language, size) if not set(chosen) & set(better)]

