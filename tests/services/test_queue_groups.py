"""Waiting items in groups (runs of one series): counted and paged in SQL, moved as a whole."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from aniworld.errors import NotFoundError, ValidationError
from aniworld.languages import Language
from aniworld.models import DownloadItem, ItemStatus, Priority, Series
from aniworld.services import queue
from aniworld.services.queue.groups import EPISODE_SPAN
from tests.db_fixtures import claim_item, count_statements

SUB, DUB = Language.GERMAN_SUB, Language.GERMAN_DUB


def add(session: Session, series: Series, *episodes: int, season: int = 1,
        language: Language = SUB, priority: Priority = Priority.NORMAL) -> list[int]:
    """Queue episodes of one season; returns their ids in order."""
    created = queue.add_many(session, series, [(season, n) for n in episodes], language,
                             priority).created
    return [item.id for item in created]


def order(session: Session) -> list[int]:
    """Waiting item ids in download order."""
    return [item.id for item in queue.queued_items(session, 500)]


def shape(session: Session, limit: int = 50, offset: int = 0) -> list[tuple[str, str, int]]:
    """(title, episodes, count) of each group on a page."""
    page = queue.pending_groups(session, limit, offset)
    return [(group.series_title, group.episodes, group.count) for group in page.groups]


@pytest.fixture
def saga(make_series: Callable[..., Series]) -> Series:
    return make_series(title="Tidebreaker Saga")


@pytest.fixture
def other(make_series: Callable[..., Series]) -> Series:
    return make_series(title="Mushishi")


def test_runs_of_one_series_form_groups_named_by_their_last_item(
        session: Session, saga: Series, other: Series) -> None:
    whole = add(session, saga, *range(1, 1001))
    single = add(session, other, 5)
    films = add(session, other, 1, 2, 3, season=0)
    moved = add(session, other, 7)
    queue.move_item(session, moved[0], before=whole[0])
    session.commit()
    page = queue.pending_groups(session)
    assert shape(session) == [("Mushishi", "S01E07", 1),
                              ("Tidebreaker Saga", "S01E01–E1000", 1000),
                              ("Mushishi", "Film 1–S01E05", 4)]
    first, saga_group, mushishi = page.groups
    assert (first.id, first.first_id, first.rank) == (moved[0], moved[0], 1)
    assert (saga_group.id, saga_group.first_id, saga_group.rank) == (whole[-1], whole[0], 2)
    assert (mushishi.id, mushishi.first_id) == (films[-1], single[0])
    assert (page.total, page.items, page.more_groups, page.more_items) == (3, 1005, 0, 0)
    assert saga_group.language_label == "German Sub"


def test_priorities_languages_and_paused_items(session: Session, saga: Series,
                                               other: Series) -> None:
    first = add(session, saga, 1, 2, 3)
    add(session, saga, 4, language=DUB)
    urgent = add(session, other, 1, 2, priority=Priority.HIGH)
    queue.pause_item(session, first[1])
    session.commit()
    page = queue.pending_groups(session)
    assert [(g.series_title, g.priority, g.count) for g in page.groups] == [
        ("Mushishi", Priority.HIGH, 2), ("Tidebreaker Saga", Priority.NORMAL, 4)]
    high, normal = page.groups
    assert (high.id, high.language_label, high.paused) == (urgent[-1], "German Sub", 0)
    assert (normal.language, normal.language_label, normal.paused) == (None,
                                                                         "several languages", 1)
    assert queue.pending_summary(session) == queue.PendingSummary(
        {Priority.HIGH: 2, Priority.NORMAL: 4, Priority.LOW: 0}, 1)


def test_groups_page_and_running_items_leave_them(session: Session,
                                                  make_series: Callable[..., Series]) -> None:
    heads = []
    for number in range(5):
        ids = add(session, make_series(title=f"Series {number}"), 1, 2, 3)
        heads.append(ids[0])
    claim_item(session, heads[0])
    session.commit()
    page = queue.pending_groups(session, limit=2, offset=1)
    assert [g.series_title for g in page.groups] == ["Series 1", "Series 2"]
    assert (page.total, page.items, page.more_groups, page.more_items) == (5, 14, 2, 6)
    assert shape(session, limit=2)[0] == ("Series 0", "S01E02–E03", 2)
    assert queue.pending_groups(session, offset=9).groups == []
    with pytest.raises(ValidationError):
        queue.pending_groups(session, limit=0)


def test_grouping_reads_no_item_objects_and_one_statement(
        session: Session, engine: Engine, saga: Series) -> None:
    add(session, saga, *range(1, 301))
    session.commit()
    session.expunge_all()
    with count_statements(engine) as statements:
        page = queue.pending_groups(session)
    assert len([sql for sql in statements if sql.startswith("SELECT")]) == 1
    assert page.groups[0].count == 300
    assert not any(isinstance(obj, DownloadItem) for obj in session.identity_map.values())


def test_group_items_page_with_neighbours(session: Session, saga: Series,
                                          other: Series) -> None:
    before = add(session, other, 1)
    group = add(session, saga, *range(1, 8))
    after = add(session, other, 2)
    session.commit()
    first = queue.group_items(session, group[-1], limit=3)
    assert [item.id for item in first.items] == group[:3]
    assert (first.total, first.remaining, first.before, first.after) == (7, 4, before[0],
                                                                         group[3])
    assert first.neighboured()[0] == (first.items[0], before[0], group[1])
    last = queue.group_items(session, group[-1], limit=3, offset=6)
    assert [item.id for item in last.items] == group[6:]
    assert (last.before, last.after, last.remaining) == (group[5], after[0], 0)
    with pytest.raises(NotFoundError, match="reload the queue"):
        queue.group_items(session, 999_999)


def test_open_groups_cut_the_list_into_groups(session: Session, saga: Series,
                                              other: Series) -> None:
    one = add(session, saga, 1, 2)
    two = add(session, other, 1)
    three = add(session, saga, 3, priority=Priority.LOW)
    session.commit()
    opened = queue.open_groups(session, 50)
    assert [[item.id for item in page.items] for _group, page in opened] == [one, two, three]
    assert [(page.before, page.after) for _group, page in opened] == [
        (None, two[0]), (one[-1], None), (None, None)]


def test_move_group_to_top_and_bottom_keeps_its_order(session: Session, saga: Series,
                                                      other: Series) -> None:
    head = add(session, other, 1, 2)
    group = add(session, saga, 1, 2, 3)
    tail = add(session, other, 3)
    queue.move_item(session, group[2], before=group[1])
    session.commit()
    inner = [group[0], group[2], group[1]]
    assert queue.move_group(session, group[1], "top") == 3
    session.commit()
    assert order(session) == [*inner, *head, *tail]
    assert queue.move_group(session, group[1], "bottom") == 3
    session.commit()
    assert order(session) == [*head, *tail, *inner]
    assert queue.move_group(session, group[1], "bottom") == 3  # already there: unchanged
    assert order(session) == [*head, *tail, *inner]
    with pytest.raises(ValidationError) as info:
        queue.move_group(session, group[1], "middle")
    assert info.value.field == "to"


def test_group_priority_moves_it_to_the_end_of_that_priority(
        session: Session, saga: Series, other: Series) -> None:
    urgent = add(session, other, 1, priority=Priority.HIGH)
    group = add(session, saga, 1, 2, 3)
    rest = add(session, other, 2)
    session.commit()
    assert queue.set_group_priority(session, group[-1], Priority.HIGH) == 3
    session.commit()
    assert order(session) == [*urgent, *group, *rest]
    items = session.query(DownloadItem).filter(DownloadItem.id.in_(group)).all()
    assert {item.priority for item in items} == {Priority.HIGH}
    assert queue.set_group_priority(session, group[-1], Priority.HIGH) == 3  # no change
    assert order(session) == [*urgent, *group, *rest]


def test_pause_resume_and_remove_a_group(session: Session, saga: Series,
                                         other: Series) -> None:
    group = add(session, saga, 1, 2, 3)
    keep = add(session, other, 1)
    session.commit()
    assert queue.pause_group(session, group[-1]) == 3
    session.commit()
    statuses = {item.id: item.status for item in queue.queued_items(session, 10)}
    assert [statuses[i] for i in group] == [ItemStatus.PAUSED] * 3
    assert statuses[keep[0]] is ItemStatus.PENDING
    assert queue.resume_group(session, group[-1]) == 3
    assert queue.pause_group(session, group[-1]) == 3
    assert queue.resume_group(session, group[-1]) == 3
    session.commit()
    assert queue.remove_group(session, group[-1]) == 3
    session.commit()
    assert order(session) == keep
    with pytest.raises(NotFoundError):
        queue.remove_group(session, group[-1])


def test_a_running_item_is_no_part_of_a_group(session: Session, saga: Series) -> None:
    group = add(session, saga, 1, 2, 3)
    claim_item(session, group[0])
    session.commit()
    assert queue.remove_group(session, group[-1]) == 2
    session.commit()
    assert session.get(DownloadItem, group[0]).status is ItemStatus.DOWNLOADING
    with pytest.raises(NotFoundError):
        queue.pause_group(session, group[0])


@pytest.mark.parametrize(("low", "high", "label"), [
    ((1, 5), (1, 5), "S01E05"), ((1, 1), (1, 1000), "S01E01–E1000"),
    ((1, 24), (2, 3), "S01E24–S02E03"), ((0, 1), (0, 3), "Films 1–3"),
    ((0, 2), (1, 1), "Film 2–S01E01")])
def test_a_group_names_its_episode_range(low: tuple[int, int], high: tuple[int, int],
                                         label: str) -> None:
    span = EPISODE_SPAN
    group = queue.PendingGroup(2, 1, 1, "saga", "Saga", "aniworld", Priority.NORMAL, 2, 0, 1,
                               low[0] * span + low[1], high[0] * span + high[1], SUB)
    assert group.episodes == label
