"""The waiting list in groups: runs of one series' episodes, counted and paged in SQL.

A group is a run of waiting (pending or paused) items of one series and one priority that
follow each other in download order: a series queued whole is one group, an episode moved
in front of others is a group of its own. A group is named by the id of its last item,
which stays the same while downloads take its first items one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from aniworld.errors import NotFoundError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.models.download_item import QUEUED_STATUSES, episode_code
from aniworld.phrases import Phrase
from aniworld.services.queue.views import WAITING, PendingItem, check_page

# season * EPISODE_SPAN + episode orders episodes by one integer (films are season 0).
EPISODE_SPAN = 100_000
# rank * ID_SPAN + id sorts like the rank and carries the id, so min()/max() of it name a
# group's first and last items without joining the ranked rows again (ids < 2**31).
ID_SPAN = 2**31
WAITING_NOW = DownloadItem.status.in_(QUEUED_STATUSES)
Neighboured = tuple[PendingItem, int | None, int | None]


class PendingGroup(NamedTuple):
    """One group of waiting items, as the queue page and the API list it."""

    id: int  # the id of its last item
    first_id: int
    series_id: int
    series_key: str  # the site's slug (Series.key)
    series_title: str
    series_site: str
    priority: Priority
    count: int
    paused: int
    rank: int  # where its first item stands among all waiting items, from 1
    low: int  # lowest and highest episode, season * EPISODE_SPAN + episode
    high: int
    language: Language | None  # None: its items are in several languages

    @property
    def episodes(self) -> str:
        """The episodes it spans: ``S01E01–E1000``, ``S01E05–S02E03``, ``Films 1–3``."""
        first, last = divmod(self.low, EPISODE_SPAN), divmod(self.high, EPISODE_SPAN)
        if first == last:
            return episode_code(*first)
        if first[0] != last[0]:
            return f"{episode_code(*first)}–{episode_code(*last)}"
        if first[0] == 0:
            return f"Films {first[1]}–{last[1]}"
        return f"{episode_code(*first)}–E{last[1]:02d}"

    @property
    def language_label(self) -> str:
        """Its language, or ``several languages``."""
        return self.language.label if self.language else "several languages"


@dataclass(frozen=True)
class PendingSummary:
    """How many items wait, per priority, and how many of them are paused."""

    counts: dict[Priority, int]
    paused: int

    @property
    def total(self) -> int:
        """Every waiting item."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class GroupPage:
    """One page of groups in download order."""

    groups: list[PendingGroup]
    offset: int
    total: int  # groups in all
    items: int  # waiting items in all

    @property
    def more_groups(self) -> int:
        """Groups after this page."""
        return max(self.total - self.offset - len(self.groups), 0)

    @property
    def more_items(self) -> int:
        """Waiting items in the groups after this page."""
        if not self.groups:
            return 0
        last = self.groups[-1]
        return self.items - (last.rank + last.count - 1)


@dataclass(frozen=True)
class GroupItems:
    """One page of a group's items with the waiting items just before and after it."""

    group_id: int
    items: list[PendingItem]
    total: int
    paused: int
    offset: int
    before: int | None  # the item before items[0] in its priority (a Move up target)
    after: int | None

    @property
    def remaining(self) -> int:
        """Items of the group after this page."""
        return max(self.total - self.offset - len(self.items), 0)

    def neighboured(self) -> list[Neighboured]:
        """Each item with the ids of the waiting items before and after it."""
        ids = [self.before, *(item.id for item in self.items), self.after]
        return [(item, ids[n], ids[n + 2]) for n, item in enumerate(self.items)]


class Run(NamedTuple):
    """Where a group lies: its last item and the waiting item just before its first."""

    id: int
    series_id: int
    priority: Priority
    position: int
    before: tuple[int, int] | None  # (position, id), None when the group opens its priority

    def members(self) -> list[ColumnElement[bool]]:
        """Conditions that select the group's items."""
        conditions = [WAITING_NOW, DownloadItem.priority == self.priority,
                      DownloadItem.series_id == self.series_id,
                      ~_beyond(self.position, self.id)]
        if self.before is not None:
            conditions.append(_beyond(*self.before))
        return conditions


def _beyond(position: int, item_id: int) -> ColumnElement[bool]:
    """Items after (position, id) in download order within one priority."""
    return or_(DownloadItem.position > position,
               and_(DownloadItem.position == position, DownloadItem.id > item_id))


def _paused_count(status: ColumnElement[ItemStatus]) -> ColumnElement[int]:
    """How many of the aggregated rows are paused."""
    return func.sum(case((status == ItemStatus.PAUSED, 1), else_=0))


def pending_summary(session: Session) -> PendingSummary:
    """Count the waiting items per priority and the paused ones among them."""
    rows = session.execute(
        select(DownloadItem.priority, DownloadItem.status, func.count(DownloadItem.id))
        .where(WAITING_NOW).group_by(DownloadItem.priority, DownloadItem.status)).all()
    counts = dict.fromkeys(Priority, 0)
    for priority, _status, count in rows:
        counts[priority] += count
    return PendingSummary(counts, sum(count for _p, status, count in rows
                                      if status is ItemStatus.PAUSED))


def pending_groups(session: Session, limit: int = 50, offset: int = 0) -> GroupPage:
    """Return ``limit`` groups from ``offset`` in download order, counted in one query."""
    check_page(limit, offset)
    # Gaps and islands: within a run of one (priority, series) the overall rank and the
    # rank inside that (priority, series) grow together, so their difference names the run.
    order = (DownloadItem.position, DownloadItem.id)
    rank = func.row_number().over(order_by=(DownloadItem.priority, *order))
    same = func.row_number().over(
        partition_by=(DownloadItem.priority, DownloadItem.series_id), order_by=order)
    # The windows sort narrow rows; the other columns are joined back by primary key, which
    # costs less than sorting them along (SQLite copies whole rows into its sorters).
    ranked = select(DownloadItem.id, DownloadItem.series_id, DownloadItem.priority,
                    rank.label("rank"), (rank - same).label("run")) \
        .where(WAITING_NOW).subquery("ranked")
    r, item = ranked.c, aliased(DownloadItem)
    keyed, code = r.rank * ID_SPAN + r.id, item.season * EPISODE_SPAN + item.episode
    grouped = (
        select(func.max(keyed).label("last"), func.min(keyed).label("first"), r.series_id,
               r.priority, func.count().label("size"),
               _paused_count(item.status).label("paused"),
               func.min(r.rank).label("rank"), func.min(code).label("low"),
               func.max(code).label("high"), func.min(item.language).label("language"),
               func.max(item.language).label("last_language"),
               func.count().over().label("group_total"),
               func.sum(func.count()).over().label("item_total"))
        .join(item, item.id == r.id)
        .group_by(r.priority, r.series_id, r.run).order_by(func.min(r.rank))
        .limit(limit).offset(offset).subquery("grouped"))
    g = grouped.c
    rows = session.execute(
        select(g.last % ID_SPAN, g.first % ID_SPAN, g.series_id, Series.key, Series.title,
               Series.site, g.priority, g.size, g.paused, g.rank, g.low, g.high, g.language,
               g.last_language, g.group_total, g.item_total)
        .join(Series, Series.id == g.series_id).order_by(g.rank)).all()
    groups = [PendingGroup(*row[:12], row[12] if row[12] == row[13] else None) for row in rows]
    total, items = (rows[0][14], rows[0][15]) if rows else (offset, 0)
    return GroupPage(groups, offset, int(total), int(items or 0))


def queued_items(session: Session, limit: int) -> list[PendingItem]:
    """Return the first ``limit`` waiting items (pending and paused) in download order."""
    check_page(limit, 0)
    rows = session.connection().execute(WAITING.where(WAITING_NOW).limit(limit)).all()
    return list(map(PendingItem._make, rows))


def open_groups(session: Session, limit: int) -> list[tuple[PendingGroup, GroupItems]]:
    """Every group with all of its items, for a waiting list of at most ``limit`` items."""
    groups = pending_groups(session, limit=limit).groups
    flat = queued_items(session, limit)
    pages = []
    for group in groups:
        start, end = group.rank - 1, group.rank - 1 + group.count
        pages.append((group, GroupItems(
            group.id, flat[start:end], group.count, group.paused, 0,
            _same_priority(flat, start - 1, group.priority),
            _same_priority(flat, end, group.priority))))
    return pages


def _same_priority(items: list[PendingItem], index: int, priority: Priority) -> int | None:
    """The id of ``items[index]`` when it exists and has ``priority``."""
    if 0 <= index < len(items) and items[index].priority == priority:
        return items[index].id
    return None


def find_run(session: Session, group_id: int) -> Run:
    """Locate the group ending at item ``group_id``; ``NotFoundError`` unless it waits."""
    row = session.execute(
        select(DownloadItem.series_id, DownloadItem.priority, DownloadItem.position)
        .where(DownloadItem.id == group_id, WAITING_NOW)).one_or_none()
    if row is None:
        raise NotFoundError(Phrase("queue group %(id)s is gone (its last episode started, "
                                   "finished or was removed); reload the queue", id=group_id))
    series_id, priority, position = row
    # The group reaches back to the last waiting item of another series in its priority.
    before = session.execute(
        select(DownloadItem.position, DownloadItem.id)
        .where(WAITING_NOW, DownloadItem.priority == priority,
               DownloadItem.series_id != series_id,
               ~_beyond(position, group_id))
        .order_by(DownloadItem.position.desc(), DownloadItem.id.desc()).limit(1)).one_or_none()
    return Run(group_id, series_id, priority, position, tuple(before) if before else None)


def group_items(session: Session, group_id: int, limit: int = 50,
                offset: int = 0) -> GroupItems:
    """Return ``limit`` items of a group from ``offset``, with their outer neighbours."""
    check_page(limit, offset)
    run = find_run(session, group_id)
    members = run.members()
    total, paused = session.execute(select(
        func.count(DownloadItem.id), _paused_count(DownloadItem.status)).where(*members)).one()
    # One row more on each side names the neighbours of the page's first and last items.
    extra = 1 if offset else 0
    statement = WAITING.where(*members).limit(limit + 1 + extra).offset(offset - extra)
    rows = list(map(PendingItem._make, session.connection().execute(statement).all()))
    if offset:
        before = rows.pop(0).id if rows else None
    else:
        before = run.before[1] if run.before else None
    items = rows[:limit]
    after = rows[limit].id if len(rows) > limit else _next_after(session, run)
    return GroupItems(group_id, items, total, int(paused or 0), offset, before, after)


def _next_after(session: Session, run: Run) -> int | None:
    """The first waiting item after the group in its priority."""
    return session.scalar(
        select(DownloadItem.id).where(WAITING_NOW, DownloadItem.priority == run.priority,
                                      _beyond(run.position, run.id))
        .order_by(DownloadItem.position, DownloadItem.id).limit(1))
